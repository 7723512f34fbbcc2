/**
 * softmax / logSoftmax of contiguous float32 tensors (assembly/softmax.ts), fused per
 * line: max, exponentials and their sum, normalisation. Lines along the last dim are rows;
 * along another dim, columns of [M, K, N] taken eight at a time.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { SoftmaxAttrs } from "../../../ops/defs/softmax.ts";
import type { WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { allocOutput, GRAIN } from "./elementwise.ts";
import { denseF32, reductionLayout, runUnits } from "./reduce.ts";

/** A single line at least this long is split in chunks of CHUNK across threads. */
const LONG_LINE = 1 << 16;
const CHUNK = 1 << 14;

/**
 * softmax of one long line in three parallel passes over fixed chunks: partial maxima,
 * then e^(x − max) with float64 partial sums, then the normalisation; the partials are
 * combined here, in order, between the passes (so the result does not depend on the
 * thread count).
 */
function longLine(name: "softmax" | "logSoftmax", x: number, k: number, out: number): void {
  const heap = wasmRuntime().heap;
  const chunks = Math.ceil(k / CHUNK);
  const partials = heap.alloc(chunks * 8, false);
  try {
    runUnits("softmaxMaxChunksF32", [x, k, CHUNK, partials], chunks, CHUNK, GRAIN.cheap);
    const maxima = new Float32Array(heap.buffer as ArrayBuffer, partials, chunks);
    // nan wins, as in the max of a row.
    let m = -Infinity;
    for (const v of maxima) m = Number.isNaN(v) || Number.isNaN(m) ? NaN : Math.max(m, v);
    runUnits(`${name}ExpChunksF32`, [x, k, CHUNK, m, out, partials], chunks, CHUNK, GRAIN.transcendental);
    const sums = new Float64Array(heap.buffer as ArrayBuffer, partials, chunks);
    let total = 0;
    for (const v of sums) total += v;
    runUnits(`${name}NormChunksF32`, [x, k, CHUNK, m, total, out], chunks, CHUNK, GRAIN.cheap);
  } finally {
    heap.free(partials);
  }
}

function softmaxLike(name: "softmax" | "logSoftmax"): WasmKernel {
  return (inputs, attrs, inference) => {
    const x = inputs[0] as Tensor;
    const ptr = denseF32(x);
    if (ptr === null || inference.outputs[0]!.dtype !== "float32") return null;
    const out = allocOutput("float32", x.size);
    if (x.size === 0) return [out.storage];
    const layout = reductionLayout(x.shape, [(attrs as SoftmaxAttrs).dim]);
    if (!layout) return null;
    const { m, k, n } = layout;
    if (m === 1 && n === 1 && k >= LONG_LINE) longLine(name, ptr, k, out.ptr);
    else if (n === 1) runUnits(`${name}RowsF32`, [ptr, k, out.ptr], m, k, GRAIN.transcendental);
    else runUnits(`${name}ColsF32`, [ptr, k, n, out.ptr], m * Math.ceil(n / 8), 8 * k, GRAIN.transcendental);
    return [out.storage];
  };
}

export const softmaxKernels: Record<string, WasmKernel> = {
  softmax: softmaxLike("softmax"),
  logSoftmax: softmaxLike("logSoftmax"),
};
