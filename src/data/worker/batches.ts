/** One pass over the batches of a DataLoader, loaded by worker threads, handed back in sampler order. */
import type { CollateFn } from "../collate.ts";
import { decodeValue } from "./messages.ts";
import type { WorkerPool } from "./pool.ts";

export interface WorkerBatchesOptions<T, B> {
  /** Batches in flight per worker. */
  prefetchFactor: number;
  /** Runs in the main thread on the samples a worker sends, when given. */
  collate: CollateFn<T, B> | undefined;
  /** Called once when the pass ends (finished, failed or abandoned). */
  release: (pool: WorkerPool) => void;
}

/** Ends the workers of a pass that was dropped without finishing or return(). */
const abandoned = new FinalizationRegistry<{ release: (pool: WorkerPool) => void; pool: WorkerPool }>(({ release, pool }) => release(pool));

/**
 * Keeps prefetchFactor x workers batches in flight, handed out round-robin as PyTorch's
 * `_MultiProcessingDataLoaderIter` does, and yields them in the order of the batch sampler.
 */
export class WorkerBatches<T, B> implements AsyncIterableIterator<B> {
  private readonly inFlight: number[] = [];
  private nextWorker = 0;
  private exhausted = false;
  private done = false;

  constructor(
    private readonly pool: WorkerPool,
    private readonly indices: Iterator<number[]>,
    private readonly options: WorkerBatchesOptions<T, B>,
  ) {
    abandoned.register(this, { release: options.release, pool }, this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<B>> {
    if (this.done) return { done: true, value: undefined };
    try {
      this.dispatch();
      const taskId = this.inFlight.shift();
      if (taskId === undefined) return this.finish();
      const raw = await this.pool.result(taskId);
      this.dispatch();
      const value = decodeValue(raw);
      return { done: false, value: this.options.collate ? this.options.collate(value as T[]) : (value as B) };
    } catch (e) {
      this.finish();
      throw e;
    }
  }

  async return(): Promise<IteratorResult<B>> {
    return this.finish();
  }

  private dispatch(): void {
    const limit = this.options.prefetchFactor * this.pool.size;
    while (!this.exhausted && this.inFlight.length < limit) {
      const next = this.indices.next();
      if (next.done) {
        this.exhausted = true;
        break;
      }
      this.inFlight.push(this.pool.submit(this.nextWorker, next.value));
      this.nextWorker = (this.nextWorker + 1) % this.pool.size;
    }
  }

  private finish(): IteratorResult<B> {
    if (!this.done) {
      this.done = true;
      abandoned.unregister(this);
      this.pool.discard(this.inFlight.splice(0));
      this.options.release(this.pool);
    }
    return { done: true, value: undefined };
  }
}
