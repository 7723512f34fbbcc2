/**
 * Walking strided memory: the offsets of a view's elements in row-major order.
 * Shared by reading tensors and by the js kernels.
 */
import type { Shape } from "./shape.ts";

/** Anything indexable and constructible by length: every typed array. */
export interface IndexedArray<T> {
  readonly length: number;
  [i: number]: T;
}

/**
 * Calls `visit(offset, i)` for each element of the view, in row-major order of `shape`.
 * `i` counts elements; `offset` indexes the underlying buffer.
 */
export function forEachOffset(shape: Shape, strides: readonly number[], offset: number, visit: (offset: number, i: number) => void): void {
  const ndim = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  if (ndim === 0) {
    visit(offset, 0);
    return;
  }
  const last = ndim - 1;
  const innerSize = shape[last]!;
  const innerStride = strides[last]!;
  const index = new Array<number>(ndim).fill(0);
  let base = offset;
  let i = 0;
  while (i < total) {
    for (let j = 0, o = base; j < innerSize; j++, o += innerStride) visit(o, i++);
    // advance the outer index like an odometer
    let d = last - 1;
    for (; d >= 0; d--) {
      index[d]!++;
      base += strides[d]!;
      if (index[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
    if (d < 0) break;
  }
}

/** Offsets of every element of a view, row-major; handy when several arrays walk together. */
export function offsetsOf(shape: Shape, strides: readonly number[], offset: number): Int32Array | Float64Array {
  let total = 1;
  for (const d of shape) total *= d;
  const out = total < 2 ** 31 ? new Int32Array(total) : new Float64Array(total);
  if (total === 0) return out;
  const ndim = shape.length;
  if (ndim === 0) {
    out[0] = offset;
    return out;
  }
  // An odometer over the outer dims, a tight loop over the last one.
  const last = ndim - 1;
  const inner = shape[last]!;
  const step = strides[last]!;
  const index = new Array<number>(ndim).fill(0);
  let base = offset;
  let i = 0;
  for (;;) {
    for (let j = 0, o = base; j < inner; j++, o += step) out[i++] = o;
    if (i >= total) break;
    let d = last - 1;
    for (; d >= 0; d--) {
      base += strides[d]!;
      if (++index[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

/** Copies a strided view of `src` into a new contiguous array made by `make`. */
export function gatherStrided<A extends IndexedArray<T>, T>(
  src: A,
  shape: Shape,
  strides: readonly number[],
  offset: number,
  make: (length: number) => A,
): A {
  let total = 1;
  for (const d of shape) total *= d;
  const out = make(total);
  forEachOffset(shape, strides, offset, (o, i) => {
    out[i] = src[o]!;
  });
  return out;
}
