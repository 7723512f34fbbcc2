/** Spawning DataLoader workers as module Web Workers (browsers, Deno). */
import { UnsupportedError } from "../../core/errors.ts";
import { entryUrl, type SpawnWorker } from "./handle.ts";
import type { FromWorker } from "./messages.ts";

interface WebWorker {
  postMessage(message: unknown): void;
  addEventListener(type: "message", h: (ev: { data: FromWorker }) => void): void;
  addEventListener(type: "error", h: (ev: { message?: string; preventDefault?: () => void }) => void): void;
  terminate(): void;
}

type WebWorkerCtor = new (url: URL, options: { type: "module" }) => WebWorker;

function webWorker(): WebWorkerCtor | undefined {
  return (globalThis as { Worker?: WebWorkerCtor }).Worker;
}

/** True where module Web Workers exist. */
export function webWorkersAvailable(): boolean {
  return webWorker() !== undefined;
}

export const spawnWebWorker: SpawnWorker = (id) => {
  const W = webWorker();
  if (!W) throw new UnsupportedError("Web Workers are not available here: use numWorkers: 0");
  const url = entryUrl();
  const worker = new W(url, { type: "module" });
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (h) => worker.addEventListener("message", (ev) => h(ev.data)),
    onError: (h) =>
      worker.addEventListener("error", (ev) => {
        ev.preventDefault?.();
        // A script that failed to load gives an error event with no message.
        const why = ev.message || `its script ${url.href} did not load (a bundled app serves src/data/worker/entry.ts, bundled, as entry.js beside its bundle)`;
        h(new Error(`DataLoader worker ${id} failed: ${why}`));
      }),
    ref: () => {},
    unref: () => {},
    terminate: () => worker.terminate(),
  };
};
