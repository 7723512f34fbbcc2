/**
 * Normalization kernels: layerNorm (statistics per row of the normalized dims) and batch
 * norm (per channel, dim 1). Statistics are two-pass — the mean, then the mean squared
 * deviation (biased variance) — in float64, as every float reduction here; y = (x − μ)·r·w + b
 * with r = 1/√(var + eps) is rounded once when stored. Half inputs arrive decoded as
 * float64, so they compute in (more than) float32 as PyTorch does, and their statistics
 * outputs are float32 (see Note: norm statistics as outputs, in ops/defs/norm.ts).
 */
import { contiguousStrides, type Shape } from "../../../core/shape.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import { affineOf, type BatchNormAttrs, type LayerNormAttrs, type LayerNormBackwardAttrs } from "../../../ops/defs/norm.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";
import { dense } from "./copy.ts";
import { reductionPlan } from "./reduce.ts";

type Floats = Float64Array | Float32Array;

/** A view's elements in row-major order as numbers, or null for an absent input. */
const valuesOf = (v: JsView | undefined): Floats | null => (v ? (dense(v) as Floats) : null);

/** Where a kernel writes group i's element j: a contiguous output walked as `reductionPlan` walks x. */
function outputPlan(shape: Shape, dims: readonly number[]) {
  return reductionPlan({ data: new Float64Array(0), shape, strides: contiguousStrides(shape), offset: 0, dtype: "float64" }, dims);
}

