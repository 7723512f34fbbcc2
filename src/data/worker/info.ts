/** `torch.utils.data.get_worker_info` for concord's DataLoader workers. */
import type { Dataset } from "../dataset.ts";

export interface WorkerInfo {
  /** 0 .. numWorkers - 1. */
  readonly id: number;
  readonly numWorkers: number;
  /** base_seed + id: the seed of this worker's default generator. */
  readonly seed: bigint;
  /** This worker's copy of the data set. */
  readonly dataset: Dataset;
}

let current: WorkerInfo | null = null;

/** Inside a DataLoader worker thread: which worker this is; in the main thread: null. */
export function getWorkerInfo(): WorkerInfo | null {
  return current;
}

/** @internal set once by the worker runtime. */
export function setWorkerInfo(info: WorkerInfo): void {
  current = info;
}
