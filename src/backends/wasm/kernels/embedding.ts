/**
 * Embedding lookups and their gradient (assembly/embedding.ts): `indexSelect` along dim 0
 * of a 2-D float32 table (rows gathered, split across threads by output rows) and
 * `indexAdd` along dim 0 (rows accumulated in index order, split across threads by
 * columns). The table's rows must be contiguous; indices may be int64 or int32, any
 * layout, on any backend. The glue checks every index first and leaves out-of-range ones
 * to the js kernel, which raises the error (see Note: index checks, in ops/defs/indexing.ts).
 */
import { forEachOffset } from "../../../core/strided.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { DimAttrs } from "../../../ops/defs/indexing.ts";
import { addressOf, wasmBackend, type WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { allocOutput, GRAIN } from "./elementwise.ts";
import { runUnits } from "./reduce.ts";

/** A 2-D float32 tensor in the heap whose rows are contiguous: its address and row stride. */
function rowsOf(t: Tensor): { ptr: number; stride: number } | null {
  if (t.dtype !== "float32" || t.storage.owner !== wasmBackend || t.ndim !== 2) return null;
  if (t.shape[1]! > 1 && t.strides[1] !== 1) return null;
  return { ptr: addressOf(t), stride: t.strides[0]! };
}

/**
 * The indices as int32 row numbers in a scratch heap block (the caller frees it), or null
 * when one is outside [0, size).
 */
function rowNumbers(index: Tensor, size: number): { ptr: number; n: number } | null {
  const values = new Int32Array(index.size);
  const data = index.rawStorage() as ArrayLike<number | bigint>;
  let valid = true;
  forEachOffset(index.shape, index.strides, index.offset, (o, i) => {
    const v = Number(data[o]!);
    if (!(v >= 0 && v < size)) valid = false;
    values[i] = v;
  });
  if (!valid) return null;
  const heap = wasmRuntime().heap;
  const ptr = heap.alloc(4 * Math.max(1, values.length), false);
  new Int32Array(heap.buffer as ArrayBuffer, ptr, values.length).set(values);
  return { ptr, n: values.length };
}

const indexSelect: WasmKernel = (inputs, attrs, inference) => {
  const [table, index] = inputs as [Tensor, Tensor];
  const from = rowsOf(table);
  if ((attrs as DimAttrs).dim !== 0 || !from || inference.outputs[0]!.dtype !== "float32") return null;
  const [tableRows, cols] = table.shape as [number, number];
  const rows = rowNumbers(index, tableRows);
  if (!rows) return null;
  try {
    const out = allocOutput("float32", rows.n * cols);
    if (cols > 0) runUnits("gatherRowsF32", [from.ptr, from.stride, cols, rows.ptr, out.ptr], rows.n, cols, GRAIN.cheap);
    return [out.storage];
  } finally {
    wasmRuntime().heap.free(rows.ptr);
  }
};

const indexAdd: WasmKernel = (inputs, attrs, inference) => {
  const [x, index, source] = inputs as [Tensor, Tensor, Tensor];
  const base = rowsOf(x);
  const src = rowsOf(source);
  if ((attrs as DimAttrs).dim !== 0 || !base || !src || inference.outputs[0]!.dtype !== "float32") return null;
  const [xRows, cols] = x.shape as [number, number];
  const rows = rowNumbers(index, xRows);
  if (!rows) return null;
  try {
    const out = allocOutput("float32", xRows * cols);
    // A unit is 4 columns (one vector): every row of x copied, every source row added.
    const units = Math.ceil(cols / 4);
    runUnits("indexAddRowsF32", [base.ptr, xRows, base.stride, cols, rows.ptr, rows.n, src.ptr, src.stride, out.ptr], units, 4 * (xRows + rows.n), GRAIN.cheap);
    return [out.storage];
  } finally {
    wasmRuntime().heap.free(rows.ptr);
  }
};

export const embeddingKernels: Record<string, WasmKernel> = { indexSelect, indexAdd };
