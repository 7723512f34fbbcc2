/**
 * torch.nn.functional's losses, written with ops so every one has gradients of every
 * order. Each follows PyTorch 1.13's formula (aten/src/ATen/native/Loss.cpp,
 * LossNLL.cpp), including its reductions: "mean" of nll/cross-entropy divides by the
 * summed weights of the targets that count, not by the number of elements.
 */
import { isFloating, isIntegral } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape, shapesEqual } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { minimum, where } from "../../ops/defs/binary.ts";
import { logSoftmax } from "../../ops/defs/softmax.ts";

export type Reduction = "none" | "mean" | "sum";

export interface ReductionOptions {
  /** "mean" (default), "sum" or "none" (one loss per element or sample). */
  reduction?: Reduction;
}

/** PyTorch's apply_loss_reduction. */
function reduce(loss: Tensor, reduction: Reduction = "mean"): Tensor {
  switch (reduction) {
    case "none":
      return loss;
    case "mean":
      return loss.mean();
    case "sum":
      return loss.sum();
    default:
      throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
  }
}

function requireFloating(op: string, x: Tensor, name = "input"): void {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: expected a floating point ${name}, got ${x.dtype}`);
}

function sameShape(op: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape))
    throw new ShapeError(`${op}: target size (${formatShape(target.shape)}) must be the same as input size (${formatShape(input.shape)})`);
}

// ---- regression losses ----

/** (x − y)², reduced. Input and target broadcast (PyTorch warns when they differ). */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const d = input.sub(target);
  return reduce(d.mul(d), options.reduction);
}

/** |x − y|, reduced. */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  return reduce(input.sub(target).abs(), options.reduction);
}

/** 0.5·z²/β where z = |x − y| < β, else z − 0.5·β; plain L1 when β = 0. */
export function smoothL1Loss(input: Tensor, target: Tensor, options: ReductionOptions & { beta?: number } = {}): Tensor {
  const beta = options.beta ?? 1;
  if (beta < 0) throw new ValueError("smooth_l1_loss does not support negative values for beta.");
  if (beta === 0) return l1Loss(input, target, options);
  const z = input.sub(target).abs();
  return reduce(where(z.lt(beta), z.mul(z).mul(0.5).div(beta), z.sub(0.5 * beta)), options.reduction);
}

/** 0.5·z² where z = |x − y| < δ, else δ·(z − 0.5·δ). */
export function huberLoss(input: Tensor, target: Tensor, options: ReductionOptions & { delta?: number } = {}): Tensor {
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new ValueError("huber_loss does not support non-positive values for delta.");
  const z = input.sub(target).abs();
  return reduce(where(z.lt(delta), z.mul(z).mul(0.5), z.sub(0.5 * delta).mul(delta)), options.reduction);
}

// ---- classification losses ----

export interface NllLossOptions extends ReductionOptions {
  /** One weight per class ([C]). */
  weight?: Tensor | null;
  /** Targets equal to this count for nothing (default −100). */
  ignoreIndex?: number;
}

/** The class dim of a [C] / [N, C] / [N, C, d...] input. */
function classDimOf(op: string, input: Tensor): number {
  if (input.ndim < 1) throw new ShapeError(`${op}: Expected 1 or more dimensions (got ${input.ndim})`);
  return input.ndim === 1 ? 0 : 1;
}

function checkWeight(op: string, weight: Tensor | null | undefined, classes: number): void {
  if (weight && (weight.ndim !== 1 || weight.size !== classes))
    throw new ShapeError(`${op}: weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${formatShape(weight.shape)}`);
}

/**
 * Per-element nll terms −w[t]·x[t] (0 where t = ignoreIndex) and the weights w[t] (0
 * there too), both of target's shape.
 */
function nllTerms(op: string, input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): { loss: Tensor; weights: Tensor } {
  const classDim = classDimOf(op, input);
  if (!isIntegral(target.dtype)) throw new DTypeError(`${op}: expected an integer (class index) target, got ${target.dtype}`);
  const expected = input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (input.ndim >= 2 && target.ndim >= 1 && target.shape[0] !== input.shape[0])
    throw new ShapeError(`${op}: Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  if (!shapesEqual(target.shape, expected))
    throw new ShapeError(`${op}: expected target of size ${formatShape(expected)} for input of size ${formatShape(input.shape)}, got ${formatShape(target.shape)}`);
  checkWeight(op, weight, input.shape[classDim]!);
  const index = target.to("int64");
  const ignored = index.eq(ignoreIndex);
  const safe = where(ignored, 0, index);
  const picked = input.gather(classDim, safe.unsqueeze(classDim)).squeeze(classDim);
  const classWeights = weight ? weight.indexSelect(0, safe.reshape([-1])).reshape(target.shape).to(input.dtype) : null;
  const weights = where(ignored, 0, classWeights ?? 1).to(input.dtype);
  const loss = where(ignored, 0, classWeights ? picked.mul(classWeights).neg() : picked.neg());
  return { loss, weights };
}

