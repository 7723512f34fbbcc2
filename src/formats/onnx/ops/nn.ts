/**
 * Neural-network operators: Conv, ConvTranspose, MaxPool (with ONNX's flat indices),
 * AveragePool, LpPool, the Global pools, and the normalizations (BatchNormalization,
 * InstanceNormalization, LayerNormalization, GroupNormalization, RMSNormalization, LRN,
 * LpNormalization, MeanVarianceNormalization) and Dropout. Padding follows ONNX: `pads`
 * lists all begins then all ends; auto_pad SAME_UPPER/SAME_LOWER/VALID computes them.
 */
import type { DType } from "../../../core/dtype.ts";
import { ShapeError } from "../../../core/errors.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext, OpImpl } from "../../../graph/interpreter.ts";
import { apply, apply1 } from "../../../ops/apply.ts";
import { ones, zeros } from "../../../ops/creation.ts";
import { dropoutMask } from "./random.ts";
import { mean } from "../../../ops/composite/reduction.ts";
import { convOps } from "../../../ops/defs/conv.ts";
import { poolOps } from "../../../ops/defs/pool.ts";
import { amax, sum } from "../../../ops/defs/reduce.ts";
import { cat, pad } from "../../../ops/defs/shape.ts";
import { reshape, to } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { invalid, normAxis, numberValues, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padBegin: number[];
  padEnd: number[];
}

interface Pads {
  padBegin: number[];
  padEnd: number[];
}

/** Splits each dim's total padding: SAME_UPPER puts the odd position at the end, SAME_LOWER (and ConvTranspose's default) at the start. */
function splitTotals(totals: readonly number[], upper: boolean): Pads {
  const half = totals.map((t) => Math.floor(t / 2));
  return { padBegin: totals.map((t, i) => (upper ? half[i]! : t - half[i]!)), padEnd: totals.map((t, i) => (upper ? t - half[i]! : half[i]!)) };
}

/** Pads of auto_pad VALID (none) or of the `pads` attribute (all begins, then all ends). */
function attributePads(ctx: OpContext, nd: number): Pads {
  const pads = ctx.attrs.string("auto_pad", "NOTSET") === "VALID" ? undefined : ctx.attrs.ints("pads");
  const all = pads ?? new Array<number>(2 * nd).fill(0);
  return { padBegin: all.slice(0, nd), padEnd: all.slice(nd, 2 * nd) };
}

/** Kernel, strides, dilations and pads of a conv or pool node over `spatial` input sizes. */
function windowOf(ctx: OpContext, spatial: readonly number[], kernel: number[]): Window {
  const nd = spatial.length;
  const strides = ctx.attrs.ints("strides") ?? new Array<number>(nd).fill(1);
  const dilations = ctx.attrs.ints("dilations") ?? new Array<number>(nd).fill(1);
  const autoPad = ctx.attrs.string("auto_pad", "NOTSET");
  let pads: Pads;
  if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const totals = spatial.map((n, i) => Math.max(0, (Math.ceil(n / strides[i]!) - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - n));
    pads = splitTotals(totals, autoPad === "SAME_UPPER");
  } else pads = attributePads(ctx, nd);
  return { kernel, strides, dilations, ...pads };
}

function conv(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const w = tensorAt(inputs, 1, ctx);
  const b = optionalTensorAt(inputs, 2, ctx);
  const kernel = ctx.attrs.ints("kernel_shape") ?? w.shape.slice(2);
  const win = windowOf(ctx, x.shape.slice(2), kernel);
  const groups = ctx.attrs.int("group", 1);
  const attrs = { stride: win.strides, padBegin: win.padBegin, padEnd: win.padEnd, dilation: win.dilations, groups };
  return [apply1(convOps.conv, b ? [x, w, b] : [x, w], attrs)];
}

