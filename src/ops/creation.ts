/**
 * Making tensors: from data, filled, ranges, identity, random. Creation is not an op
 * (nothing to differentiate); each function allocates on the current backend.
 */
import { DEFAULT_FLOAT, DTYPES, isDType, isFloating, type DType, type StorageArray } from "../core/dtype.ts";
import { DTypeError, ValueError } from "../core/errors.ts";
import { encodeBfloat16, encodeFloat16, fromBfloat16Bits, fromFloat16Bits, toBfloat16Bits, toFloat16Bits } from "../core/half.ts";

const roundToFloat16 = (x: number) => fromFloat16Bits(toFloat16Bits(x));
const roundToBfloat16 = (x: number) => fromBfloat16Bits(toBfloat16Bits(x));
import { defaultGenerator, fillNormal, fillRandint, fillUniform, randperm as randpermValues, type Generator, type RandintArray } from "../core/random.ts";
import { checkShape, numel, type Shape } from "../core/shape.ts";
import { Tensor, type NestedArray, type Scalar } from "../core/tensor.ts";
import { getBackend } from "../backends/index.ts";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}
export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

type AnyTypedArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array | Uint16Array;

function finish(t: Tensor, options: CreateOptions | undefined): Tensor {
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A new tensor over `values` (already in the storage form of `dtype`). */
export function fromStorageArray(values: StorageArray, shape: Shape, dtype: DType): Tensor {
  if (values.length !== numel(shape))
    throw new ValueError(`${values.length} values cannot fill shape [${shape.join(", ")}]`);
  return new Tensor(getBackend().adopt(dtype, values), shape);
}

/** Fills the storage array of `dtype` from JS numbers (rounding float16/bfloat16 to nearest even). */
function storageFromNumbers(values: ArrayLike<number>, dtype: DType): StorageArray {
  const n = values.length;
  if (dtype === "float16" || dtype === "bfloat16") {
    const out = new Uint16Array(n);
    (dtype === "float16" ? encodeFloat16 : encodeBfloat16)(values, out);
    return out;
  }
  if (dtype === "int64") return BigInt64Array.from(values as ArrayLike<number>, (v) => BigInt(Math.trunc(v)));
  if (dtype === "bool") return Uint8Array.from(values as ArrayLike<number>, (v) => (v !== 0 ? 1 : 0));
  const out = new DTYPES[dtype].array(n) as Float64Array;
  if (DTYPES[dtype].kind === "int") for (let i = 0; i < n; i++) out[i] = Math.trunc(values[i]!);
  else out.set(values);
  return out as StorageArray;
}

function inferDType(flat: readonly Scalar[]): DType {
  if (flat.some((v) => typeof v === "boolean") && flat.every((v) => typeof v === "boolean")) return "bool";
  if (flat.every((v) => typeof v === "bigint" || typeof v === "boolean" || Number.isInteger(v))) return flat.length === 0 ? DEFAULT_FLOAT : "int64";
  return DEFAULT_FLOAT;
}

function flatten(data: NestedArray, shape: number[], flat: Scalar[], depth: number): void {
  if (Array.isArray(data)) {
    if (shape.length <= depth) shape.push(data.length);
    else if (shape[depth] !== data.length)
      throw new ValueError(`expected a sequence of length ${shape[depth]} at dim ${depth} (got ${data.length})`);
    for (const item of data) flatten(item, shape, flat, depth + 1);
    if (data.length === 0 && shape.length > depth + 1) throw new ValueError("ragged nested array");
  } else {
    if (shape.length !== depth) throw new ValueError(`ragged nested array: a scalar at depth ${depth}, sequences elsewhere`);
    flat.push(data);
  }
}

function storageFromScalars(flat: readonly Scalar[], dtype: DType): StorageArray {
  if (dtype === "int64")
    return BigInt64Array.from(flat, (v) => (typeof v === "bigint" ? v : BigInt(typeof v === "boolean" ? Number(v) : Math.trunc(v))));
  return storageFromNumbers(
    flat.map((v) => (typeof v === "bigint" ? Number(v) : Number(v))),
    dtype,
  );
}

const ARRAY_DTYPES: [new (...args: never[]) => AnyTypedArray, DType][] = [
  [Float32Array, "float32"],
  [Float64Array, "float64"],
  [Int8Array, "int8"],
  [Uint8Array, "uint8"],
  [Int16Array, "int16"],
  [Int32Array, "int32"],
  [BigInt64Array, "int64"],
];

/**
 * A tensor from nested arrays, a scalar or a typed array.
 *
 * Like `torch.tensor`, the dtype is inferred when not given: booleans give bool, integers
 * (JS numbers with no fraction, or bigints) give int64, anything else float32 — so
 * `tensor([1, 2])` is int64 and `tensor([1.5, 2])` float32. A typed array whose type
 * matches the dtype is used without copying (`shape` defaults to its length); a
 * Uint16Array is taken as raw float16 or bfloat16 bits when that dtype is given.
 *
 * ```ts
 * const x = tensor([[1, 2], [3, 4]], { dtype: "float32" });
 * const y = tensor(new Float32Array([1, 2, 3, 4]), { shape: [2, 2] }); // shares the array
 * ```
 */
export function tensor(data: NestedArray | AnyTypedArray, options: CreateOptions & { shape?: Shape } = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const array = data as AnyTypedArray;
    const shape = options.shape ? checkShape(options.shape) : [array.length];
    let natural = ARRAY_DTYPES.find(([C]) => array instanceof C)?.[1];
    if (array instanceof Uint16Array) {
      if (options.dtype !== "float16" && options.dtype !== "bfloat16")
        throw new DTypeError("a Uint16Array holds float16 or bfloat16 bits: pass dtype 'float16' or 'bfloat16'");
      natural = options.dtype;
    }
    if (natural === undefined) throw new DTypeError(`unsupported array type ${array.constructor.name}`);
    const dtype = options.dtype ?? natural;
    const values =
      dtype === natural || (dtype === "bool" && natural === "uint8")
        ? (array as StorageArray)
        : natural === "int64"
          ? storageFromScalars(Array.from(array as BigInt64Array), dtype)
          : storageFromNumbers(array as ArrayLike<number>, dtype);
    if (dtype === "bool" && values === array) {
      for (const v of array as Uint8Array) if (v > 1) throw new ValueError("a bool tensor over a Uint8Array needs values 0 and 1");
    }
    return finish(fromStorageArray(values, shape, dtype), options);
  }
  const flat: Scalar[] = [];
  const shape: number[] = [];
  flatten(data, shape, flat, 0);
  for (const v of flat)
    if (typeof v !== "number" && typeof v !== "bigint" && typeof v !== "boolean")
      throw new ValueError(`tensor() takes numbers, bigints and booleans, got ${typeof v}`);
  const dtype = options.dtype ?? inferDType(flat);
  if (!isDType(dtype)) throw new DTypeError(`unknown dtype ${String(dtype)}`);
  return finish(fromStorageArray(storageFromScalars(flat, dtype), shape, dtype), options);
}