function reduceNll(loss: Tensor, weights: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return loss.sum().div(weights.sum());
  return reduce(loss, reduction);
}

/**
 * Negative log likelihood of log-probabilities [N, C] (or [C], or [N, C, d1, ...]) for
 * class-index targets [N] ([], [N, d1, ...]): −weight[t]·input[t]. "mean" divides by the
 * summed weights of the targets that count (nan when none does, as PyTorch).
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  requireFloating("nll_loss", input);
  const reduction = options.reduction ?? "mean";
  const { loss, weights } = nllTerms("nll_loss", input, target, options.weight ?? null, options.ignoreIndex ?? -100);
  return reduceNll(loss, weights, reduction);
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 − ε)·target + ε/C. */
  labelSmoothing?: number;
}

/** weight seen as [1, C, 1, ...] (or [C] for a 1-D input) to broadcast against the input. */
function classView(weight: Tensor, input: Tensor): Tensor {
  return input.ndim === 1 ? weight : weight.reshape([1, weight.size, ...input.shape.slice(2).map(() => 1)]);
}

/**
 * Cross entropy of unnormalized logits [N, C] (or [C], or [N, C, d1, ...]) against class
 * indices (integer target [N], ...) or class probabilities (float target of the input's
 * shape): log_softmax along the class dim, then nll; with `labelSmoothing` ε the target is
 * (1 − ε)·target + ε/C, as torch.nn.functional.cross_entropy.
 *
 * ```ts
 * crossEntropy(logits, labels);                              // mean over the batch
 * crossEntropy(logits, labels, { labelSmoothing: 0.1, weight: classWeights, ignoreIndex: 0 });
 * ```
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  requireFloating("cross_entropy", input);
  const classDim = classDimOf("cross_entropy", input);
  const classes = input.shape[classDim]!;
  const reduction = options.reduction ?? "mean";
  const weight = options.weight ?? null;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1)) throw new ValueError(`label_smoothing must be between 0.0 and 1.0. Got: ${smoothing}`);
  if (!["none", "mean", "sum"].includes(reduction)) throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
  const logp = logSoftmax(input, classDim);
  if (shapesEqual(input.shape, target.shape)) {
    // Class probabilities.
    if (!isFloating(target.dtype)) throw new DTypeError(`Expected floating point type for target with class probabilities, got ${target.dtype}`);
    if (ignoreIndex >= 0) throw new ValueError("ignore_index is not supported for floating point target");
    checkWeight("cross_entropy", weight, classes);
    const probs = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / classes) : target;
    let terms = logp.mul(probs);
    if (weight) terms = terms.mul(classView(weight, input));
    if (reduction === "none") return terms.sum(classDim).neg();
    if (reduction === "sum") return terms.sum().neg();
    return terms.sum().neg().div(input.size / classes);
  }
  const { loss, weights } = nllTerms("cross_entropy", logp, target, weight, ignoreIndex);
  const nll = reduceNll(loss, weights, reduction);
  if (smoothing === 0) return nll;
  // PyTorch's cross_entropy_loss_label_smoothing: the uniform part −Σ_c w_c·logp_c, zero at
  // ignored targets; its mean divides by the same total weight as the nll part.
  let smooth = (weight ? logp.mul(classView(weight, input)) : logp).sum(classDim).neg();
  const ignored = target.to("int64").eq(ignoreIndex);
  smooth = where(ignored, 0, smooth);
  let reduced: Tensor;
  if (reduction === "none") reduced = smooth;
  else if (reduction === "sum") reduced = smooth.sum();
  else reduced = weight ? smooth.sum().div(weights.sum()) : smooth.sum().div(ignored.logicalNot().sum().to(smooth.dtype));
  return nll.mul(1 - smoothing).add(reduced.mul(smoothing / classes));
}

export interface WeightedOptions extends ReductionOptions {
  /** A rescaling weight, broadcast against the input. */
  weight?: Tensor | null;
}