function convTranspose(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const w = tensorAt(inputs, 1, ctx);
  const b = optionalTensorAt(inputs, 2, ctx);
  const spatial = x.shape.slice(2);
  const nd = spatial.length;
  const kernel = ctx.attrs.ints("kernel_shape") ?? w.shape.slice(2);
  const strides = ctx.attrs.ints("strides") ?? new Array<number>(nd).fill(1);
  const dilations = ctx.attrs.ints("dilations") ?? new Array<number>(nd).fill(1);
  const outputPadding = ctx.attrs.ints("output_padding") ?? new Array<number>(nd).fill(0);
  const outputShape = ctx.attrs.ints("output_shape");
  const autoPad = ctx.attrs.string("auto_pad", "NOTSET");
  const full = (i: number) => strides[i]! * (spatial[i]! - 1) + outputPadding[i]! + (kernel[i]! - 1) * dilations[i]! + 1;
  let pads: Pads;
  if (outputShape || autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const target = outputShape ? outputShape.slice(-nd) : spatial.map((n, i) => n * strides[i]!);
    pads = splitTotals(target.map((t, i) => full(i) - t), autoPad === "SAME_UPPER");
  } else pads = attributePads(ctx, nd);
  const { padBegin, padEnd } = pads;
  const attrs = { stride: strides, padBegin, padEnd, dilation: dilations, groups: ctx.attrs.int("group", 1), outputPadding };
  return [apply1(convOps.convTranspose, b ? [x, w, b] : [x, w], attrs)];
}

/** Pads explicitly (with `value`) when pads exceed half the kernel, which the pool primitives refuse. */
function explicitPads(x: Tensor, win: Window, value: number): { x: Tensor; win: Window } {
  const half = win.kernel.map((k, i) => Math.floor(((k - 1) * win.dilations[i]! + 1) / 2));
  if (win.padBegin.every((p, i) => p <= half[i]!) && win.padEnd.every((p, i) => p <= half[i]!)) return { x, win };
  const pairs: number[] = [];
  for (let i = win.kernel.length - 1; i >= 0; i--) pairs.push(win.padBegin[i]!, win.padEnd[i]!);
  const zeros = win.kernel.map(() => 0);
  return { x: pad(x, pairs, "constant", value), win: { ...win, padBegin: zeros, padEnd: zeros } };
}

function maxPool(inputs: Inputs, ctx: OpContext): Tensor[] {
  const input = tensorAt(inputs, 0, ctx);
  const kernel = ctx.attrs.ints("kernel_shape") ?? [];
  const { x, win } = explicitPads(input, windowOf(ctx, input.shape.slice(2), kernel), -Infinity);
  const ceilMode = ctx.attrs.int("ceil_mode", 0) === 1;
  const attrs = { kernelSize: win.kernel, stride: win.strides, padBegin: win.padBegin, padEnd: win.padEnd, ceilMode, dilation: win.dilations };
  const [values, planeIndices] = apply(poolOps.maxPool, [x], attrs) as [Tensor, Tensor];
  if (ctx.node.outputs.length < 2 || ctx.node.outputs[1] === "") return [values];
  // ONNX indices are flat over the whole tensor (row-major; column-major with storage_order=1).
  const plane = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  let idx = planeIndices;
  if (ctx.attrs.int("storage_order", 0) === 1 && x.ndim === 4) {
    const [h, w] = [x.shape[2]!, x.shape[3]!];
    idx = idx.remainder(w).mul(h).add(idx.div(w, "floor"));
  }
  const offsets = reshape(to(rangeTensor(n * c), "int64").mul(plane), [n, c, ...x.shape.slice(2).map(() => 1)]);
  return [values, idx.add(offsets)];
}

function rangeTensor(n: number): Tensor {
  return ones([n], { dtype: "int64" }).cumsum(0).sub(1);
}

/**
 * Window sums as a depthwise convolution with a ones kernel: handles dilations, pads
 * beyond half the kernel and ceil mode (the positions past the end that ceil mode adds
 * are zeros that do not count).
 */
