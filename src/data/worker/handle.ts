/** The main thread's side of one DataLoader worker, whatever runs it. */
import type { FromWorker, ToWorker } from "./messages.ts";

export interface WorkerHandle {
  post(message: ToWorker): void;
  onMessage(handler: (message: FromWorker) => void): void;
  /** A crash: an uncaught error in the worker, or its exit before it was terminated. */
  onError(handler: (error: Error) => void): void;
  /** Whether the worker keeps the process alive (Node; no-ops elsewhere). */
  ref(): void;
  unref(): void;
  terminate(): void;
}

/** Starts worker number `id`. */
export type SpawnWorker = (id: number) => WorkerHandle;

/** The worker program next to this file, with this file's extension (.ts from source, .js built). */
export function entryUrl(): URL {
  const ext = import.meta.url.match(/\.[cm]?[jt]s$/)?.[0] ?? ".js";
  return new URL(`./entry${ext}`, import.meta.url);
}
