/**
 * Map-style data sets (`torch.utils.data.Dataset`): a length and an item per index.
 * `TensorDataset`, `Subset` and `ConcatDataset` are the built-in ones; each can describe
 * itself to a worker thread (see Note: worker specs in worker/spec.ts).
 */
import { ShapeError, ValueError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import { select } from "../ops/views.ts";
import type { WorkerSpec } from "./worker/spec.ts";
import { tensorToShared } from "./worker/shared-tensor.ts";

/**
 * A data set: `length` items, read one at a time by `getItem(i)` for 0 <= i < length.
 *
 * Subclass it for your own data. To load it in DataLoader worker threads, either give it a
 * `toWorkerSpec()` (built-in data sets do), or set `workerModule` to a module that exports
 * `createDataset(options)` and `workerOptions` to the (structured-cloneable) options.
 *
 * @example
 * class Squares extends Dataset<number> {
 *   get length() { return 10; }
 *   getItem(i: number) { return i * i; }
 * }
 */
export abstract class Dataset<T = unknown> {
  abstract get length(): number;
  abstract getItem(index: number): T;

  /** A module (URL or path) the worker threads import; it exports `createDataset(options)`. */
  workerModule?: URL | string;
  /** The options passed to the worker module's `createDataset`. */
  workerOptions?: unknown;

  /** How a worker thread rebuilds this data set, or undefined if it cannot. */
  toWorkerSpec(): WorkerSpec | undefined {
    if (this.workerModule === undefined) return undefined;
    return { kind: "module", url: String(this.workerModule), options: this.workerOptions };
  }
}

/** Checks that `index` is an integer in [0, length), allowing negatives like Python. */
export function checkIndex(index: number, length: number, what: string): number {
  if (!Number.isInteger(index)) throw new ValueError(`${what}: index must be an integer, got ${index}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new ValueError(`${what}: index ${index} is out of range for length ${length}`);
  return i;
}

/**
 * Rows of tensors that share their first dim (`torch.utils.data.TensorDataset`): item i is
 * the list of every tensor's row i (views, not copies).
 *
 * @example
 * const ds = new TensorDataset(x, y); // x: [N, 3], y: [N]
 * const [xi, yi] = ds.getItem(0);
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new ValueError("TensorDataset needs at least one tensor");
    const n = tensors[0]!.shape[0];
    if (n === undefined) throw new ShapeError("TensorDataset: tensors must have at least one dim");
    tensors.forEach((t, i) => {
      if (t.shape[0] !== n)
        throw new ShapeError(`Size mismatch between tensors: tensor 0 has ${n} rows, tensor ${i} has ${t.shape[0] ?? "no dims"}`);
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  getItem(index: number): Tensor[] {
    const i = checkIndex(index, this.length, "TensorDataset");
    return this.tensors.map((t) => select(t, 0, i));
  }

  /** The tensors copied once into SharedArrayBuffers, which every worker reads in place. */
  override toWorkerSpec(): WorkerSpec {
    return { kind: "tensors", tensors: this.tensors.map(tensorToShared) };
  }
}

/** The items of `dataset` at `indices`, in that order (`torch.utils.data.Subset`). */
export class Subset<T> extends Dataset<T> {
  constructor(
    readonly dataset: Dataset<T>,
    readonly indices: readonly number[],
  ) {
    super();
    const n = dataset.length;
    for (const i of indices) checkIndex(i, n, "Subset");
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    return this.dataset.getItem(this.indices[checkIndex(index, this.length, "Subset")]!);
  }

  override toWorkerSpec(): WorkerSpec | undefined {
    const inner = this.dataset.toWorkerSpec();
    return inner && { kind: "subset", dataset: inner, indices: [...this.indices] };
  }
}

/** Several data sets one after the other (`torch.utils.data.ConcatDataset`). */
export class ConcatDataset<T> extends Dataset<T> {
  /** cumulativeSizes[k] is the number of items in datasets 0..k. */
  readonly cumulativeSizes: readonly number[];

  constructor(readonly datasets: readonly Dataset<T>[]) {
    super();
    if (datasets.length === 0) throw new ValueError("ConcatDataset: datasets should not be an empty list");
    let total = 0;
    this.cumulativeSizes = datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  getItem(index: number): T {
    const i = checkIndex(index, this.length, "ConcatDataset");
    // bisect_right over the cumulative sizes, as PyTorch does
    let lo = 0;
    let hi = this.cumulativeSizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid]! <= i) lo = mid + 1;
      else hi = mid;
    }
    const start = lo === 0 ? 0 : this.cumulativeSizes[lo - 1]!;
    return this.datasets[lo]!.getItem(i - start);
  }

  override toWorkerSpec(): WorkerSpec | undefined {
    const inner = this.datasets.map((d) => d.toWorkerSpec());
    if (inner.some((s) => s === undefined)) return undefined;
    return { kind: "concat", datasets: inner as WorkerSpec[] };
  }
}