function windowSum(x: Tensor, win: Window, ceilMode: boolean, padValue: number): Tensor {
  const spatial = x.shape.slice(2);
  const extra = spatial.map((n, i) => {
    const k = (win.kernel[i]! - 1) * win.dilations[i]! + 1;
    const span = n + win.padBegin[i]! + win.padEnd[i]! - k;
    const floorOut = Math.floor(span / win.strides[i]!) + 1;
    let out = ceilMode ? Math.ceil(span / win.strides[i]!) + 1 : floorOut;
    // The last window must start inside the input or its left padding.
    if (ceilMode && (out - 1) * win.strides[i]! >= n + win.padBegin[i]!) out--;
    return Math.max(0, (out - 1) * win.strides[i]! + k - (n + win.padBegin[i]! + win.padEnd[i]!));
  });
  const pairs: number[] = [];
  for (let i = spatial.length - 1; i >= 0; i--) pairs.push(win.padBegin[i]!, win.padEnd[i]!);
  let padded = pad(x, pairs, "constant", padValue);
  const more: number[] = [];
  for (let i = spatial.length - 1; i >= 0; i--) more.push(0, extra[i]!);
  padded = pad(padded, more, "constant", 0);
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  // Checked before the kernel of ones is made: a kernel_shape far larger than the input would allocate it in vain.
  win.kernel.forEach((k, i) => {
    if ((k - 1) * win.dilations[i]! + 1 > padded.shape[2 + i]!)
      throw new ShapeError(`window of ${k} (dilation ${win.dilations[i]}) is larger than the padded input's ${padded.shape[2 + i]} along spatial dim ${i}`);
  });
  const planes = reshape(padded, [n * c, 1, ...padded.shape.slice(2)]);
  const kernel = ones([1, 1, ...win.kernel], { dtype: x.dtype });
  const zeros = win.kernel.map(() => 0);
  const out = apply1(convOps.conv, [planes, kernel], { stride: win.strides, padBegin: zeros, padEnd: zeros, dilation: win.dilations, groups: 1 });
  return reshape(out, [n, c, ...out.shape.slice(2)]);
}

function averagePool(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const kernel = ctx.attrs.ints("kernel_shape") ?? [];
  const countIncludePad = ctx.attrs.int("count_include_pad", 0) === 1;
  const win = windowOf(ctx, x.shape.slice(2), kernel);
  const ceilMode = ctx.attrs.int("ceil_mode", 0) === 1;
  const half = win.kernel.map((k) => Math.floor(k / 2));
  const simple = win.dilations.every((d) => d === 1) && win.padBegin.every((p, i) => p <= half[i]!) && win.padEnd.every((p, i) => p <= half[i]!);
  if (simple) {
    const attrs = { kernelSize: win.kernel, stride: win.strides, padBegin: win.padBegin, padEnd: win.padEnd, ceilMode, countIncludePad, divisorOverride: null };
    return [apply1(poolOps.avgPool, [x], attrs)];
  }
  const sums = windowSum(x, win, ceilMode, 0);
  const counts = windowSum(ones(x.shape, { dtype: x.dtype }), win, ceilMode, countIncludePad ? 1 : 0);
  return [sums.div(counts)];
}

function lpPool(inputs: Inputs, ctx: OpContext): Tensor[] {
  const input = tensorAt(inputs, 0, ctx);
  const p = ctx.attrs.int("p", 2);
  const kernel = ctx.attrs.ints("kernel_shape") ?? [];
  const win = windowOf(ctx, input.shape.slice(2), kernel);
  return [windowSum(input.abs().pow(p), win, ctx.attrs.int("ceil_mode", 0) === 1, 0).pow(1 / p)];
}

const spatialDims = (x: Tensor) => x.shape.slice(2).map((_, i) => i + 2);

/** Statistics in float32 for 16-bit floats (ONNX stash_type 1), else in the input's type. */
const statType = (d: DType): DType => (d === "float16" || d === "bfloat16" ? "float32" : d);

/** Broadcasts a per-channel [C] vector against [N, C, ...]. */
const perChannel = (v: Tensor, x: Tensor) => reshape(v, [v.size, ...x.shape.slice(2).map(() => 1)]);

function batchNorm(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const [scale, bias, runMean, runVar] = [1, 2, 3, 4].map((i) => tensorAt(inputs, i, ctx));
  const eps = ctx.attrs.float("epsilon", 1e-5);
  const momentum = ctx.attrs.float("momentum", 0.9);
  const training = ctx.opset >= 14 ? ctx.attrs.int("training_mode", 0) === 1 : ctx.node.outputs.length > 1 && ctx.opset < 9;
  const xs = x;
  const c = (v: Tensor) => perChannel(v, xs);
  if (!training) {
    const y = xs.sub(c(runMean!)).div(c(runVar!).add(eps).sqrt()).mul(c(scale!)).add(c(bias!));
    return [to(y, x.dtype)];
  }
  const dims = [0, ...spatialDims(x)];
  const m = mean(x, dims);
  const v = mean(x.sub(c(m)).pow(2), dims);
  const y = x.sub(c(m)).div(c(v).add(eps).sqrt()).mul(c(scale!)).add(c(bias!));
  const newMean = runMean!.mul(momentum).add(m.mul(1 - momentum));
  const newVar = runVar!.mul(momentum).add(v.mul(1 - momentum));
  return [y, newMean, newVar];
}

