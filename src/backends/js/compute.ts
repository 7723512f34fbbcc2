/**
 * How js kernels see data. Kernels compute on "compute arrays": the storage array of the
 * dtype, except float16/bfloat16, which are decoded into Float64Array so kernels never see
 * raw bits (results are rounded once, to nearest even, when stored).
 */
import { DTYPES, type DType, type StorageArray } from "../../core/dtype.ts";
import { decodeBfloat16, decodeFloat16, encodeBfloat16, encodeFloat16 } from "../../core/half.ts";
import type { Shape } from "../../core/shape.ts";
import { contiguousStrides } from "../../core/shape.ts";
import { gatherStrided } from "../../core/strided.ts";
import type { Tensor } from "../../core/tensor.ts";
import { castArray } from "./kernels/cast.ts";

export type ComputeArray =
  | Float64Array
  | Float32Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | BigInt64Array;

/** A tensor as a js kernel reads it. `dtype` is the logical dtype (float16 data arrives as Float64Array). */
export interface JsView {
  readonly data: ComputeArray;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
}

const isHalf = (d: DType) => d === "float16" || d === "bfloat16";

/** A zeroed compute array for `n` elements of `dtype`. */
export function allocCompute(dtype: DType, n: number): ComputeArray {
  if (isHalf(dtype)) return new Float64Array(n);
  return new DTYPES[dtype].array(n) as ComputeArray;
}

/** The storage form of a compute array (rounds float16/bfloat16; other dtypes pass through). */
export function toStorageArray(dtype: DType, data: ComputeArray): StorageArray {
  if (dtype === "float16") {
    const out = new Uint16Array(data.length);
    encodeFloat16(data as Float64Array, out);
    return out;
  }
  if (dtype === "bfloat16") {
    const out = new Uint16Array(data.length);
    encodeBfloat16(data as Float64Array, out);
    return out;
  }
  return data as StorageArray;
}

/** Dense contiguous copy of a view's elements in its own storage form. */
function gather(raw: StorageArray, dtype: DType, shape: Shape, strides: readonly number[], offset: number): StorageArray {
  const Ctor = DTYPES[dtype].array;
  return gatherStrided(raw as Float64Array, shape, strides, offset, (n) => new Ctor(n) as Float64Array) as StorageArray;
}

/**
 * The view a kernel reads for tensor `t`, converted to `dtype` when given. Same-dtype
 * non-half views keep their strides (no copy); conversions produce a contiguous array.
 */
export function viewOf(t: Tensor, dtype: DType = t.dtype): JsView {
  const raw = t.rawStorage();
  if (dtype === t.dtype && !isHalf(dtype)) {
    return { data: raw as ComputeArray, shape: t.shape, strides: t.strides, offset: t.offset, dtype };
  }
  const dense = t.isContiguous() ? raw.subarray(t.offset, t.offset + t.size) as StorageArray : gather(raw, t.dtype, t.shape, t.strides, t.offset);
  let data: ComputeArray;
  if (isHalf(t.dtype)) {
    const decoded = new Float64Array(dense.length);
    (t.dtype === "float16" ? decodeFloat16 : decodeBfloat16)(dense as Uint16Array, decoded);
    data = dtype === t.dtype ? decoded : castArray(decoded, "float64", dtype);
  } else {
    data = castArray(dense as ComputeArray, t.dtype, dtype);
  }
  return { data, shape: t.shape, strides: contiguousStrides(t.shape), offset: 0, dtype };
}
