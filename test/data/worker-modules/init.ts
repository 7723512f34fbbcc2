/** A workerInit module for workers.test.ts: reseeds each worker's default generator with 1000 + id. */
import { manualSeed } from "../../../src/core/random.ts";
import type { WorkerInfo } from "../../../src/data/worker/info.ts";

export function workerInit(info: WorkerInfo): void {
  manualSeed(1000 + info.id);
}
