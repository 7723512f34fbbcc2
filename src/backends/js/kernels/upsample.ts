/**
 * js kernels of upsample and upsampleBackward. Each spatial dim is tabulated once as taps
 * (Note: upsample taps in ops/defs/upsample.ts), then the 1-d maps are applied dim by dim
 * — the last dim first, as PyTorch's separable loops — accumulating in float64 and
 * rounding once when stored. The backward applies the transposed maps.
 */
import type { DType } from "../../../core/dtype.ts";
import { numel, type Shape } from "../../../core/shape.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { UpsampleAttrs, UpsampleBackwardAttrs, UpsampleMode } from "../../../ops/defs/upsample.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";
import { dense } from "./copy.ts";

/** Per output position o: input positions index[o·k + j] with weights weight[o·k + j], j < k. */
interface Taps {
  readonly k: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

const CUBIC_A = -0.75;
const cubic1 = (x: number): number => ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
const cubic2 = (x: number): number => ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;

/** The rounding of ATen's scalar_t: float32 for float32 and half inputs (their opmath), none for float64. */
function roundingOf(dtype: DType): (x: number) => number {
  return dtype === "float64" ? (x) => x : Math.fround;
}

/** PyTorch's area_pixel_compute_scale. */
function ratioOf(inSize: number, outSize: number, alignCorners: boolean, scale: number | null, r: (x: number) => number): number {
  if (alignCorners) return outSize > 1 ? r(r(inSize - 1) / (outSize - 1)) : 0;
  return scale !== null && scale > 0 ? r(1 / scale) : r(r(inSize) / outSize);
}

/** The taps of one spatial dim (Note: upsample taps). */
export function upsampleTaps(mode: UpsampleMode, inSize: number, outSize: number, alignCorners: boolean, scale: number | null, dtype: DType): Taps {
  const k = mode === "cubic" ? 4 : mode === "linear" ? 2 : 1;
  const index = new Int32Array(outSize * k);
  const weight = new Float64Array(outSize * k);
  const r = roundingOf(dtype);
  const f32 = Math.fround;
  for (let o = 0; o < outSize; o++) {
    const at = o * k;
    if (mode === "nearest" || mode === "nearest-exact") {
      let i: number;
      if (mode === "nearest" && outSize === inSize) i = o;
      else if (mode === "nearest" && outSize === 2 * inSize) i = o >> 1;
      else {
        const ratio = ratioOf(inSize, outSize, false, scale, f32); // nearest computes in float
        i = Math.min(Math.floor(mode === "nearest" ? f32(o * ratio) : (o + 0.5) * ratio), inSize - 1);
      }
      index[at] = i;
      weight[at] = 1;
    } else if (mode === "linear") {
      if (outSize === inSize) {
        index[at] = index[at + 1] = o;
        weight[at] = 1;
        continue;
      }
      const ratio = ratioOf(inSize, outSize, alignCorners, scale, r);
      // The source index in float64 (ATen's accscalar_t), clamped at 0.
      const s = alignCorners ? ratio * o : Math.max(ratio * (o + 0.5) - 0.5, 0);
      const i0 = Math.trunc(s);
      const lambda = r(s - i0);
      index[at] = i0;
      index[at + 1] = i0 < inSize - 1 ? i0 + 1 : i0;
      weight[at] = r(1 - lambda);
      weight[at + 1] = lambda;
    } else {
      const ratio = ratioOf(inSize, outSize, alignCorners, scale, r);
      const s = alignCorners ? r(ratio * o) : r(r(ratio * r(o + 0.5)) - 0.5);
      const i0 = Math.floor(s);
      const t = r(s - i0);
      const w = [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)];
      for (let j = 0; j < 4; j++) {
        index[at + j] = Math.min(Math.max(i0 - 1 + j, 0), inSize - 1);
        weight[at + j] = r(w[j]!);
      }
    }
  }
  return { k, index, weight };
}

/** Splits a contiguous shape at `dim`: outer count, the dim's size, inner count. */
function around(shape: Shape, dim: number): [number, number, number] {
  return [numel(shape.slice(0, dim)), shape[dim]!, numel(shape.slice(dim + 1))];
}

/** Applies the 1-d map of `taps` along `dim` of contiguous `src` (shape `shape`). */
function resample(src: Float64Array, shape: Shape, dim: number, taps: Taps, outSize: number): Float64Array {
  const [outer, inSize, inner] = around(shape, dim);
  const out = new Float64Array(outer * outSize * inner);
  const { k, index, weight } = taps;
  for (let a = 0; a < outer; a++) {
    const srcBase = a * inSize * inner;
    const outBase = a * outSize * inner;
    for (let o = 0; o < outSize; o++) {
      const row = outBase + o * inner;
      for (let j = 0; j < k; j++) {
        const w = weight[o * k + j]!;
        if (w === 0) continue;
        const from = srcBase + index[o * k + j]! * inner;
        for (let b = 0; b < inner; b++) out[row + b]! += w * src[from + b]!;
      }
    }
  }
  return out;
}

/** The transpose of `resample`: `src` has `outSize` along `dim`, the result `inSize`. */
function resampleTransposed(src: Float64Array, shape: Shape, dim: number, taps: Taps, inSize: number): Float64Array {
  const [outer, outSize, inner] = around(shape, dim);
  const out = new Float64Array(outer * inSize * inner);
  const { k, index, weight } = taps;
  for (let a = 0; a < outer; a++) {
    const srcBase = a * outSize * inner;
    const outBase = a * inSize * inner;
    for (let o = 0; o < outSize; o++) {
      const row = srcBase + o * inner;
      for (let j = 0; j < k; j++) {
        const w = weight[o * k + j]!;
        if (w === 0) continue;
        const to = outBase + index[o * k + j]! * inner;
        for (let b = 0; b < inner; b++) out[to + b]! += w * src[row + b]!;
      }
    }
  }
  return out;
}

function tapsOf(attrs: UpsampleAttrs, inSizes: readonly number[], dtype: DType): Taps[] {
  return attrs.outputSize.map((o, d) => upsampleTaps(attrs.mode, inSizes[d]!, o, attrs.alignCorners, attrs.scales[d]!, dtype));
}

function store(values: Float64Array, out: TensorMeta): ComputeArray {
  const result = allocCompute(out.dtype, values.length) as Float64Array;
  result.set(values);
  return result;
}

export const upsampleKernels = {
  upsample: ([x]: JsView[], attrs: UpsampleAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const taps = tapsOf(attrs, x!.shape.slice(2), x!.dtype);
    let values: Float64Array = Float64Array.from(dense(x!) as Float64Array);
    const shape = [...x!.shape];
    for (let d = taps.length - 1; d >= 0; d--) {
      values = resample(values, shape, d + 2, taps[d]!, attrs.outputSize[d]!);
      shape[d + 2] = attrs.outputSize[d]!;
    }
    return [store(values, out!)];
  },
  upsampleBackward: ([g]: JsView[], attrs: UpsampleBackwardAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const taps = tapsOf(attrs, attrs.inputSize, g!.dtype);
    let values: Float64Array = Float64Array.from(dense(g!) as Float64Array);
    const shape = [...g!.shape];
    for (let d = 0; d < taps.length; d++) {
      values = resampleTransposed(values, shape, d + 2, taps[d]!, attrs.inputSize[d]!);
      shape[d + 2] = attrs.inputSize[d]!;
    }
    return [store(values, out!)];
  },
};
