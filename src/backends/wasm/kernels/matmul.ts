/**
 * matmul on the wasm backend: float32 operands whose last two dims are row-major or
 * transposed (any batch strides, broadcast batches included) go to the packed SIMD sgemm;
 * each product's rows (or columns, for short wide products) are split between threads.
 */
import { broadcastShapes, numel } from "../../../core/shape.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { Inference } from "../../../ops/define-op.ts";
import { addressOf, wasmBackend, type WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { allocOutput } from "./elementwise.ts";

/** How a matrix operand is laid out: its leading dimension and whether it is transposed. */
function layout(t: Tensor): { ld: number; trans: number } | null {
  const n = t.ndim;
  const rows = t.shape[n - 2]!;
  const cols = t.shape[n - 1]!;
  const rs = t.strides[n - 2]!;
  const cs = t.strides[n - 1]!;
  if (cs === 1 || cols === 1) return { ld: Math.max(rows === 1 ? cols : rs, cols, 1), trans: 0 };
  if (rs === 1 || rows === 1) return { ld: Math.max(cs, rows, 1), trans: 1 };
  return null;
}

/** Element offsets of each batch of `t` broadcast to `batch` (stride 0 on broadcast dims). */
function batchOffsets(t: Tensor, batch: readonly number[]): number[] {
  const lead = t.ndim - 2;
  const shape = t.shape.slice(0, lead);
  const strides = t.strides.slice(0, lead);
  const offsets: number[] = [];
  const total = numel(batch);
  for (let i = 0; i < total; i++) {
    let rem = i;
    let off = 0;
    for (let d = batch.length - 1; d >= 0; d--) {
      const idx = rem % batch[d]!;
      rem = Math.floor(rem / batch[d]!);
      const src = d - (batch.length - shape.length);
      if (src >= 0 && shape[src] !== 1) off += idx * strides[src]!;
    }
    offsets.push(off);
  }
  return offsets;
}

/** [start, end) cuts of `n` into `parts` pieces at multiples of `align`. */
function cuts(n: number, parts: number, align: number): [number, number][] {
  const step = Math.ceil(n / parts / align) * align;
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += step) out.push([s, Math.min(n, s + step)]);
  return out;
}

const matmul: WasmKernel = (inputs: readonly Tensor[], _attrs: unknown, inference: Inference) => {
  const [a, b] = inputs as [Tensor, Tensor];
  const out = inference.outputs[0]!;
  if (a.dtype !== "float32" || b.dtype !== "float32" || out.dtype !== "float32") return null;
  if (a.storage.owner !== wasmBackend || b.storage.owner !== wasmBackend) return null;
  const la = layout(a);
  const lb = layout(b);
  if (!la || !lb) return null;
  const m = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const n = b.shape[b.ndim - 1]!;
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const rt = wasmRuntime();
  // sgemm with beta 0 writes every element: no need to zero the block.
  const { storage, ptr: c } = allocOutput("float32", numel(out.shape));
  if (numel(out.shape) === 0) return [storage];
  const aOffsets = batchOffsets(a, batch);
  const bOffsets = batchOffsets(b, batch);
  const pa = addressOf(a);
  const pb = addressOf(b);
  // Threads pay off from about 64^3 multiply-adds per product. Each thread packs all of the
  // operand it does not split: split the longer side, so the shorter one is packed twice.
  const threads = m * n * k >= 262144 ? rt.pool.threads : 1;
  const splitRows = m >= n;
  const parts = splitRows ? cuts(m, threads, 4) : cuts(n, threads, 8);
  const scratchBytes = Number(rt.kernels.sgemmScratchBytes!());
  const scratch = rt.heap.alloc(scratchBytes * parts.length, false);
  try {
    aOffsets.forEach((ao, i) => {
      const pc = c + i * m * n * 4;
      const calls = parts.map(([s, e], t) => {
        const [m0, m1, n0, n1] = splitRows ? [s, e, 0, n] : [0, m, s, e];
        return {
          fn: "sgemm",
          args: [la.trans, lb.trans, m0, m1, n0, n1, k, 1, pa + ao * 4, la.ld, pb + bOffsets[i]! * 4, lb.ld, 0, pc, n, 0, 0, scratch + t * scratchBytes],
        };
      });
      rt.parallel(calls);
    });
  } finally {
    rt.heap.free(scratch);
  }
  return [storage];
};

export const matmulKernels: Record<string, WasmKernel> = { matmul };
