/**
 * Normalization. Two primitives, because a backend must see them whole to compute each
 * group's statistics and normalize it in one fused pass: `layerNorm` (ONNX
 * LayerNormalization, opset 17) and batch normalization, as `batchNormTraining` (batch
 * statistics) and `batchNormInference` (given statistics: ONNX BatchNormalization, opset
 * 15). `groupNorm` is written with the layerNorm primitive and `rmsNorm` with elementwise
 * ops and a mean; both live here beside the primitives they reuse.
 *
 * Note: optional norm inputs. PyTorch's weight and bias are `Tensor?`. The records take the
 * ones present after the required inputs, weight before bias, and the attributes say which
 * are there (`hasWeight`, `hasBias`); `affineOf` finds them again, in kernels too.
 *
 * Note: norm statistics as outputs. As PyTorch's native_layer_norm (mean, rstd) and ONNX's
 * LayerNormalization (Mean, InvStdDev), the primitives return the statistics they computed
 * beside y: the vjp reads them instead of recomputing them. The first backward's graph then
 * uses those outputs, so in double backward gradients reach them; the vjp takes them into
 * account (∂μ/∂x = 1/N, ∂var/∂x = 2(x − μ)/N), which is what makes every order of
 * derivative right. For half inputs the statistics are float32, as the kernels compute in
 * float32 (PyTorch's opmath) and round only y.
 *
 * Note: normalization gradients. With x̂ = (x − μ)·r over groups of N elements,
 * r = 1/√(var + eps) (biased variance), y = x̂·w + b and ĝ = g·w, PyTorch's
 * native_layer_norm_backward and batch_norm_backward (training) give
 *   dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),   dw = Σ g·x̂,   db = Σ g
 * (means over each group; dw and db sum over the dims w is broadcast along). Gradients gμ
 * and gvar reaching the statistics outputs add gμ/N + gvar·2(x − μ)/N = gμ/N + x̂·2·gvar/(N·r),
 * which fold into the two per-group coefficients, so they cost no pass over x.
 *
 * Note: layerNorm's backward. For layerNorm the backward is a primitive of its own,
 * `layerNormBackward` (PyTorch's native_layer_norm_backward, with gμ and grstd as inputs),
 * so that a backend computes dx in one fused pass per row, and dw, db in one over columns:
 *   dx = r·ĝ − x̂·c2 − c1,  c1 = r·mean(ĝ) − gμ/N,  c2 = r·mean(ĝ·x̂) + grstd·r²/N
 * (grstd = −2·gvar/r³). Its own vjp, the second derivatives (PyTorch's
 * layer_norm_double_backward), is written with ops: with u the gradient of dx,
 * U0 = Σu, U1 = Σu·x̂ and A, B the two means above (per group),
 *   ∂/∂ĝ = r·(u − U0/N − x̂·U1/N),  ∂/∂x̂ = −c2·u − U1·r·ĝ/N,
 *   ∂/∂gμ = U0/N,  ∂/∂grstd = −U1·r²/N,  ∂/∂r = Σu·ĝ − U1·(B + 2·grstd·r/N) − U0·A + Σ(∂/∂x̂)·x̂/r,
 * and x̂ = (x − μ)·r, ĝ = g·w pass them on to x, μ, g and w. Gradients of dw = Σ g·x̂ and
 * db = Σ g add to ∂/∂g and ∂/∂x̂.
 */
import { isFloating, type DType } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape, numel, shapesEqual } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { noGrad } from "../../autograd/grad-mode.ts";
import { apply, apply1 } from "../apply.ts";
import { defineOp, type Inference, type TensorMeta } from "../define-op.ts";

/** Which optional inputs a norm record was given (see Note: optional norm inputs). */
export interface AffineAttrs {
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
}

export interface LayerNormAttrs extends AffineAttrs {
  /** The first normalized dim: statistics are taken over dims axis..ndim−1 (ONNX's `axis`). */
  readonly axis: number;
  readonly eps: number;
}

export interface LayerNormBackwardAttrs {
  readonly axis: number;
  /** The weight is among the inputs. */
  readonly hasWeight: boolean;
  /** Also output dw = Σ g·x̂ (needs a weight) and db = Σ g, over the batch dims. */
  readonly weightGrad: boolean;
  readonly biasGrad: boolean;
}

