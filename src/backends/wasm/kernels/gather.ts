/**
 * gather and scatterReduce with reduce "sum" (scatterAdd, gather's gradient) of float32
 * tensors in the heap, along any dim: the classification losses pick one logit per row with
 * them. The work is one visit per index element, so a loop here over heap views writes the
 * result in place (the js kernels would build it in a JS array to be copied into the heap).
 * Indices (int64, or int32) may live on any backend; the glue checks them all first and leaves
 * an out-of-range one to the js kernel, which raises the error. Results are the js
 * kernels' bit for bit: same visiting order, float32 sums.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { DimAttrs, ScatterReduceAttrs } from "../../../ops/defs/indexing.ts";
import { heapView, wasmBackend, type WasmHandle, type WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { allocOutput } from "./elementwise.ts";

const inHeapF32 = (t: Tensor) => t.dtype === "float32" && t.storage.owner === wasmBackend && t.ndim > 0;

/**
 * For each element of `index` in row-major order: its number i, and the element offset in a
 * tensor of strides `strides` (from `offset`) it addresses along `dim`. False (nothing
 * visited) when an index is outside [0, size) or not an integer tensor.
 */
function addressed(index: Tensor, dim: number, size: number, strides: readonly number[], offset: number, visit: (i: number, target: number, coord: readonly number[]) => void): boolean {
  if (index.dtype !== "int64" && index.dtype !== "int32") return false;
  const data = index.rawStorage() as ArrayLike<number | bigint>;
  const n = index.size;
  const ndim = index.ndim;
  const values = new Int32Array(n);
  const coord = new Array<number>(ndim).fill(0);
  for (let i = 0, o = index.offset; i < n; i++) {
    const v = Number(data[o]!);
    if (!(v >= 0 && v < size)) return false;
    values[i] = v;
    for (let d = ndim - 1; d >= 0; d--) {
      o += index.strides[d]!;
      if (++coord[d]! < index.shape[d]!) break;
      o -= index.strides[d]! * index.shape[d]!;
      coord[d] = 0;
    }
  }
  coord.fill(0);
  for (let i = 0; i < n; i++) {
    let target = offset;
    for (let d = 0; d < ndim; d++) target += (d === dim ? values[i]! : coord[d]!) * strides[d]!;
    visit(i, target, coord);
    for (let d = ndim - 1; d >= 0; d--) {
      if (++coord[d]! < index.shape[d]!) break;
      coord[d] = 0;
    }
  }
  return true;
}

const gather: WasmKernel = (inputs, attrs) => {
  const [x, index] = inputs as [Tensor, Tensor];
  const { dim } = attrs as DimAttrs;
  if (!inHeapF32(x) || index.ndim !== x.ndim) return null;
  const out = allocOutput("float32", index.size);
  // Views after allocating: growing the heap replaces its buffer.
  const from = heapView(x.storage.handle as WasmHandle) as Float32Array;
  const to = heapView(out.storage.handle as WasmHandle) as Float32Array;
  const ok = addressed(index, dim, x.shape[dim]!, x.strides, x.offset, (i, target) => {
    to[i] = from[target]!;
  });
  if (ok) return [out.storage];
  wasmRuntime().heap.free(out.ptr);
  return null;
};

const scatterReduce: WasmKernel = (inputs, attrs) => {
  const [x, index, src] = inputs as [Tensor, Tensor, Tensor];
  const { dim, reduce, includeSelf } = attrs as ScatterReduceAttrs;
  if (reduce !== "sum" || !inHeapF32(x) || !inHeapF32(src) || index.ndim !== x.ndim || src.ndim !== x.ndim) return null;
  const out = allocOutput("float32", x.size);
  const result = heapView(out.storage.handle as WasmHandle) as Float32Array;
  const from = heapView(x.storage.handle as WasmHandle) as Float32Array;
  const source = heapView(src.storage.handle as WasmHandle) as Float32Array;
  // x, densely: the result starts as it.
  const strides = new Array<number>(x.ndim);
  for (let d = x.ndim - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= x.shape[d]!;
  }
  let i = 0;
  const coord = new Array<number>(x.ndim).fill(0);
  for (let o = x.offset; i < x.size; i++) {
    result[i] = from[o]!;
    for (let d = x.ndim - 1; d >= 0; d--) {
      o += x.strides[d]!;
      if (++coord[d]! < x.shape[d]!) break;
      o -= x.strides[d]! * x.shape[d]!;
      coord[d] = 0;
    }
  }
  const srcAt = (c: readonly number[]) => {
    let o = src.offset;
    for (let d = 0; d < c.length; d++) o += c[d]! * src.strides[d]!;
    return source[o]!;
  };
  const touched = includeSelf ? null : new Uint8Array(x.size);
  const ok = addressed(index, dim, x.shape[dim]!, strides, 0, (_, target, c) => {
    const v = srcAt(c);
    if (touched && !touched[target]) {
      result[target] = v;
      touched[target] = 1;
    } else result[target] = result[target]! + v;
  });
  if (ok) return [out.storage];
  wasmRuntime().heap.free(out.ptr);
  return null;
};

export const gatherKernels: Record<string, WasmKernel> = { gather, scatterReduce };