/** A 0-d tensor holding a JS scalar as an operand of an op; ranks below tensors in promotion. */
export function wrapScalar(value: Scalar): Tensor {
  let dtype: DType;
  let values: StorageArray;
  if (typeof value === "boolean") [dtype, values] = ["bool", Uint8Array.of(value ? 1 : 0)];
  else if (typeof value === "bigint") [dtype, values] = ["int64", BigInt64Array.of(value)];
  else if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) [dtype, values] = ["int64", BigInt64Array.of(BigInt(value))];
  else [dtype, values] = ["float64", Float64Array.of(value)];
  return new Tensor(getBackend().adopt(dtype, values), [], { wrappedNumber: true });
}

function sizeArg(shape: Shape | number): number[] {
  return checkShape(typeof shape === "number" ? [shape] : shape);
}

/** A tensor of `shape` filled with `value` (dtype inferred from the value as `torch.full`). */
export function full(shape: Shape | number, value: Scalar, options: CreateOptions = {}): Tensor {
  const size = sizeArg(shape);
  const dtype = options.dtype ?? (typeof value === "boolean" ? "bool" : typeof value === "bigint" ? "int64" : Number.isInteger(value) ? "int64" : DEFAULT_FLOAT);
  const storage = getBackend().alloc(dtype, numel(size));
  const t = new Tensor(storage, size);
  const one = storageFromScalars([value], dtype);
  (t.rawStorage() as Float64Array).fill((one as Float64Array)[0]!);
  return finish(t, options);
}

export function zeros(shape: Shape | number, options: CreateOptions = {}): Tensor {
  const size = sizeArg(shape);
  return finish(new Tensor(getBackend().alloc(options.dtype ?? DEFAULT_FLOAT, numel(size)), size), options);
}

export function ones(shape: Shape | number, options: CreateOptions = {}): Tensor {
  return full(shape, 1, { dtype: DEFAULT_FLOAT, ...options });
}

/** `torch.empty`; concord's buffers always start zeroed. */
export function empty(shape: Shape | number, options: CreateOptions = {}): Tensor {
  return zeros(shape, options);
}

const like = (t: Tensor, options: CreateOptions): CreateOptions => ({ dtype: t.dtype, ...options });
export const zerosLike = (t: Tensor, options: CreateOptions = {}): Tensor => zeros(t.shape, like(t, options));
export const onesLike = (t: Tensor, options: CreateOptions = {}): Tensor => ones(t.shape, like(t, options));
export const emptyLike = (t: Tensor, options: CreateOptions = {}): Tensor => empty(t.shape, like(t, options));
export const fullLike = (t: Tensor, value: Scalar, options: CreateOptions = {}): Tensor => full(t.shape, value, like(t, options));
export const randLike = (t: Tensor, options: RandomOptions = {}): Tensor => rand(t.shape, like(t, options));
export const randnLike = (t: Tensor, options: RandomOptions = {}): Tensor => randn(t.shape, like(t, options));

