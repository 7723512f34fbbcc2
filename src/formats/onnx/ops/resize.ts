/**
 * Resize (opsets 10-19) and Upsample: separable 1-D interpolation along each resized axis,
 * as ONNX's reference computes it (onnx/reference/ops/op_resize.py): per axis, the source
 * coordinate of every output position under the coordinate transformation mode, the
 * neighbors and weights of the nearest / linear / cubic kernel (antialiased when asked),
 * then one gather and a weighted sum with concord ops, in float64.
 */
import { isFloating } from "../../../core/dtype.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { tensor } from "../../../ops/creation.ts";
import * as b from "../../../ops/defs/binary.ts";
import { indexSelect } from "../../../ops/defs/indexing.ts";
import { sum } from "../../../ops/defs/reduce.ts";
import { reshape, to } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { checkCount, int64Tensor, intValues, invalid, normAxis, numberValues, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

type Coeffs = (ratio: number, scale: number) => number[];

function nearestCoeffs(mode: string): Coeffs {
  return (ratio) => {
    if (Number.isInteger(ratio)) return [0, 1];
    switch (mode) {
      case "round_prefer_floor": return [ratio <= 0.5 ? 1 : 0, ratio > 0.5 ? 1 : 0];
      case "round_prefer_ceil": return [ratio < 0.5 ? 1 : 0, ratio >= 0.5 ? 1 : 0];
      case "floor": return [1, 0];
      case "ceil": return [0, 1];
      default: throw new Error(`unknown nearest_mode ${mode}`);
    }
  };
}

const linearCoeffs: Coeffs = (r) => [1 - r, r];

function linearAntialias(ratio: number, scale: number): number[] {
  const s = Math.min(scale, 1);
  const start = Math.floor(-1 / s) + 1;
  const footprint = 2 - 2 * start;
  const c = Array.from({ length: footprint }, (_, i) => Math.min(Math.max(1 - Math.abs((start + i - ratio) * s), 0), 1));
  const total = c.reduce((p, q) => p + q, 0);
  return c.map((v) => v / total);
}

function cubicCoeffs(A: number): Coeffs {
  return (r) => [
    ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A,
    ((A + 2) * r - (A + 3)) * r * r + 1,
    ((A + 2) * (1 - r) - (A + 3)) * (1 - r) * (1 - r) + 1,
    ((A * (1 - r + 1) - 5 * A) * (1 - r + 1) + 8 * A) * (1 - r + 1) - 4 * A,
  ];
}

function cubicAntialias(A: number): Coeffs {
  return (ratio, scale) => {
    const s = Math.min(scale, 1);
    const f = (x: number) => {
      x = Math.abs(x);
      if (x <= 1) return (A + 2) * x ** 3 - (A + 3) * x * x + 1;
      if (x < 2) return A * x ** 3 - 5 * A * x * x + 8 * A * x - 4 * A;
      return 0;
    };
    const start = Math.floor(-2 / s) + 1;
    const c: number[] = [];
    for (let i = start; i < 2 - start; i++) c.push(f(s * (i - ratio)));
    const total = c.reduce((p, q) => p + q, 0);
    return c.map((v) => v / total);
  };
}

interface AxisPlan {
  index: number[];
  weights: number[];
  taps: number;
  extrapolated: boolean[] | null;
}

/** Source positions and weights of each output position along one axis. */
function planAxis(inW: number, outW: number, scale: number, coeffs: Coeffs, mode: string, roi: [number, number] | null, exclude: boolean): AxisPlan {
  const outReal = scale * inW;
  const index: number[] = [];
  const weights: number[] = [];
  const extrapolated: boolean[] | null = mode === "tf_crop_and_resize" ? [] : null;
  let taps = 0;
  for (let y = 0; y < outW; y++) {
    let x: number;
    switch (mode) {
      case "align_corners": x = outReal === 1 ? 0 : (y * (inW - 1)) / (outReal - 1); break;
      case "asymmetric": x = y / scale; break;
      case "tf_crop_and_resize": {
        const [r0, r1] = roi ?? [0, 1];
        x = (outReal === 1 ? ((r1 - r0) * (inW - 1)) / 2 : (y * (r1 - r0) * (inW - 1)) / (outReal - 1)) + r0 * (inW - 1);
        extrapolated!.push(x < 0 || x > inW - 1);
        break;
      }
      case "pytorch_half_pixel": x = outReal === 1 ? -0.5 : (y + 0.5) / scale - 0.5; break;
      case "half_pixel": x = (y + 0.5) / scale - 0.5; break;
      case "half_pixel_symmetric": {
        const offset = (inW / 2) * (1 - outW / outReal);
        x = offset + (y + 0.5) / scale - 0.5;
        break;
      }
      default: throw new Error(`unknown coordinate_transformation_mode ${mode}`);
    }
    const xi = Math.floor(x);
    const ratio = x === xi ? 1 : x - xi;
    let c = coeffs(ratio, scale);
    const n = c.length;
    taps = n;
    const pad = Math.ceil(n / 2);
    const xp = x + pad;
    const p = Math.floor(xp);
    const frac = xp - p;
    const offset = n % 2 === 0 ? (frac === 0 ? -(n / 2) : -(n / 2) + 1) : frac <= 0.5 ? -((n - 1) / 2) : -((n - 1) / 2) + 1;
    const first = p + offset - pad;
    const neighbors = Array.from({ length: n }, (_, k) => first + k);
    if (exclude) {
      c = c.map((v, k) => (neighbors[k]! < 0 || neighbors[k]! >= inW ? 0 : v));
      const total = c.reduce((s, v) => s + v, 0) || 1;
      c = c.map((v) => v / total);
    }
    for (let k = 0; k < n; k++) {
      index.push(Math.min(Math.max(neighbors[k]!, 0), inW - 1));
      weights.push(c[k]!);
    }
  }
  return { index, weights, taps, extrapolated };
}

function resizeAxis(x: Tensor, axis: number, plan: AxisPlan, outW: number, extrapolation: number): Tensor {
  const n = plan.taps;
  const gathered = indexSelect(x, axis, int64Tensor(plan.index));
  const shaped = reshape(gathered, [...x.shape.slice(0, axis), outW, n, ...x.shape.slice(axis + 1)]);
  const w = reshape(tensor(plan.weights, { dtype: "float64" }), [outW, n, ...x.shape.slice(axis + 1).map(() => 1)]);
  let y = sum(shaped.mul(w), [axis + 1]);
  if (plan.extrapolated?.some(Boolean)) {
    const mask = reshape(tensor(plan.extrapolated), [outW, ...x.shape.slice(axis + 1).map(() => 1)]);
    y = b.where(mask, extrapolation, y);
  }
  return y;
}

interface ResizeSpec {
  mode: string;
  coordinateMode: string;
  nearestMode: string;
  cubicA: number;
  exclude: boolean;
  extrapolation: number;
  antialias: boolean;
  keepAspect: string;
}

function resizeCore(x: Tensor, spec: ResizeSpec, ctx: OpContext, scalesIn: number[] | undefined, sizesIn: number[] | undefined, axesIn: number[] | undefined, roiIn: number[] | undefined): Tensor {
  const r = x.ndim;
  const axes = (axesIn ?? x.shape.map((_, i) => i)).map((a) => normAxis(a, r, ctx));
  let scales: number[] = new Array<number>(r).fill(1);
  let sizes: number[] = [...x.shape];
  let roi: number[] | null = null;
  if (roiIn && roiIn.length > 0) {
    roi = [...new Array<number>(r).fill(0), ...new Array<number>(r).fill(1)];
    axes.forEach((a, i) => {
      roi![a] = roiIn[i]!;
      roi![r + a] = roiIn[axes.length + i]!;
    });
  }
  if (sizesIn && sizesIn.length > 0) {
    axes.forEach((a, i) => (sizes[a] = sizesIn[i]!));
    scales = sizes.map((s, i) => s / x.shape[i]!);
    if (spec.keepAspect !== "stretch") {
      const picked = axes.map((a) => scales[a]!);
      const s = spec.keepAspect === "not_larger" ? Math.min(...picked) : Math.max(...picked);
      scales = x.shape.map((_, i) => (axes.includes(i) ? s : 1));
      sizes = x.shape.map((d, i) => (axes.includes(i) ? Math.floor(s * d + 0.5) : d));
    }
  } else if (scalesIn && scalesIn.length > 0) {
    axes.forEach((a, i) => (scales[a] = scalesIn[i]!));
    sizes = x.shape.map((d, i) => Math.trunc(scales[i]! * d));
  } else throw invalid(ctx, "needs scales or sizes");
  let coeffs: Coeffs;
  if (spec.mode === "nearest") coeffs = nearestCoeffs(spec.nearestMode);
  else if (spec.mode === "linear") coeffs = spec.antialias ? linearAntialias : linearCoeffs;
  else if (spec.mode === "cubic") coeffs = spec.antialias ? cubicAntialias(spec.cubicA) : cubicCoeffs(spec.cubicA);
  else throw invalid(ctx, `unknown mode ${spec.mode}`);
  if (sizes.some((d) => !Number.isSafeInteger(d) || d < 0)) throw invalid(ctx, `output sizes [${sizes.join(", ")}] are not sizes`);
  checkCount(sizes.reduce((p, d) => p * d, 1), ctx, "the resized tensor");
  let y = to(x, "float64");
  for (const a of axes) {
    const unchanged = Math.abs(scales[a]! - 1) < 1e-9 && sizes[a] === y.shape[a] && (!roi || (Math.abs(roi[a]!) < 1e-9 && Math.abs(roi[a + r]! - 1) < 1e-9));
    if (unchanged) continue;
    const plan = planAxis(y.shape[a]!, sizes[a]!, scales[a]!, coeffs, spec.coordinateMode, roi ? [roi[a]!, roi[a + r]!] : null, spec.exclude);
    y = resizeAxis(y, a, plan, sizes[a]!, spec.extrapolation);
  }
  if (isFloating(x.dtype)) return to(y, x.dtype);
  return to(y.round(), x.dtype);
}

function resize(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const a = ctx.attrs;
  if (ctx.opset < 11) {
    const spec = { mode: a.string("mode", "nearest"), coordinateMode: "asymmetric", nearestMode: "floor", cubicA: -0.75, exclude: false, extrapolation: 0, antialias: false, keepAspect: "stretch" };
    return [resizeCore(x, spec, ctx, numberValues(tensorAt(inputs, 1, ctx)), undefined, undefined, undefined)];
  }
  const spec: ResizeSpec = {
    mode: a.string("mode", "nearest"),
    coordinateMode: a.string("coordinate_transformation_mode", "half_pixel"),
    nearestMode: a.string("nearest_mode", "round_prefer_floor"),
    cubicA: a.float("cubic_coeff_a", -0.75),
    exclude: a.int("exclude_outside", 0) === 1,
    extrapolation: a.float("extrapolation_value", 0),
    antialias: a.int("antialias", 0) === 1,
    keepAspect: a.string("keep_aspect_ratio_policy", "stretch"),
  };
  const roi = optionalTensorAt(inputs, 1, ctx);
  const scales = optionalTensorAt(inputs, 2, ctx);
  const sizes = optionalTensorAt(inputs, 3, ctx);
  return [resizeCore(x, spec, ctx, scales && numberValues(scales), sizes && intValues(sizes), a.ints("axes"), roi && numberValues(roi))];
}

function upsample(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const scales = ctx.opset < 9 ? ctx.attrs.floats("scales", []) : numberValues(tensorAt(inputs, 1, ctx));
  const mode = ctx.attrs.string("mode", "nearest");
  const spec = { mode, coordinateMode: "asymmetric", nearestMode: "floor", cubicA: -0.75, exclude: false, extrapolation: 0, antialias: false, keepAspect: "stretch" };
  return [resizeCore(x, spec, ctx, scales, undefined, undefined, undefined)];
}

export const resizeOps: OpFamily = {
  Resize: resize,
  Upsample: upsample,
};
