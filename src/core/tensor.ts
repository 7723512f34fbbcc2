/**
 * Tensor: a strided view of a backend buffer, with the autograd state PyTorch keeps on it.
 * Operations are attached as methods by `src/ops/methods.ts` (the ops layer sits above core).
 */
import { DTYPES, isFloating, type DType, type StorageArray } from "./dtype.ts";
import { AutogradError, ValueError } from "./errors.ts";
import { contiguousStrides, isContiguous, numel, normalizeDim, type Shape } from "./shape.ts";
import { dropReference, trackReference, type Storage } from "./storage.ts";
import { gatherStrided } from "./strided.ts";
import { fromBfloat16Bits, fromFloat16Bits } from "./half.ts";
import { formatTensor } from "./format.ts";

/** A scalar as JS holds it: int64 reads as bigint, bool as boolean, everything else as number. */
export type Scalar = number | bigint | boolean;
/** Nested arrays of scalars, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = Scalar | NestedArray[];

/** The array `dataSync()` returns: float16/bfloat16 come back decoded to float32. */
export type DataArray = Exclude<StorageArray, Uint16Array> | Float32Array;

/** The autograd node that produced a tensor (defined by the autograd layer). */
export interface GradNode {
  readonly name: string;
}

export class Tensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** The buffer; shared with every view of it. */
  readonly storage: Storage;
  /** For a view: the tensor whose storage it views (PyTorch's `._base`). */
  readonly base: Tensor | null;

  /** The accumulated gradient of a leaf (or of a non-leaf after `retainGrad()`). */
  grad: Tensor | null = null;
  /** The node that made this tensor; null for leaves. Changed by in-place ops. */
  gradFn: GradNode | null = null;
  /** Which output of `gradFn` this tensor is. */
  outputIndex = 0;
  /** True for a 0-d tensor made from a JS number, which ranks below tensors in type promotion. */
  readonly wrappedNumber: boolean;
  /** @internal autograd's per-leaf state (the node that accumulates into `.grad`). */
  accumulator: unknown = null;
  /** @internal set by `retainGrad()`. */
  retainsGrad = false;
  private _requiresGrad = false;
  private disposed = false;

  constructor(
    storage: Storage,
    shape: Shape,
    options: { strides?: readonly number[]; offset?: number; base?: Tensor | null; wrappedNumber?: boolean } = {},
  ) {
    this.storage = storage;
    this.dtype = storage.dtype;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(options.strides ? [...options.strides] : contiguousStrides(shape));
    this.offset = options.offset ?? 0;
    this.base = options.base ?? null;
    this.wrappedNumber = options.wrappedNumber ?? false;
    trackReference(this, storage);
  }

  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements. */
  get size(): number {
    return numel(this.shape);
  }
  numel(): number {
    return numel(this.shape);
  }
  dim(): number {
    return this.shape.length;
  }
  /** The size of one dim (negative counts from the end). */
  sizeOf(dim: number): number {
    return this.shape[normalizeDim(dim, this.ndim)]!;
  }
  stride(dim: number): number {
    return this.strides[normalizeDim(dim, this.ndim)]!;
  }
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }
  get device(): string {
    return this.storage.owner.name;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(value: boolean) {
    if (this.gradFn !== null && !value)
      throw new AutogradError(
        "you can only change requiresGrad flags of leaf tensors; use detach() to get a tensor that does not require grad",
      );
    if (value && !isFloating(this.dtype))
      throw new AutogradError(`only tensors of floating point dtype can require gradients, got ${this.dtype}`);
    this._requiresGrad = value;
  }
  /** @internal set by autograd when an op output joins the graph. */
  markRequiresGrad(): void {
    this._requiresGrad = true;
  }

  /** A leaf: made by the user rather than by an op recorded in the graph. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Releases this tensor's hold on its buffer now; reading it afterwards is an error. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    dropReference(this, this.storage);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal the storage array, checked for use after dispose. */
  rawStorage(): StorageArray {
    if (this.disposed || this.storage.isFreed) throw new ValueError("tensor used after dispose()");
    return this.storage.owner.readSync(this.storage.handle);
  }

  /**
   * The elements in row-major order as a typed array. A contiguous tensor on the js
   * backend returns a view of its buffer (no copy), as `.numpy()` does; the wasm backend
   * returns a copy (its heap grows and reuses blocks). float16 and bfloat16 come back
   * decoded into a new Float32Array.
   */
  dataSync(): DataArray {
    const raw = this.rawStorage();
    const n = this.size;
    let values: StorageArray;
    if (this.isContiguous())
      values = (this.storage.owner.stableViews ? raw.subarray(this.offset, this.offset + n) : raw.slice(this.offset, this.offset + n)) as StorageArray;
    else {
      const Ctor = DTYPES[this.dtype].array;
      values = gatherStrided(raw as Float64Array, this.shape, this.strides, this.offset, (len) => new Ctor(len) as Float64Array);
    }
    if (this.dtype === "float16" || this.dtype === "bfloat16") {
      const decode = this.dtype === "float16" ? fromFloat16Bits : fromBfloat16Bits;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = decode((values as Uint16Array)[i]!);
      return out;
    }
    return values as DataArray;
  }

  /** The elements, on any backend. */
  async data(): Promise<DataArray> {
    return this.dataSync();
  }

  /** The elements as JS scalars in row-major order (bigint for int64, boolean for bool). */
  values(): Scalar[] {
    const data = this.dataSync();
    if (this.dtype === "bool") return Array.from(data as Uint8Array, (v) => v !== 0);
    return Array.from(data as ArrayLike<number | bigint>);
  }

  /** The value of a one-element tensor. */
  item(): Scalar {
    if (this.size !== 1)
      throw new ValueError(`a tensor with ${this.size} elements cannot be converted to a scalar`);
    return this.values()[0]!;
  }

  /** Nested arrays shaped like the tensor (a scalar for a 0-d tensor). */
  toArray(): NestedArray {
    const flat = this.values();
    if (this.ndim === 0) return flat[0]!;
    const build = (dim: number, start: number): NestedArray[] => {
      const n = this.shape[dim]!;
      if (dim === this.ndim - 1) return flat.slice(start, start + n);
      const inner = numel(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, start + i * inner));
    };
    return build(0, 0);
  }

  /** PyTorch's repr: `tensor([[1., 2.], [3., 4.]], dtype=torch.float64)`. */
  toString(): string {
    if (this.disposed) return "tensor(<disposed>)";
    return formatTensor({
      shape: this.shape,
      dtype: this.dtype,
      values: this.values(),
      requiresGrad: this.requiresGrad && this.isLeaf,
      ...(this.gradFn ? { gradFn: this.gradFn.name } : {}),
    });
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
