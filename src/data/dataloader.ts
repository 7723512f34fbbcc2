/**
 * `torch.utils.data.DataLoader`: batches of a data set, in sampler order, loaded in the
 * main thread or in worker threads with prefetching.
 */
import { yieldToEventLoop } from "../core/yield.ts";
import { UnsupportedError, ValueError } from "../core/errors.ts";
import { defaultGenerator, type Generator } from "../core/random.ts";
import { defaultCollate, type CollateFn } from "./collate.ts";
import type { Dataset } from "./dataset.ts";
import { BatchSampler, drawSeed, RandomSampler, SequentialSampler, type Sized } from "./samplers.ts";
import { spawnWebWorker, webWorkersAvailable } from "./worker/browser.ts";
import type { SpawnWorker } from "./worker/handle.ts";
import { WorkerBatches } from "./worker/batches.ts";
import type { InitMessage } from "./worker/messages.ts";
import { nodeWorkersAvailable, spawnNodeWorker } from "./worker/node.ts";
import { WorkerPool } from "./worker/pool.ts";
import type { WorkerSpec } from "./worker/spec.ts";

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** A new random order each pass (RandomSampler over the data set). */
  shuffle?: boolean;
  /** The generator of the shuffle and of the workers' base seed (default: the default generator). */
  generator?: Generator;
  /** Where indices come from; excludes `shuffle`. */
  sampler?: Iterable<number> & Partial<Sized>;
  /** Where batches of indices come from; excludes batchSize, shuffle, sampler and dropLast. */
  batchSampler?: Iterable<number[]> & Partial<Sized>;
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
  /** Makes a batch from samples (default: defaultCollate). With workers it runs in the main thread. */
  collate?: CollateFn<T, B>;
  /** Worker threads loading batches (default 0: load in the main thread). */
  numWorkers?: number;
  /** Batches in flight per worker (default 2). */
  prefetchFactor?: number;
  /** Keep the workers between passes (the loader's `close()` ends them). */
  persistentWorkers?: boolean;
  /** A module whose exported `workerInit(info)` runs in each worker before its first batch. */
  workerInit?: URL | string;
}


/**
 * Iterates over batches of `dataset`:
 *
 * ```ts
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, generator: new Generator(0), numWorkers: 2 });
 * for await (const [x, y] of loader) { ... }
 * ```
 *
 * With a seeded generator, the shuffled order is PyTorch's for the same seed: each pass
 * first draws a base seed from the generator (as `_BaseDataLoaderIter` does), then the
 * sampler's permutation. With `numWorkers > 0`, worker w seeds its default generator with
 * base seed + w (random transforms draw from it), batches are dispatched round-robin with
 * `prefetchFactor` per worker in flight, and come back in sampler order.
 */
export class DataLoader<T = unknown, B = unknown> implements AsyncIterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSampler: Iterable<number[]> & Partial<Sized>;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  readonly generator: Generator | undefined;
  private readonly collate: CollateFn<T, B> | undefined;
  private readonly workerInit: string | null;
  private spec: WorkerSpec | undefined;
  private pool: WorkerPool | null = null;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    this.dataset = dataset;
    this.generator = options.generator;
    this.collate = options.collate;
    this.numWorkers = options.numWorkers ?? 0;
    this.prefetchFactor = options.prefetchFactor ?? 2;
    this.persistentWorkers = options.persistentWorkers ?? false;
    this.workerInit = options.workerInit === undefined ? null : String(options.workerInit);
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0)
      throw new ValueError(`DataLoader: numWorkers option should be a non-negative integer, got ${this.numWorkers}`);
    if (!Number.isInteger(this.prefetchFactor) || this.prefetchFactor < 1)
      throw new ValueError(`DataLoader: prefetchFactor should be a positive integer, got ${this.prefetchFactor}`);
    if (this.persistentWorkers && this.numWorkers === 0) throw new ValueError("DataLoader: persistentWorkers option needs numWorkers > 0");
    if (options.sampler && options.shuffle) throw new ValueError("DataLoader: sampler option is mutually exclusive with shuffle");
    if (options.batchSampler) {
      if (options.batchSize !== undefined || options.shuffle || options.sampler || options.dropLast)
        throw new ValueError("DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast");
      this.batchSampler = options.batchSampler;
    } else {
      const sampler =
        options.sampler ??
        (options.shuffle ? new RandomSampler(dataset, options.generator ? { generator: options.generator } : {}) : new SequentialSampler(dataset));
      this.batchSampler = new BatchSampler(sampler, options.batchSize ?? 1, options.dropLast ?? false);
    }
  }

  /** The number of batches in one pass. */
  get length(): number {
    const n = this.batchSampler.length;
    if (n === undefined) throw new ValueError("DataLoader: the batch sampler has no length");
    return n;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<B> {
    if (this.numWorkers === 0) {
      drawSeed(this.generator ?? defaultGenerator); // PyTorch draws the base seed here too
      return this.mainThreadBatches();
    }
    if (!this.pool || this.pool.closed || this.pool.failed) {
      this.pool = this.startPool(drawSeed(this.generator ?? defaultGenerator));
    }
    return new WorkerBatches(this.pool, this.batchSampler[Symbol.iterator](), {
      prefetchFactor: this.prefetchFactor,
      collate: this.collate,
      release: (pool) => this.releasePool(pool),
    });
  }

  /** Ends persistent workers (others end with each pass). */
  close(): void {
    this.pool?.close();
    this.pool = null;
  }

  /** Ends the workers of a finished pass unless they are persistent. */
  private releasePool(pool: WorkerPool): void {
    if (!this.persistentWorkers) {
      pool.close();
      if (this.pool === pool) this.pool = null;
    }
  }

  private async *mainThreadBatches(): AsyncGenerator<B> {
    const collate = this.collate ?? (defaultCollate as CollateFn<T, B>);
    for (const indices of this.batchSampler) {
      yield collate(indices.map((i) => this.dataset.getItem(i)));
      // A turn of the event loop per batch: finalizers free the last batch's buffers.
      await yieldToEventLoop();
    }
  }

  private startPool(baseSeed: bigint): WorkerPool {
    this.spec ??= this.dataset.toWorkerSpec();
    const spec = this.spec;
    if (spec === undefined)
      throw new UnsupportedError(
        `DataLoader: ${this.dataset.constructor.name} cannot be loaded in worker threads: give it toWorkerSpec(), or set its workerModule to a module exporting createDataset(options) (or use numWorkers: 0)`,
      );
    const spawn: SpawnWorker | undefined = nodeWorkersAvailable() ? spawnNodeWorker : webWorkersAvailable() ? spawnWebWorker : undefined;
    if (!spawn) throw new UnsupportedError("DataLoader: no worker threads here (neither worker_threads nor Web Workers): use numWorkers: 0");
    const init = (workerId: number): InitMessage => ({
      type: "init",
      spec,
      workerId,
      numWorkers: this.numWorkers,
      seed: String(baseSeed + BigInt(workerId)),
      collate: this.collate ? "none" : "default",
      initModule: this.workerInit,
    });
    return new WorkerPool(spawn, this.numWorkers, init);
  }
}
