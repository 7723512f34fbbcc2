/**
 * The program of a DataLoader worker thread (a Node worker_threads Worker or a Web
 * Worker). It rebuilds the data set from its spec, seeds the default generator with
 * base_seed + worker id, then answers tasks in the order they come: read the samples,
 * collate them, and post the batch back with its buffers transferred.
 */
import "../../ops/methods.ts";
import "../../autograd/methods.ts";
import { setBackend } from "../../backends/index.ts";
import { manualSeed } from "../../core/random.ts";
import { nodeBuiltin } from "../../core/node-builtin.ts";
import { defaultCollate } from "../collate.ts";
import type { Dataset } from "../dataset.ts";
import { buildDataset } from "./build.ts";
import { setWorkerInfo } from "./info.ts";
import { encodeValue, type FromWorker, type InitMessage, type ToWorker } from "./messages.ts";

interface Port {
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (message: ToWorker) => void): void;
}

function parentPort(): Port {
  const g = globalThis as unknown as {
    postMessage?: (m: unknown, t?: unknown[]) => void;
    addEventListener?: (type: string, h: (ev: { data: ToWorker }) => void) => void;
  };
  const threads = nodeBuiltin<{
    parentPort: { postMessage(m: unknown, t?: unknown[]): void; on(e: "message", h: (m: ToWorker) => void): void } | null;
  }>("node:worker_threads");
  const port = threads?.parentPort;
  if (port) return { postMessage: (m, t) => port.postMessage(m, t ?? []), onMessage: (h) => port.on("message", h) };
  return {
    postMessage: (m, t) => g.postMessage!(m, t ?? []),
    onMessage: (h) => g.addEventListener!("message", (ev) => h(ev.data)),
  };
}

function errorMessage(taskId: number | null, e: unknown): FromWorker {
  const err = e instanceof Error ? e : new Error(String(e));
  return { type: "error", taskId, name: err.name, message: err.message, stack: err.stack ?? "" };
}

// Worker tensors stay on the js backend: plain typed arrays whose buffers can be transferred.
setBackend("js");
const port = parentPort();
let dataset: Promise<Dataset> | null = null;
let collate: "default" | "none" = "default";
// Tasks run one after another, in the order they arrived.
let queue: Promise<void> = Promise.resolve();

async function init(message: InitMessage): Promise<Dataset> {
  const seed = BigInt(message.seed);
  manualSeed(seed);
  collate = message.collate;
  const ds = await buildDataset(message.spec);
  const info = { id: message.workerId, numWorkers: message.numWorkers, seed, dataset: ds };
  setWorkerInfo(info);
  if (message.initModule !== null) {
    const mod = (await import(message.initModule)) as { workerInit?: (i: typeof info) => unknown };
    if (typeof mod.workerInit !== "function") throw new Error(`workerInit module ${message.initModule} does not export workerInit(info)`);
    await mod.workerInit(info);
  }
  return ds;
}

port.onMessage((message) => {
  if (message.type === "init") {
    dataset = init(message);
    dataset.catch((e: unknown) => port.postMessage(errorMessage(null, e)));
    return;
  }
  const { taskId, indices } = message;
  queue = queue.then(async () => {
    try {
      if (dataset === null) throw new Error("DataLoader worker got a task before its init message");
      const ds = await dataset;
      const samples = indices.map((i) => ds.getItem(i));
      const batch = collate === "default" ? defaultCollate(samples) : samples;
      const transfer: ArrayBuffer[] = [];
      const value = encodeValue(batch, transfer);
      port.postMessage({ type: "result", taskId, value }, transfer);
    } catch (e) {
      port.postMessage(errorMessage(taskId, e));
    }
  });
});
