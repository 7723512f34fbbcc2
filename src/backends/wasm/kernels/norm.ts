/**
 * layerNorm (and its dx) and batch norm of contiguous float32 tensors (assembly/norm.ts):
 * one fused pass per row (layerNorm) or per channel (batch norm training), split across threads by
 * rows or channels; eval-mode batch norm by planes. [N, C] inputs (no spatial dims) take
 * column kernels that hold four channels to a vector. Weight, bias and statistics must be
 * contiguous float32 in the heap too; anything else runs on the js kernels.
 */
import { numel } from "../../../core/shape.ts";
import type { Tensor } from "../../../core/tensor.ts";
import { affineOf, type BatchNormAttrs, type LayerNormAttrs, type LayerNormBackwardAttrs } from "../../../ops/defs/norm.ts";
import type { WasmKernel } from "../index.ts";
import { allocOutput, GRAIN } from "./elementwise.ts";
import { denseF32, runUnits } from "./reduce.ts";

/**
 * Addresses of optional float32 operands (0 for an absent one), or null when one present
 * is not a contiguous float32 tensor in the heap.
 */
function addresses(tensors: readonly (Tensor | undefined)[]): number[] | null {
  const out: number[] = [];
  for (const t of tensors) {
    const ptr = t ? denseF32(t) : 0;
    if (ptr === null) return null;
    out.push(ptr);
  }
  return out;
}

const allFloat32 = (metas: readonly { dtype: string }[]) => metas.every((m) => m.dtype === "float32");

const layerNorm: WasmKernel = (inputs, attrs, inference) => {
  const { axis, eps, ...flags } = attrs as LayerNormAttrs;
  const [x, ...rest] = inputs as [Tensor, ...Tensor[]];
  const { weight, bias } = affineOf(rest, flags);
  const ptrs = addresses([x, weight, bias]);
  if (!ptrs || !allFloat32(inference.outputs)) return null;
  const n = numel(x.shape.slice(axis));
  const rows = numel(x.shape.slice(0, axis));
  // An empty row has nan statistics: the js kernel says so.
  if (n === 0) return null;
  const y = allocOutput("float32", x.size);
  const mean = allocOutput("float32", rows);
  const rstd = allocOutput("float32", rows);
  const [xp, wp, bp] = ptrs as [number, number, number];
  runUnits("layerNormRowsF32", [xp, n, wp, bp, eps, y.ptr, mean.ptr, rstd.ptr], rows, 3 * n, GRAIN.transcendental);
  return [y.storage, mean.storage, rstd.storage];
};

/** dx by rows, then dw and db (when asked) by groups of four columns. */
const layerNormBackward: WasmKernel = (inputs, attrs, inference) => {
  const { axis, hasWeight, weightGrad, biasGrad } = attrs as LayerNormBackwardAttrs;
  const [g, gMean, gRstd, x, mean, rstd, weight] = inputs as Tensor[];
  const ptrs = addresses([g, gMean, gRstd, x, mean, rstd, hasWeight ? weight : undefined]);
  if (!ptrs || !allFloat32(inference.outputs)) return null;
  const n = numel(x!.shape.slice(axis));
  const rows = numel(x!.shape.slice(0, axis));
  if (n === 0) return null;
  const dx = allocOutput("float32", x!.size);
  runUnits("layerNormBackwardRowsF32", [...ptrs, n, dx.ptr], rows, 2 * n, GRAIN.transcendental);
  const dw = weightGrad ? allocOutput("float32", n) : null;
  const db = biasGrad ? allocOutput("float32", n) : null;
  if (dw || db) {
    const [gp, , , xp, mp, rp] = ptrs as number[];
    runUnits("layerNormParamGradsF32", [gp!, xp!, mp!, rp!, rows, n, dw?.ptr ?? 0, db?.ptr ?? 0], Math.ceil(n / 4), 8 * rows, GRAIN.transcendental);
  }
  return [dx.storage, ...[dw, db].filter((t) => t !== null).map((t) => t.storage)];
};

/** [N, C, P] of a batch norm input: batch, channels and the product of the spatial dims. */
function planes(x: Tensor): [number, number, number] {
  return [x.shape[0]!, x.shape[1]!, numel(x.shape.slice(2))];
}

const batchNormTraining: WasmKernel = (inputs, attrs, inference) => {
  const { eps, ...flags } = attrs as BatchNormAttrs;
  const [x, ...rest] = inputs as [Tensor, ...Tensor[]];
  const { weight, bias } = affineOf(rest, flags);
  const ptrs = addresses([x, weight, bias]);
  if (!ptrs || !allFloat32(inference.outputs)) return null;
  const [n, channels, plane] = planes(x);
  if (n * plane === 0) return null;
  const y = allocOutput("float32", x.size);
  const mean = allocOutput("float32", channels);
  const variance = allocOutput("float32", channels);
  const [xp, wp, bp] = ptrs as [number, number, number];
  if (plane === 1) runUnits("batchNormTrainingColumnsF32", [xp, n, channels, wp, bp, eps, y.ptr, mean.ptr, variance.ptr], Math.ceil(channels / 4), 12 * n, GRAIN.transcendental);
  else runUnits("batchNormTrainingF32", [xp, n, channels, plane, wp, bp, eps, y.ptr, mean.ptr, variance.ptr], channels, 3 * n * plane, GRAIN.transcendental);
  return [y.storage, mean.storage, variance.storage];
};

const batchNormInference: WasmKernel = (inputs, attrs, inference) => {
  const { eps, ...flags } = attrs as BatchNormAttrs;
  const [x, runningMean, runningVar, ...rest] = inputs as [Tensor, Tensor, Tensor, ...Tensor[]];
  const { weight, bias } = affineOf(rest, flags);
  const ptrs = addresses([x, runningMean, runningVar, weight, bias]);
  if (!ptrs || !allFloat32(inference.outputs)) return null;
  const [n, channels, plane] = planes(x);
  const y = allocOutput("float32", x.size);
  const [xp, mp, vp, wp, bp] = ptrs as [number, number, number, number, number];
  if (x.size === 0) return [y.storage];
  if (plane === 1) runUnits("batchNormInferenceColumnsF32", [xp, n, channels, mp, vp, wp, bp, eps, y.ptr], Math.ceil(channels / 4), 4 * n, GRAIN.cheap);
  else runUnits("batchNormInferenceF32", [xp, channels, plane, mp, vp, wp, bp, eps, y.ptr], n * channels, plane, GRAIN.cheap);
  return [y.storage];
};

export const normKernels: Record<string, WasmKernel> = { layerNorm, layerNormBackward, batchNormTraining, batchNormInference };