/** (x - mean) / sqrt(var + eps) over `dims`, in the statistics type; returns y and the stats. */
function normalize(x: Tensor, dims: number[], eps: number, stash: DType): { y: Tensor; mean: Tensor; invStd: Tensor } {
  const xs = to(x, stash);
  const m = mean(xs, dims, { keepdim: true });
  const d = xs.sub(m);
  const invStd = mean(d.mul(d), dims, { keepdim: true }).add(eps).rsqrt();
  return { y: d.mul(invStd), mean: m, invStd };
}

function instanceNorm(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const [scale, bias] = [1, 2].map((i) => tensorAt(inputs, i, ctx));
  const { y } = normalize(x, spatialDims(x), ctx.attrs.float("epsilon", 1e-5), statType(x.dtype));
  return [to(y.mul(perChannel(scale!, x)).add(perChannel(bias!, x)), x.dtype)];
}

function layerNorm(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const scale = tensorAt(inputs, 1, ctx);
  const bias = optionalTensorAt(inputs, 2, ctx);
  const axis = normAxis(ctx.attrs.int("axis", -1), x.ndim, ctx);
  const stash = ctx.attrs.int("stash_type", 1) === 1 ? statType(x.dtype) : x.dtype;
  const dims = x.shape.map((_, i) => i).filter((i) => i >= axis);
  const { y, mean: m, invStd } = normalize(x, dims, ctx.attrs.float("epsilon", 1e-5), stash);
  let out = to(y, x.dtype).mul(scale);
  if (bias) out = out.add(bias);
  return [out, m, invStd];
}

function groupNorm(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const [scale, bias] = [1, 2].map((i) => tensorAt(inputs, i, ctx));
  const groups = ctx.attrs.int("num_groups", 1);
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const grouped = reshape(x, [n, groups, -1]);
  const stash = ctx.attrs.int("stash_type", 1) === 1 ? statType(x.dtype) : x.dtype;
  const { y } = normalize(grouped, [2], ctx.attrs.float("epsilon", 1e-5), stash);
  // Opset 18 had per-group scale and bias; opset 21 per-channel.
  const expandGroups = (v: Tensor) => (v.size === groups && groups !== c ? v.repeatInterleave(c / groups) : v);
  const out = to(reshape(y, x.shape), x.dtype).mul(perChannel(expandGroups(scale!), x)).add(perChannel(expandGroups(bias!), x));
  return [out];
}

function rmsNorm(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const scale = tensorAt(inputs, 1, ctx);
  const axis = normAxis(ctx.attrs.int("axis", -1), x.ndim, ctx);
  const stash = ctx.attrs.int("stash_type", 1) === 1 ? statType(x.dtype) : x.dtype;
  const dims = x.shape.map((_, i) => i).filter((i) => i >= axis);
  const xs = to(x, stash);
  const inv = mean(xs.mul(xs), dims, { keepdim: true }).add(ctx.attrs.float("epsilon", 1e-5)).rsqrt();
  return [to(xs.mul(inv), x.dtype).mul(scale)];
}

function lrn(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const size = ctx.attrs.int("size", 1);
  const alpha = ctx.attrs.float("alpha", 1e-4);
  const beta = ctx.attrs.float("beta", 0.75);
  const bias = ctx.attrs.float("bias", 1);
  const c = x.shape[1]!;
  if (!(size >= 1)) throw invalid(ctx, `size must be positive, got ${size}`);
  // Window positions more than c - 1 channels away only ever see zero padding: leave them out,
  // so a huge size costs no more than size = 2c - 1.
  const before = Math.min(Math.floor((size - 1) / 2), c - 1);
  const after = Math.min(Math.ceil((size - 1) / 2), c - 1);
  const sq = x.mul(x);
  const pairs = new Array<number>(2 * (x.ndim - 2)).fill(0);
  const padded = pad(sq, [...pairs, before, after]);
  let acc = padded.narrow(1, 0, c);
  for (let k = 1; k <= before + after; k++) acc = acc.add(padded.narrow(1, k, c));
  return [x.div(acc.mul(alpha / size).add(bias).pow(beta))];
}