/**
 * Binary cross entropy of probabilities: −w·(y·log x + (1 − y)·log(1 − x)), each log
 * clamped at −100 as PyTorch does (so x = 0 or 1 gives a finite loss).
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: WeightedOptions = {}): Tensor {
  requireFloating("binary_cross_entropy", input);
  if (!shapesEqual(input.shape, target.shape))
    throw new ShapeError(`Using a target size (${formatShape(target.shape)}) that is different to the input size (${formatShape(input.shape)}) is deprecated. Please ensure they have the same size.`);
  // log(0) is −inf and its gradient inf; the logs are taken of inputs kept inside (0, 1] and
  // then clamped, so the loss is finite and the gradient at x = 0 or 1 is 0 from the clamp.
  const positive = input.gt(0);
  const belowOne = input.lt(1);
  const logX = where(positive, where(positive, input, 1).log(), -100).clamp(-100);
  const log1mX = where(belowOne, where(belowOne, input.neg(), 0).log1p(), -100).clamp(-100);
  let loss = target.sub(1).mul(log1mX).sub(target.mul(logX));
  if (options.weight) loss = loss.mul(options.weight);
  return reduce(loss, options.reduction);
}

export interface BceWithLogitsOptions extends WeightedOptions {
  /** A weight of positive examples per class, broadcast against the input. */
  posWeight?: Tensor | null;
}

/**
 * Binary cross entropy of logits, stably: (1 − y)·x + l·(log(e^−m + e^(−x−m)) + m) with
 * m = max(−x, 0) and l = 1 + (posWeight − 1)·y (PyTorch 1.13's formula).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  requireFloating("binary_cross_entropy_with_logits", input);
  if (!shapesEqual(input.shape, target.shape))
    throw new ShapeError(`Target size (${formatShape(target.shape)}) must be the same as input size (${formatShape(input.shape)})`);
  const maxVal = input.neg().clamp(0);
  const logTerm = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
  const oneMinusTarget = target.neg().add(1);
  let loss: Tensor;
  if (options.posWeight) {
    const logWeight = options.posWeight.sub(1).mul(target).add(1);
    loss = oneMinusTarget.mul(input).add(logWeight.mul(logTerm));
  } else {
    loss = oneMinusTarget.mul(input).add(logTerm);
  }
  if (options.weight) loss = loss.mul(options.weight);
  return reduce(loss, options.reduction);
}

export interface KlDivOptions {
  /** "mean" (over elements, PyTorch's default), "batchmean" (sum / batch size: the true KL divergence), "sum" or "none". */
  reduction?: Reduction | "batchmean";
  /** The target is given as log-probabilities. */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence of log-probabilities `input` from `target`:
 * target·(log target − input), with 0·log 0 = 0 (or e^t·(t − input) with `logTarget`).
 */