/**
 * `torch.arange(start, end, step)`: values start + i·step for i in [0, ceil((end-start)/step)).
 * int64 when every argument is an integer, else float32. `arange(5)` counts 0..4.
 */
export function arange(start: number, end?: number, step = 1, options: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new ValueError("arange: step must be nonzero");
  if (![start, end, step].every(Number.isFinite)) throw new ValueError("arange: start, end and step must be finite");
  if ((end - start) * step < 0) throw new ValueError(`arange: upper bound and larger bound inconsistent with step sign`);
  const dtype = options.dtype ?? ([start, end, step].every(Number.isInteger) ? "int64" : DEFAULT_FLOAT);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return finish(fromStorageArray(storageFromNumbers(values, dtype), [n], dtype), options);
}

/**
 * `torch.linspace`: `steps` evenly spaced values from start to end inclusive, computed
 * as PyTorch does (the first half forward from start, the second half back from end,
 * in the dtype's own arithmetic).
 */
export function linspace(start: number, end: number, steps: number, options: CreateOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = options.dtype ?? DEFAULT_FLOAT;
  // PyTorch computes linspace in float32 arithmetic for float32 and the 16-bit floats
  // (rounding once when storing), in float64 otherwise.
  const r = dtype === "float32" || dtype === "float16" || dtype === "bfloat16" ? Math.fround : (x: number) => x;
  const values = new Float64Array(steps);
  if (steps === 1) values[0] = start;
  else if (steps > 1) {
    const s = r(start);
    const e = r(end);
    const step = r((e - s) / (steps - 1));
    const half = Math.floor(steps / 2);
    // Observed in PyTorch 1.13: the forward half rounds step·i to the dtype, the backward half does not.
    const h = dtype === "float16" ? roundToFloat16 : dtype === "bfloat16" ? roundToBfloat16 : r;
    for (let i = 0; i < steps; i++) values[i] = i < half ? r(s + h(step * i)) : r(e - r(step * (steps - i - 1)));
  }
  return finish(fromStorageArray(storageFromNumbers(values, dtype), [steps], dtype), options);
}

/** The n x m identity (m defaults to n). */
export function eye(n: number, m: number = n, options: CreateOptions = {}): Tensor {
  const t = zeros([n, m], options);
  const one = storageFromScalars([1], t.dtype);
  const raw = t.rawStorage() as Float64Array;
  for (let i = 0; i < Math.min(n, m); i++) raw[i * m + i] = (one as Float64Array)[0]!;
  return t;
}

function floatDType(options: CreateOptions, what: string): DType {
  const dtype = options.dtype ?? DEFAULT_FLOAT;
  if (!isFloating(dtype)) throw new DTypeError(`${what} needs a floating dtype, got ${dtype}`);
  return dtype;
}

/** A float tensor filled by `fill` (fillUniform or fillNormal) with parameters 0 and 1. */
function floatSamples(what: string, fill: typeof fillUniform, shape: Shape | number, options: RandomOptions): Tensor {
  const dtype = floatDType(options, what);
  const size = sizeArg(shape);
  const values = dtype === "float64" ? new Float64Array(numel(size)) : new Float32Array(numel(size));
  fill(options.generator ?? defaultGenerator, values, 0, 1, dtype as "float32");
  return finish(fromStorageArray(storageFromNumbers(values, dtype), size, dtype), options);
}

/** Uniform samples in [0, 1), drawn as PyTorch's CPU generator draws them. */
export function rand(shape: Shape | number, options: RandomOptions = {}): Tensor {
  return floatSamples("rand", fillUniform, shape, options);
}

/** Standard normal samples, drawn as PyTorch's CPU generator draws them. */
export function randn(shape: Shape | number, options: RandomOptions = {}): Tensor {
  return floatSamples("randn", fillNormal, shape, options);
}

/** Integers uniform in [low, high); int64 unless a dtype is given. */
export function randint(low: number | bigint, high: number | bigint, shape: Shape | number, options: RandomOptions = {}): Tensor {
  const dtype = options.dtype ?? "int64";
  const lo = BigInt(low);
  const hi = BigInt(high);
  if (hi <= lo) throw new ValueError(`randint: expected low < high, got low=${lo}, high=${hi}`);
  const size = sizeArg(shape);
  const n = numel(size);
  // Filled straight into the dtype's storage: PyTorch adjusts the bounds for float dtypes.
  const values = new DTYPES[dtype].array(n) as StorageArray;
  fillRandint(options.generator ?? defaultGenerator, values as RandintArray, lo, hi, dtype);
  return finish(fromStorageArray(values, size, dtype), options);
}

/** A random permutation of 0..n-1 (int64), as PyTorch's CPU randperm draws it. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`randperm: n must be a non-negative integer, got ${n}`);
  const values = randpermValues(options.generator ?? defaultGenerator, n);
  const dtype = options.dtype ?? "int64";
  const storage = dtype === "int64" ? values : storageFromScalars(Array.from(values), dtype);
  return finish(fromStorageArray(storage, [n], dtype), options);
}
