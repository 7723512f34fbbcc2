/**
 * Spawning DataLoader workers with Node's worker_threads (reached through
 * `process.getBuiltinModule`, so browser bundles never see it).
 *
 * From TypeScript sources (tests run under tsx) the worker must load .ts files too, but in
 * Node 20 a worker given `--import tsx` starts its first module before the hooks are in
 * place. So the worker starts from a small CommonJS bootstrap that registers tsx's loader
 * through its API when the entry is a .ts file, then imports the entry.
 */
import { UnsupportedError } from "../../core/errors.ts";
import { nodeBuiltin } from "../../core/node-builtin.ts";
import { entryUrl, type SpawnWorker, type WorkerHandle } from "./handle.ts";
import type { FromWorker } from "./messages.ts";

interface NodeWorker {
  postMessage(message: unknown): void;
  on(event: "message", handler: (m: FromWorker) => void): void;
  on(event: "error", handler: (e: Error) => void): void;
  on(event: "exit", handler: (code: number) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown; execArgv?: string[] }) => NodeWorker;
}

const BOOTSTRAP = `
const { workerData } = process.getBuiltinModule("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((e) => { process.nextTick(() => { throw e; }); });
`;

/** tsx's loader API when running from .ts sources and tsx is installed, else null. */
function tsxApi(entry: URL): string | null {
  if (!entry.pathname.endsWith(".ts")) return null;
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return null;
  }
}

/** Loader flags of this process (--import, --loader, --require, --conditions) for runtimes whose workers honour them. */
function loaderArgs(): string[] {
  const argv = (globalThis as { process?: { execArgv?: string[] } }).process?.execArgv ?? [];
  const out: string[] = [];
  const withValue = ["--import", "--loader", "--experimental-loader", "--require", "-r", "--conditions", "-C"];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (withValue.includes(a) && i + 1 < argv.length) out.push(a, argv[++i]!);
    else if (withValue.some((f) => a.startsWith(`${f}=`))) out.push(a);
  }
  return out;
}

function workerThreads(): WorkerThreads | undefined {
  return nodeBuiltin<WorkerThreads>("node:worker_threads");
}

/** True in Node (with worker_threads). */
export function nodeWorkersAvailable(): boolean {
  return workerThreads() !== undefined;
}

export const spawnNodeWorker: SpawnWorker = (id) => {
  const threads = workerThreads();
  if (!threads) throw new UnsupportedError("worker_threads is not available");
  const entry = entryUrl();
  const tsx = tsxApi(entry);
  const worker = new threads.Worker(BOOTSTRAP, {
    eval: true,
    workerData: { entry: entry.href, tsx, id },
    ...(tsx === null ? { execArgv: loaderArgs() } : {}),
  });
  let terminated = false;
  let onError: (e: Error) => void = () => {};
  worker.on("error", (e) => onError(e));
  worker.on("exit", (code) => {
    if (!terminated) onError(new Error(`DataLoader worker ${id} exited unexpectedly with code ${code}`));
  });
  const handle: WorkerHandle = {
    post: (m) => worker.postMessage(m),
    onMessage: (h) => worker.on("message", h),
    onError: (h) => (onError = h),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: () => {
      terminated = true;
      void worker.terminate();
    },
  };
  return handle;
};