export function klDiv(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  requireFloating("kl_div", input);
  const reduction = options.reduction ?? "mean";
  let loss: Tensor;
  if (options.logTarget) {
    loss = target.exp().mul(target.sub(input));
  } else {
    // xlogy(t, t): 0 where t = 0 (the log is fed 1 there, so its gradient stays finite).
    const zero = target.eq(0);
    const xlogy = where(zero, 0, target.mul(where(zero, 1, target).log()));
    loss = xlogy.sub(target.mul(input));
  }
  if (reduction === "batchmean") return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
  return reduce(loss, reduction);
}

// ---- embedding and ranking losses ----

/**
 * 1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1, for rows of
 * [N, D] (y [N]) or vectors [D] (y []). cos uses |x|² + 1e−12 as PyTorch.
 */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: ReductionOptions & { margin?: number } = {}): Tensor {
  const margin = options.margin ?? 0;
  const dim = target.ndim;
  if (dim > 1) throw new ShapeError("0D or 1D target tensor expected, multi-target not supported");
  if (dim === 1 && (input1.ndim !== 2 || input2.ndim !== 2))
    throw new ShapeError(`1D target tensor expects 2D input tensors, but found inputs with sizes ${formatShape(input1.shape)} and ${formatShape(input2.shape)}.`);
  if (dim === 0 && (input1.ndim !== 1 || input2.ndim !== 1))
    throw new ShapeError(`0D target tensor expects 1D input tensors, but found inputs with sizes ${formatShape(input1.shape)} and ${formatShape(input2.shape)}.`);
  const EPSILON = 1e-12;
  const prod = input1.mul(input2).sum(dim);
  const mag1 = input1.mul(input1).sum(dim).add(EPSILON);
  const mag2 = input2.mul(input2).sum(dim).add(EPSILON);
  const cos = prod.div(mag1.mul(mag2).sqrt());
  const pos = cos.neg().add(1);
  const neg = cos.sub(margin).clamp(0);
  const loss = where(target.eq(1), pos, 0).add(where(target.eq(-1), neg, 0));
  return reduce(loss, options.reduction);
}

/** max(0, −y·(x1 − x2) + margin). */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: ReductionOptions & { margin?: number } = {}): Tensor {
  if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim)
    throw new ShapeError(`margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ${formatShape(input1.shape)}, input2: ${formatShape(input2.shape)}, target: ${formatShape(target.shape)} `);
  const margin = options.margin ?? 0;
  return reduce(target.neg().mul(input1.sub(input2)).add(margin).clamp(0), options.reduction);
}

/** ‖x1 − x2 + eps‖_p along the last dim (`torch.nn.functional.pairwise_distance`). */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p = 2, eps = 1e-6, keepdim = false): Tensor {
  const dim = Math.max(x1.ndim, x2.ndim) - 1;
  return x1.sub(x2).add(eps).norm(p, Math.max(dim, 0), { keepdim });
}

export interface TripletMarginOptions extends ReductionOptions {
  margin?: number;
  /** The norm of the distance (default 2). */
  p?: number;
  eps?: number;
  /** Use the smaller of d(a, n) and d(p, n) as the negative distance. */
  swap?: boolean;
}

/** max(d(a, p) − d(a, n) + margin, 0) with d the pairwise p-norm distance. */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginOptions = {}): Tensor {
  const { margin = 1, p = 2, eps = 1e-6, swap = false } = options;
  if (anchor.ndim !== positive.ndim || anchor.ndim !== negative.ndim)
    throw new ShapeError(
      `The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor ${anchor.ndim}D, positive ${positive.ndim}D, and negative ${negative.ndim}D inputs`,
    );
  const dPos = pairwiseDistance(anchor, positive, p, eps);
  let dNeg = pairwiseDistance(anchor, negative, p, eps);
  if (swap) dNeg = minimum(dNeg, pairwiseDistance(positive, negative, p, eps));
  return reduce(dPos.add(margin).sub(dNeg).clamp(0), options.reduction);
}