function dropout(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  let ratio = ctx.attrs.float("ratio", 0.5);
  let training = false;
  if (ctx.opset >= 12) {
    const r = optionalTensorAt(inputs, 1, ctx);
    if (r) ratio = numberValues(r)[0]!;
    const t = optionalTensorAt(inputs, 2, ctx);
    training = t ? numberValues(t)[0] !== 0 : false;
  } else if (ctx.opset < 7) training = ctx.attrs.int("is_test", 0) === 0;
  if (!training || ratio === 0) return [x, ones(x.shape, { dtype: "bool" })];
  const mask = dropoutMask(x.shape, ratio, ctx);
  return [x.mul(mask).div(1 - ratio).to(x.dtype), mask];
}

function lpNorm(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const axis = normAxis(ctx.attrs.int("axis", -1), x.ndim, ctx);
  const p = ctx.attrs.int("p", 2);
  const norm = p === 1 ? sum(x.abs(), [axis], { keepdim: true }) : sum(x.mul(x), [axis], { keepdim: true }).sqrt();
  // A zero norm gives 0 (ONNX's reference divides only where the norm is nonzero).
  return [x.div(norm.where(norm.ne(0), 1))];
}

function mvn(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const axes = (ctx.attrs.ints("axes") ?? [0, 2, 3]).map((a) => normAxis(a, x.ndim, ctx));
  const m = mean(x, axes, { keepdim: true });
  const d = x.sub(m);
  const variance = mean(x.mul(x), axes, { keepdim: true }).sub(m.mul(m));
  return [d.div(variance.sqrt().add(1e-9))];
}

const globalPool =
  (f: (x: Tensor, dims: number[]) => Tensor): OpImpl =>
  (inputs, ctx) => {
    const x = tensorAt(inputs, 0, ctx);
    return [f(x, spatialDims(x))];
  };

function globalLpPool(x: Tensor, dims: number[], p: number): Tensor {
  return sum(x.abs().pow(p), dims, { keepdim: true }).pow(1 / p);
}

/** CausalConvWithState (opset 27): depthwise causal conv1d continuing from past_state; returns the new state. */
function causalConvWithState(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const w = tensorAt(inputs, 1, ctx);
  const bias = optionalTensorAt(inputs, 2, ctx);
  const past = optionalTensorAt(inputs, 3, ctx);
  const activation = ctx.attrs.string("activation", "none");
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const k = w.shape[2]!;
  const padded = cat([past ?? zeros([n, c, k - 1], { dtype: x.dtype }), x], 2);
  const attrs = { stride: [1], padBegin: [0], padEnd: [0], dilation: [1], groups: c };
  let y = apply1(convOps.conv, bias ? [padded, w, bias] : [padded, w], attrs);
  if (activation === "silu" || activation === "swish") y = to(to(y, "float32").mul(to(y, "float32").sigmoid()), x.dtype);
  else if (activation !== "none") throw invalid(ctx, `unknown activation ${activation}`);
  return [y, padded.narrow(2, padded.shape[2]! - (k - 1), k - 1)];
}

export const nnOps: OpFamily = {
  CausalConvWithState: causalConvWithState,
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: maxPool,
  AveragePool: averagePool,
  LpPool: lpPool,
  GlobalAveragePool: globalPool((x, d) => mean(x, d, { keepdim: true })),
  GlobalMaxPool: globalPool((x, d) => amax(x, d, { keepdim: true })),
  GlobalLpPool: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, ctx);
    return [globalLpPool(x, spatialDims(x), ctx.attrs.int("p", 2))];
  },
  BatchNormalization: batchNorm,
  InstanceNormalization: instanceNorm,
  LayerNormalization: layerNorm,
  GroupNormalization: groupNorm,
  RMSNormalization: rmsNorm,
  LRN: lrn,
  Dropout: dropout,
  LpNormalization: lpNorm,
  MeanVarianceNormalization: mvn,
};