export interface BatchNormAttrs extends AffineAttrs {
  readonly eps: number;
}

/** The optional weight and bias among `rest`, the inputs after the required ones. */
export function affineOf<T>(rest: readonly T[], attrs: AffineAttrs): { weight: T | undefined; bias: T | undefined } {
  return {
    weight: attrs.hasWeight ? rest[0] : undefined,
    bias: attrs.hasBias ? rest[attrs.hasWeight ? 1 : 0] : undefined,
  };
}

const isHalf = (d: DType) => d === "float16" || d === "bfloat16";

/** The dtype statistics are kept in: float32 for half inputs (see Note: norm statistics as outputs). */
export const statsDType = (d: DType): DType => (isHalf(d) ? "float32" : d);

function checkFloating(op: string, x: TensorMeta): void {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: expected a floating point input, got ${x.dtype}`);
}

/** PyTorch takes the parameters in the input's dtype (running statistics of half inputs may be float32). */
function checkParamDType(op: string, name: string, x: TensorMeta, p: TensorMeta, allowFloat32 = false): void {
  if (p.dtype === x.dtype || (allowFloat32 && isHalf(x.dtype) && p.dtype === "float32")) return;
  throw new DTypeError(`${op}: expected ${name} of dtype ${x.dtype} (the input's), got ${p.dtype}`);
}

/** [1, C, 1, ...]: a per-channel vector shaped to broadcast against an [N, C, ...] input. */
function channelView(t: Tensor, ndim: number): Tensor {
  return t.reshape([1, -1, ...new Array<number>(ndim - 2).fill(1)]);
}

/** Dims 0..n−1 except `skip`. */
const dimsExcept = (n: number, skip: (d: number) => boolean) => Array.from({ length: n }, (_, d) => d).filter((d) => !skip(d));

/** Σ over `dims`, or t itself when there are none (an empty list would sum everything). */
const sumOver = (t: Tensor, dims: readonly number[]) => (dims.length > 0 ? t.sum([...dims]) : t);

/**
 * dx of a normalization (see Note: normalization gradients) from x̂ = (x − μ)·r. `rstd`,
 * `gMean` and `gVar` are shaped to broadcast against x; `dims` are the dims each group spans.
 */
function normalizedInputGradient(
  g: Tensor, xhat: Tensor, rstd: Tensor, weight: Tensor | undefined, dims: readonly number[], gMean: Tensor, gVar: Tensor,
): Tensor {
  const n = dims.reduce((p, d) => p * xhat.shape[d]!, 1);
  const gh = weight ? g.mul(weight) : g;
  const groupMean = (t: Tensor) => t.sum([...dims], { keepdim: true }).div(n);
  const c1 = groupMean(gh).mul(rstd).sub(gMean.div(n));
  const c2 = groupMean(gh.mul(xhat)).mul(rstd).sub(gVar.mul(2 / n).div(rstd));
  return gh.mul(rstd).sub(xhat.mul(c2)).sub(c1);
}

/** Computing dtype of a backward: float32 for half tensors, as PyTorch's backward kernels. */
const opmath = (t: Tensor) => (isHalf(t.dtype) ? t.to("float32") : t);

/** `make()` computed on first call only. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

function inferLayerNorm(metas: readonly TensorMeta[], attrs: LayerNormAttrs): Inference {
  const [x, ...rest] = metas as [TensorMeta, ...TensorMeta[]];
  checkFloating("layerNorm", x);
  const { axis } = attrs;
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length)
    throw new ShapeError(`layerNorm: axis ${axis} is out of range for an input of shape ${formatShape(x.shape)}`);
  const normalized = x.shape.slice(axis);
  const { weight, bias } = affineOf(rest, attrs);
  for (const [name, p] of [["weight", weight], ["bias", bias]] as const) {
    if (!p) continue;
    if (!shapesEqual(p.shape, normalized))
      throw new ShapeError(`layerNorm: expected ${name} of shape ${formatShape(normalized)} (the normalized shape), got ${formatShape(p.shape)}`);
    checkParamDType("layerNorm", name, x, p);
  }
  const stats = { shape: x.shape.map((n, d) => (d < axis ? n : 1)), dtype: statsDType(x.dtype) };
  return { outputs: [{ shape: x.shape, dtype: x.dtype }, stats, stats] };
}

/** Checks the input [N, C, ...] and per-channel parameters of a batch norm; returns C. */
function checkBatchNorm(op: string, x: TensorMeta, params: readonly [string, TensorMeta | undefined][]): number {
  checkFloating(op, x);
  if (x.shape.length < 2) throw new ShapeError(`${op}: expected an input of at least 2 dims [N, C, ...], got ${formatShape(x.shape)}`);
  const channels = x.shape[1]!;
  for (const [name, p] of params) {
    if (!p) continue;
    if (numel(p.shape) !== channels) throw new ShapeError(`${op}: ${name} should contain ${channels} elements not ${numel(p.shape)}`);
    checkParamDType(op, name, x, p, true);
  }
  return channels;
}

export const normOps = {
  /**
   * Layer normalization over dims axis..ndim−1: y = (x − μ)/√(var + eps)·w + b, with
   * outputs [y, μ, 1/√(var + eps)] (statistics keep the normalized dims as 1s).
   */
  layerNorm: defineOp<LayerNormAttrs>({
    name: "layerNorm",
    inputs: ["x", "weight", "bias"],
    infer: inferLayerNorm,
    vjp: ([g, gMean, gRstd], { inputs, outputs, metas, attrs, needsGrad }) => {
      const weightIndex = attrs.hasWeight ? 1 : -1;
      const biasIndex = attrs.hasBias ? (attrs.hasWeight ? 2 : 1) : -1;
      const weightGrad = weightIndex > 0 && needsGrad[weightIndex]!;
      const biasGrad = biasIndex > 0 && needsGrad[biasIndex]!;
      const weight = weightIndex > 0 ? [inputs[weightIndex]!] : [];
      const [dx, ...rest] = apply(normOps.layerNormBackward, [g!, gMean!, gRstd!, inputs[0]!, outputs[1]!, outputs[2]!, ...weight], {
        axis: attrs.axis,
        hasWeight: attrs.hasWeight,
        weightGrad,
        biasGrad,
      });
      const grads: (Tensor | null)[] = metas.map(() => null);
      if (needsGrad[0]) grads[0] = dx!;
      if (weightGrad) grads[weightIndex] = rest[0]!;
      if (biasGrad) grads[biasIndex] = rest[weightGrad ? 1 : 0]!;
      return grads;
    },
    onnx: { type: "LayerNormalization", sinceOpset: 17 },
  }),
  /**
   * The gradients of layerNorm from those of its three outputs (see Note: layerNorm's
   * backward): inputs g, gμ, grstd, x, μ, rstd and the weight when there is one; outputs
   * dx, then dw and db when asked.
   */
  layerNormBackward: defineOp<LayerNormBackwardAttrs>({
    name: "layerNormBackward",
    inputs: ["g", "gMean", "gRstd", "x", "mean", "rstd", "weight"],
    infer: (metas, attrs) => {
      const [g, gMean, gRstd, x, mean, rstd, weight] = metas as TensorMeta[];
      const stats = x!.shape.map((n, d) => (d < attrs.axis ? n : 1));
      const expected: [string, TensorMeta | undefined, readonly number[]][] = [
        ["g", g, x!.shape], ["gMean", gMean, stats], ["gRstd", gRstd, stats], ["mean", mean, stats], ["rstd", rstd, stats],
      ];
      if (attrs.hasWeight) expected.push(["weight", weight, x!.shape.slice(attrs.axis)]);
      for (const [name, t, shape] of expected) {
        if (!t || !shapesEqual(t.shape, shape)) throw new ShapeError(`layerNormBackward: expected ${name} of shape ${formatShape(shape)}, got ${t ? formatShape(t.shape) : "none"}`);
      }
      if (attrs.weightGrad && !attrs.hasWeight) throw new ValueError("layerNormBackward: weightGrad needs the weight");
      const param = { shape: x!.shape.slice(attrs.axis), dtype: x!.dtype };
      return { outputs: [{ shape: x!.shape, dtype: x!.dtype }, ...(attrs.weightGrad ? [param] : []), ...(attrs.biasGrad ? [param] : [])] };
    },
    vjp: ([u, ...paramGrads], { inputs, metas, attrs, needsGrad }) => {
      const ndim = metas[3]!.shape.length;
      const dims = dimsExcept(ndim, (d) => d < attrs.axis);
      const n = dims.reduce((p, d) => p * metas[3]!.shape[d]!, 1);
      const rowSum = (t: Tensor) => t.sum(dims, { keepdim: true });
      const ug = opmath(u!);
      const g = opmath(inputs[0]!);
      const gRstd = inputs[2]!;
      const mean = inputs[4]!;
      const r = inputs[5]!;
      const weight = attrs.hasWeight ? opmath(inputs[6]!) : undefined;
      const xhat = opmath(inputs[3]!).sub(mean).mul(r);
      const gh = weight ? g.mul(weight) : g;
      const u0 = rowSum(ug);
      const u1 = rowSum(ug.mul(xhat));
      const a = rowSum(gh).div(n);
      const b = rowSum(gh.mul(xhat)).div(n);
      const c2 = r.mul(b).add(gRstd.mul(r).mul(r).div(n));
      const dGh = ug.sub(u0.div(n)).sub(xhat.mul(u1.div(n))).mul(r);
      let dXhat = ug.mul(c2).neg().sub(gh.mul(u1.mul(r).div(n)));
      let dG = weight ? dGh.mul(weight) : dGh;
      // dw = Σ g·x̂ and db = Σ g over the batch dims: their gradients broadcast back.
      const uw = attrs.weightGrad ? opmath(paramGrads[0]!) : undefined;
      const ub = attrs.biasGrad ? opmath(paramGrads[attrs.weightGrad ? 1 : 0]!) : undefined;
      if (uw) {
        dG = dG.add(xhat.mul(uw));
        dXhat = dXhat.add(g.mul(uw));
      }
      if (ub) dG = dG.add(ub);
      const grads: (Tensor | null)[] = metas.map(() => null);
      const cast = (t: Tensor, i: number) => t.to(metas[i]!.dtype);
      if (needsGrad[0]) grads[0] = cast(dG, 0);
      if (needsGrad[1]) grads[1] = cast(u0.div(n), 1);
      if (needsGrad[2]) grads[2] = cast(u1.mul(r).mul(r).div(-n), 2);
      if (needsGrad[3]) grads[3] = cast(dXhat.mul(r), 3);
      if (needsGrad[4]) grads[4] = cast(rowSum(dXhat).mul(r).neg(), 4);
      if (needsGrad[5]) {
        const explicit = rowSum(ug.mul(gh)).sub(u1.mul(b.add(gRstd.mul(r).mul(2 / n)))).sub(u0.mul(a));
        grads[5] = cast(explicit.add(rowSum(dXhat.mul(xhat)).div(r)), 5);
      }
      if (attrs.hasWeight && needsGrad[6]) grads[6] = cast(sumOver(dGh.mul(g), dimsExcept(ndim, (d) => d >= attrs.axis)), 6);
      return grads;
    },
    onnx: { type: "LayerNormalizationGrad", domain: "com.microsoft", pattern: "onnxruntime's training op (it has no gMean and gRstd inputs)" },
  }),
  /**
   * Batch normalization with the batch's statistics over every dim but the channel dim 1:
   * outputs [y, μ, var] (var biased, per channel [C]); the caller updates running statistics.
   */
  batchNormTraining: defineOp<BatchNormAttrs>({
    name: "batchNormTraining",
    inputs: ["x", "weight", "bias"],
    infer: (metas, attrs) => {
      const [x, ...rest] = metas as [TensorMeta, ...TensorMeta[]];
      const { weight, bias } = affineOf(rest, attrs);
      const channels = checkBatchNorm("batchNorm", x, [["weight", weight], ["bias", bias]]);
      const stats = { shape: [channels], dtype: statsDType(x.dtype) };
      return { outputs: [{ shape: x.shape, dtype: x.dtype }, stats, stats] };
    },
    vjp: ([g, gMean, gVar], { inputs, outputs, metas, attrs, needsGrad }) => {
      const ndim = metas[0]!.shape.length;
      const dims = dimsExcept(ndim, (d) => d === 1);
      const weightIndex = attrs.hasWeight ? 1 : -1;
      const biasIndex = attrs.hasBias ? (attrs.hasWeight ? 2 : 1) : -1;
      const gy = opmath(g!);
      const rstd = once(() => channelView(outputs[2]!, ndim).add(attrs.eps).rsqrt());
      const xhat = once(() => opmath(inputs[0]!).sub(channelView(outputs[1]!, ndim)).mul(rstd()));
      const grads: (Tensor | null)[] = metas.map(() => null);
      if (needsGrad[0]) {
        const weight = weightIndex > 0 ? channelView(opmath(inputs[weightIndex]!), ndim) : undefined;
        const dx = normalizedInputGradient(gy, xhat(), rstd(), weight, dims, channelView(gMean!, ndim), channelView(gVar!, ndim));
        grads[0] = dx.to(metas[0]!.dtype);
      }
      if (weightIndex > 0 && needsGrad[weightIndex])
        grads[weightIndex] = gy.mul(xhat()).sum(dims).reshape(metas[weightIndex]!.shape).to(metas[weightIndex]!.dtype);
      if (biasIndex > 0 && needsGrad[biasIndex]) grads[biasIndex] = gy.sum(dims).reshape(metas[biasIndex]!.shape).to(metas[biasIndex]!.dtype);
      return grads;
    },
    onnx: {
      type: "BatchNormalization",
      sinceOpset: 15,
      pattern: "BatchNormalization with training_mode=1 for y; the batch mean and variance as ReduceMean of x and of (x − mean)²",
    },
  }),
  /**
   * Batch normalization with given per-channel statistics (eval mode):
   * y = (x − mean)/√(var + eps)·w + b.
   */
  batchNormInference: defineOp<BatchNormAttrs>({
    name: "batchNormInference",
    inputs: ["x", "mean", "var", "weight", "bias"],
    infer: (metas, attrs) => {
      const [x, mean, variance, ...rest] = metas as [TensorMeta, TensorMeta, TensorMeta, ...TensorMeta[]];
      const { weight, bias } = affineOf(rest, attrs);
      checkBatchNorm("batchNorm", x, [["running_mean", mean], ["running_var", variance], ["weight", weight], ["bias", bias]]);
      return { outputs: [{ shape: x.shape, dtype: x.dtype }] };
    },
    // PyTorch refuses gradients for the running statistics; here they are plain inputs of a
    // differentiable function (as in ONNX), so they get theirs.
    vjp: ([g], { inputs, metas, attrs, needsGrad }) => {
      const ndim = metas[0]!.shape.length;
      const dims = dimsExcept(ndim, (d) => d === 1);
      const weightIndex = attrs.hasWeight ? 3 : -1;
      const biasIndex = attrs.hasBias ? (attrs.hasWeight ? 4 : 3) : -1;
      const gy = opmath(g!);
      const channel = (i: number) => channelView(opmath(inputs[i]!), ndim);
      const rstd = once(() => channel(2).add(attrs.eps).rsqrt());
      // ∂y/∂x = r·w; ∂y/∂mean = −r·w; ∂y/∂var = (x − mean)·w·(−½)r³; ∂y/∂w = (x − mean)·r.
      const scale = once(() => (weightIndex > 0 ? rstd().mul(channel(weightIndex)) : rstd()));
      const gCentered = once(() => gy.mul(opmath(inputs[0]!).sub(channel(1))));
      const perChannel = (t: Tensor, i: number) => t.sum(dims).reshape(metas[i]!.shape).to(metas[i]!.dtype);
      const grads: (Tensor | null)[] = metas.map(() => null);
      if (needsGrad[0]) grads[0] = gy.mul(scale()).to(metas[0]!.dtype);
      if (needsGrad[1]) grads[1] = perChannel(gy.mul(scale()).neg(), 1);
      if (needsGrad[2]) grads[2] = perChannel(gCentered().mul(scale().mul(rstd()).mul(rstd()).mul(-0.5)), 2);
      if (weightIndex > 0 && needsGrad[weightIndex]) grads[weightIndex] = perChannel(gCentered().mul(rstd()), weightIndex);
      if (biasIndex > 0 && needsGrad[biasIndex]) grads[biasIndex] = perChannel(gy, biasIndex);
      return grads;
    },
    onnx: { type: "BatchNormalization", sinceOpset: 15 },
  }),
};

// ---------------------------------------------------------------------------------------
// Public functions: torch.nn.functional's layer_norm, batch_norm, group_norm and rms_norm
// ---------------------------------------------------------------------------------------

/** The present tensors among weight and bias, and the flags that say which they are. */
function affineInputs(weight: Tensor | null, bias: Tensor | null): { tensors: Tensor[]; flags: AffineAttrs } {
  return {
    tensors: [weight, bias].filter((t): t is Tensor => t !== null),
    flags: { hasWeight: weight !== null, hasBias: bias !== null },
  };
}

/** PyTorch's _check_layer_norm_inputs: normalizedShape is non-empty, ends x's shape, and is the shape of weight and bias. */
function normalizedAxis(op: string, x: Tensor, normalizedShape: number | readonly number[], params: readonly [string, Tensor | null][]): { axis: number; shape: number[] } {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  if (shape.length === 0)
    throw new ShapeError(`${op}: expected normalizedShape to be at least 1-dimensional, i.e., containing at least one element, but got normalizedShape = []`);
  for (const [name, p] of params) {
    if (p && !shapesEqual(p.shape, shape))
      throw new ShapeError(`${op}: expected ${name} to be of same shape as normalizedShape, but got ${name} of shape ${formatShape(p.shape)} and normalizedShape = ${formatShape(shape)}`);
  }
  const axis = x.ndim - shape.length;
  if (axis < 0 || !shapesEqual(x.shape.slice(axis), shape))
    throw new ShapeError(`${op}: given normalizedShape=${formatShape(shape)}, expected input with shape [*, ${shape.join(", ")}], but got input of size ${formatShape(x.shape)}`);
  return { axis, shape };
}

/**
 * Layer normalization over the last dims (`torch.nn.functional.layer_norm`): each group of
 * x's trailing `normalizedShape` elements becomes (x − mean)/√(var + eps) (biased
 * variance), then ·weight + bias (both of `normalizedShape`, optional).
 *
 * ```ts
 * layerNorm(randn([8, 16, 64]), [64], weight, bias); // each row of 64: mean 0, variance 1, then affine
 * ```
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const { axis } = normalizedAxis("layerNorm", x, normalizedShape, [["weight", weight], ["bias", bias]]);
  const { tensors, flags } = affineInputs(weight, bias);
  return apply1(normOps.layerNorm, [x, ...tensors], { axis, eps, ...flags });
}

/**
 * Batch normalization over [N, C, ...] (`torch.nn.functional.batch_norm`): each channel is
 * normalized, (x − mean)/√(var + eps), then ·weight + bias (per channel, optional).
 * In training the statistics are the batch's (biased variance) and the running ones, when
 * given, are updated in place: running = (1 − momentum)·running + momentum·batch, with the
 * unbiased variance. In eval mode the running statistics are used and must be given.
 *
 * ```ts
 * batchNorm(x, runningMean, runningVar, weight, bias, true); // training step: normalizes, updates the running stats
 * batchNorm(x, runningMean, runningVar, weight, bias);       // eval
 * ```
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  const { tensors, flags } = affineInputs(weight, bias);
  if (!training) {
    if (!runningMean) throw new ValueError("batchNorm: running_mean must be defined in evaluation mode");
    if (!runningVar) throw new ValueError("batchNorm: running_var must be defined in evaluation mode");
    return apply1(normOps.batchNormInference, [x, runningMean, runningVar, ...tensors], { eps, ...flags });
  }
  if ((runningMean === null) !== (runningVar === null))
    throw new ValueError("batchNorm: give both running_mean and running_var, or neither");
  const channels = x.ndim >= 2 ? x.shape[1]! : 0;
  for (const [name, t] of [["running_mean", runningMean], ["running_var", runningVar]] as const) {
    if (t && t.size !== channels) throw new ShapeError(`batchNorm: ${name} should contain ${channels} elements not ${t.size}`);
  }
  const count = channels > 0 ? x.size / channels : 0;
  if (count === 1) throw new ValueError(`batchNorm: expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}`);
  const [y, mean, variance] = apply(normOps.batchNormTraining, [x, ...tensors], { eps, ...flags }) as [Tensor, Tensor, Tensor];
  // An empty batch leaves the running statistics as they are, as in PyTorch.
  if (runningMean && runningVar && x.size > 0) {
    noGrad(() => {
      // PyTorch's batch_norm_update_stats: the running variance takes the unbiased estimate.
      const unbiased = variance.mul(count / (count - 1));
      runningMean.copy_(mean.mul(momentum).add(runningMean.to(mean.dtype).mul(1 - momentum)).reshape(runningMean.shape));
      runningVar.copy_(unbiased.mul(momentum).add(runningVar.to(mean.dtype).mul(1 - momentum)).reshape(runningVar.shape));
    });
  }
  return y;
}

/**
 * Group normalization (`torch.nn.functional.group_norm`): the C channels of [N, C, ...] are
 * split into `numGroups` groups, each (sample, group) is normalized over its channels and
 * positions, then ·weight + bias per channel. Written as a layerNorm of x seen as
 * [N, G, C/G·...], followed by the per-channel affine.
 */
export function groupNorm(x: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  if (x.ndim < 2) throw new ShapeError(`groupNorm: expected at least 2 dimensions for input tensor but received ${x.ndim}`);
  if (!isFloating(x.dtype)) throw new DTypeError(`groupNorm: expected a floating point input, got ${x.dtype}`);
  const [n, channels] = x.shape as [number, number];
  if (!Number.isInteger(numGroups) || numGroups <= 0) throw new ValueError(`groupNorm: numGroups must be a positive integer, got ${numGroups}`);
  if (channels % numGroups !== 0)
    throw new ShapeError(`groupNorm: expected number of channels in input to be divisible by numGroups, but got input of shape ${formatShape(x.shape)} and numGroups=${numGroups}`);
  for (const [name, p] of [["weight", weight], ["bias", bias]] as const) {
    if (p && (p.ndim !== 1 || p.size !== channels))
      throw new ShapeError(`groupNorm: expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape ${formatShape(p.shape)} and input of shape ${formatShape(x.shape)}`);
    if (p && p.dtype !== x.dtype) throw new DTypeError(`groupNorm: expected ${name} of dtype ${x.dtype} (the input's), got ${p.dtype}`);
  }
  // Half inputs compute in float32 and round once, as PyTorch's group norm kernel.
  const input = opmath(x);
  const grouped = input.reshape([n, numGroups, x.size / Math.max(1, n * numGroups)]);
  let y = apply1(normOps.layerNorm, [grouped], { axis: 2, eps, hasWeight: false, hasBias: false }).reshape(x.shape);
  if (weight) y = y.mul(channelView(opmath(weight), x.ndim));
  if (bias) y = y.add(channelView(opmath(bias), x.ndim));
  return y.to(x.dtype);
}

/**
 * RMS normalization (`torch.nn.functional.rms_norm`, PyTorch 2.4):
 * y = x/√(mean(x²) + eps)·weight over the trailing `normalizedShape` dims. As PyTorch,
 * half inputs compute in float32, and eps defaults to the machine epsilon of that
 * computing dtype (float32's for float32 and half inputs, float64's for float64).
 */
export function rmsNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, eps: number | null = null): Tensor {
  if (!isFloating(x.dtype)) throw new DTypeError(`rmsNorm: expected a floating point input, got ${x.dtype}`);
  const { axis } = normalizedAxis("rmsNorm", x, normalizedShape, [["weight", weight]]);
  const input = opmath(x);
  const epsilon = eps ?? (input.dtype === "float64" ? 2 ** -52 : 2 ** -23);
  const dims = dimsExcept(x.ndim, (d) => d < axis);
  const meanSquare = input.mul(input).sum(dims, { keepdim: true }).div(dims.reduce((p, d) => p * x.shape[d]!, 1));
  let y = input.mul(meanSquare.add(epsilon).rsqrt());
  if (weight) y = y.mul(weight);
  return y.to(x.dtype);
}

