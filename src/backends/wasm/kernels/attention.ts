/**
 * The fused forward of scaledDotProductAttention (assembly/attention.ts) for float32
 * query, key and value in the heap whose rows are contiguous (any row and batch strides,
 * so heads sliced out of [B, L, H, E] need no copy), with an optional bool or float32 mask
 * of any layout. Batch dims broadcast; they must fold to two (as elementwise walks fold
 * theirs). Units of four query rows are split across threads, each with its own scratch
 * for one block's scores. The composite runs instead whenever this returns null (see
 * Note: fused composites, in ops/composite/attention.ts).
 */
import { broadcastStrides, type Shape } from "../../../core/shape.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { AttentionAttrs } from "../../../ops/composite/attention.ts";
import { addressOf, wasmBackend, type WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { allocOutput, GRAIN } from "./elementwise.ts";
import { splitUnits } from "./reduce.ts";

/** Slots of the parameter block (see assembly/attention.ts). */
const PARAMS = 26;

const inHeap = (t: Tensor) => t.storage.owner === wasmBackend;
/** float32 in the heap with unit stride along the last dim. */
const rowsContiguous = (t: Tensor) => t.dtype === "float32" && inHeap(t) && (t.shape[t.ndim - 1]! <= 1 || t.strides[t.ndim - 1] === 1);

/**
 * `shape` with size-1 dims dropped and neighbours merged where every operand steps through
 * them as one dim, padded to two dims; null when more than two remain.
 */
function foldBatch(shape: Shape, operands: readonly (readonly number[])[]): { dims: [number, number]; strides: [number, number][] } | null {
  const dims: number[] = [];
  const strides: number[][] = operands.map(() => []);
  shape.forEach((d, i) => {
    if (d === 1) return;
    const last = dims.length - 1;
    if (last >= 0 && operands.every((s, j) => strides[j]![last] === s[i]! * d)) {
      dims[last] = dims[last]! * d;
      operands.forEach((s, j) => (strides[j]![last] = s[i]!));
    } else {
      dims.push(d);
      operands.forEach((s, j) => strides[j]!.push(s[i]!));
    }
  });
  if (dims.length > 2) return null;
  while (dims.length < 2) {
    dims.unshift(1);
    strides.forEach((s) => s.unshift(0));
  }
  return { dims: dims as [number, number], strides: strides as [number, number][] };
}

const scaledDotProductAttention: WasmKernel = (inputs, attrs, inference) => {
  const { isCausal, scale } = attrs as AttentionAttrs;
  const [q, k, v, mask] = inputs as [Tensor, Tensor, Tensor, Tensor | undefined];
  const output = inference.outputs[0]!;
  if (output.dtype !== "float32" || ![q, k, v].every(rowsContiguous)) return null;
  let maskKind = 0;
  if (mask) {
    if (!inHeap(mask)) return null;
    if (mask.dtype === "bool") maskKind = 1;
    else if (mask.dtype === "float32") maskKind = 2;
    else return null;
  }
  const batchShape = output.shape.slice(0, -2);
  const [l, ev] = output.shape.slice(-2) as [number, number];
  const s = k.shape[k.ndim - 2]!;
  const e = q.shape[q.ndim - 1]!;
  const batchStrides = (t: Tensor) => broadcastStrides(t.shape.slice(0, -2), t.strides.slice(0, -2), batchShape);
  const maskStrides = mask ? broadcastStrides(mask.shape, mask.strides, [...batchShape, l, s]) : new Array<number>(batchShape.length + 2).fill(0);
  const folded = foldBatch(batchShape, [batchStrides(q), batchStrides(k), batchStrides(v), maskStrides.slice(0, -2)]);
  if (!folded) return null;
  const out = allocOutput("float32", output.shape.reduce((a, b) => a * b, 1));
  const batches = folded.dims[0] * folded.dims[1];
  const units = batches * Math.ceil(l / 4);
  if (units === 0 || ev === 0) return [out.storage];

  const heap = wasmRuntime().heap;
  const params = heap.alloc(4 * PARAMS, false);
  const ranges = splitUnits(units, 4 * s * (e + ev), GRAIN.transcendental);
  const scratchBytes = 16 * Math.max(1, s);
  const scratch = heap.alloc(scratchBytes * ranges.length, false);
  try {
    const [qs, ks, vs, ms] = folded.strides as [[number, number], [number, number], [number, number], [number, number]];
    const slots = new Int32Array(heap.buffer as ArrayBuffer, params, PARAMS);
    slots.set([
      addressOf(q), addressOf(k), addressOf(v), mask ? addressOf(mask) : 0, out.ptr,
      folded.dims[1], l, s, e, ev,
      ...qs, q.strides[q.ndim - 2]!,
      ...ks, k.strides[k.ndim - 2]!,
      ...vs, v.strides[v.ndim - 2]!,
      ...ms, maskStrides[maskStrides.length - 2]!, maskStrides[maskStrides.length - 1]!,
      isCausal ? 1 : 0, maskKind, 0,
    ]);
    new Float32Array(heap.buffer as ArrayBuffer, params, PARAMS)[PARAMS - 1] = scale;
    wasmRuntime().parallel(ranges.map(([start, end], t) => ({ fn: "attentionF32", args: [params, scratch + t * scratchBytes, start, end] })));
    return [out.storage];
  } finally {
    heap.free(scratch);
    heap.free(params);
  }
};

export const attentionKernels: Record<string, WasmKernel> = { scaledDotProductAttention };