/** Mean and biased variance of group `base + inner[j]`, two-pass. */
function moments(data: Floats, base: number, inner: Int32Array | Float64Array): [number, number] {
  const n = inner.length;
  let total = 0;
  for (let j = 0; j < n; j++) total += data[base + inner[j]!]!;
  const mean = total / n;
  let squares = 0;
  for (let j = 0; j < n; j++) {
    const d = data[base + inner[j]!]! - mean;
    squares += d * d;
  }
  return [mean, squares / n];
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/**
 * Batch norm of every channel with (mean, rstd) from `stats(c, base, inner)`: writes y and
 * returns the per-channel mean and the second statistic the caller chose to keep.
 */
function batchNormLoop(
  x: JsView, rest: JsView[], attrs: BatchNormAttrs, out: TensorMeta,
  stats: (c: number, base: number, inner: Int32Array | Float64Array) => [number, number],
): Floats {
  const { weight, bias } = affineOf(rest, attrs);
  const w = valuesOf(weight);
  const b = valuesOf(bias);
  const dims = range(0, x.shape.length).filter((d) => d !== 1);
  const from = reductionPlan(x, dims);
  const to = outputPlan(x.shape, dims);
  const y = allocCompute(out.dtype, x.shape.reduce((p, n) => p * n, 1)) as Floats;
  const data = x.data as Floats;
  for (let c = 0; c < from.outer.length; c++) {
    const base = from.outer[c]!;
    const [mean, rstd] = stats(c, base, from.inner);
    const scale = w ? rstd * w[c]! : rstd;
    const shift = b ? b[c]! : 0;
    for (let j = 0; j < from.inner.length; j++) y[to.outer[c]! + to.inner[j]!] = (data[base + from.inner[j]!]! - mean) * scale + shift;
  }
  return y;
}

export const normKernels = {
  layerNorm: ([x, ...rest]: JsView[], attrs: LayerNormAttrs, [out, stats]: readonly TensorMeta[]): ComputeArray[] => {
    const { weight, bias } = affineOf(rest, attrs);
    const w = valuesOf(weight);
    const b = valuesOf(bias);
    const { outer, inner } = reductionPlan(x!, range(attrs.axis, x!.shape.length));
    const rows = outer.length;
    const n = inner.length;
    const y = allocCompute(out!.dtype, rows * n) as Floats;
    const mean = allocCompute(stats!.dtype, rows) as Floats;
    const rstd = allocCompute(stats!.dtype, rows) as Floats;
    const data = x!.data as Floats;
    for (let i = 0; i < rows; i++) {
      const base = outer[i]!;
      const [mu, variance] = moments(data, base, inner);
      const r = 1 / Math.sqrt(variance + attrs.eps);
      mean[i] = mu;
      rstd[i] = r;
      for (let j = 0, o = i * n; j < n; j++, o++) {
        let v = (data[base + inner[j]!]! - mu) * r;
        if (w) v *= w[j]!;
        if (b) v += b[j]!;
        y[o] = v;
      }
    }
    return [y, mean, rstd];
  },
  /**
   * dx = r·ĝ − x̂·c2 − c1 per row, and dw = Σ g·x̂, db = Σ g down the rows when asked (see
   * Note: layerNorm's backward, in ops/defs/norm.ts).
   */
  layerNormBackward: ([g, gMean, gRstd, x, mean, rstd, weight]: JsView[], attrs: LayerNormBackwardAttrs, [out, ...params]: readonly TensorMeta[]): ComputeArray[] => {
    const dims = range(attrs.axis, x!.shape.length);
    const xs = reductionPlan(x!, dims);
    const gs = reductionPlan(g!, dims);
    const [gm, gr, mu, r] = [gMean, gRstd, mean, rstd].map((v) => valuesOf(v)!) as [Floats, Floats, Floats, Floats];
    const w = attrs.hasWeight ? valuesOf(weight) : null;
    const rows = xs.outer.length;
    const n = xs.inner.length;
    const dx = allocCompute(out!.dtype, rows * n) as Floats;
    const xd = x!.data as Floats;
    const gd = g!.data as Floats;
    const xhat = new Float64Array(n);
    const gh = new Float64Array(n);
    const dw = attrs.weightGrad ? new Float64Array(n) : null;
    const db = attrs.biasGrad ? new Float64Array(n) : null;
    for (let i = 0; i < rows; i++) {
      let sumGh = 0;
      let sumGhXhat = 0;
      for (let j = 0; j < n; j++) {
        const gj = gd[gs.outer[i]! + gs.inner[j]!]!;
        xhat[j] = (xd[xs.outer[i]! + xs.inner[j]!]! - mu[i]!) * r[i]!;
        gh[j] = gj * (w ? w[j]! : 1);
        if (dw) dw[j] += gj * xhat[j]!;
        if (db) db[j] += gj;
        sumGh += gh[j]!;
        sumGhXhat += gh[j]! * xhat[j]!;
      }
      const c1 = (r[i]! * sumGh) / n - gm[i]! / n;
      const c2 = (r[i]! * sumGhXhat) / n + (gr[i]! * r[i]! * r[i]!) / n;
      for (let j = 0, o = i * n; j < n; j++, o++) dx[o] = r[i]! * gh[j]! - xhat[j]! * c2 - c1;
    }
    // Parameter gradients in their dtype's compute form (float32 rounds here, halves when stored).
    const sums: Floats[] = [];
    for (const t of [dw, db]) if (t) sums.push(params[sums.length]!.dtype === "float32" ? Float32Array.from(t) : t);
    return [dx, ...sums];
  },
  batchNormTraining: ([x, ...rest]: JsView[], attrs: BatchNormAttrs, [out, stats]: readonly TensorMeta[]): ComputeArray[] => {
    const channels = x!.shape[1]!;
    const mean = allocCompute(stats!.dtype, channels) as Floats;
    const variance = allocCompute(stats!.dtype, channels) as Floats;
    const y = batchNormLoop(x!, rest, attrs, out!, (c, base, inner) => {
      const [mu, v] = moments(x!.data as Floats, base, inner);
      mean[c] = mu;
      variance[c] = v;
      return [mu, 1 / Math.sqrt(v + attrs.eps)];
    });
    return [y, mean, variance];
  },
  batchNormInference: ([x, runningMean, runningVar, ...rest]: JsView[], attrs: BatchNormAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const mean = valuesOf(runningMean)!;
    const variance = valuesOf(runningVar)!;
    return [batchNormLoop(x!, rest, attrs, out!, (c) => [mean[c]!, 1 / Math.sqrt(variance[c]! + attrs.eps)])];
  },
};
