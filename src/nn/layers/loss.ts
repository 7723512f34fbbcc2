/**
 * Loss modules over nn.functional's losses. As in PyTorch, class weights and pos_weight
 * are buffers ("weight", "pos_weight"), so they appear in the state dict when given.
 */
import type { Tensor } from "../../core/tensor.ts";
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, cosineEmbeddingLoss, crossEntropy, huberLoss, klDiv, l1Loss,
  marginRankingLoss, mseLoss, nllLoss, smoothL1Loss, tripletMarginLoss,
  type BceWithLogitsOptions, type CrossEntropyOptions, type KlDivOptions, type NllLossOptions, type Reduction,
  type ReductionOptions, type TripletMarginOptions, type WeightedOptions,
} from "../functional/loss.ts";
import { Module } from "../module.ts";

/** PyTorch's _Loss: a reduction. */
abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(options: ReductionOptions = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
  }
}

/** PyTorch's _WeightedLoss: a reduction and an optional class-weight buffer. */
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(options: ReductionOptions & { weight?: Tensor | null } = {}) {
    super(options);
    this.registerBuffer("weight", options.weight ?? null);
  }
}

/** Mean absolute error. */
export class L1Loss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/**
 * Mean squared error.
 *
 * ```ts
 * new MSELoss().forward(prediction, target); // a 0-D tensor
 * ```
 */
export class MSELoss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Quadratic below beta, linear above (scaled by 1/beta). */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options: ReductionOptions & { beta?: number } = {}) {
    super(options);
    this.beta = options.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Quadratic below delta, linear (slope delta) above. */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options: ReductionOptions & { delta?: number } = {}) {
    super(options);
    this.delta = options.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Negative log likelihood of log-probabilities against class indices. */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(options: NllLossOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/**
 * Cross entropy of logits against class indices or class probabilities.
 *
 * ```ts
 * const lossFn = new CrossEntropyLoss({ labelSmoothing: 0.1 });
 * lossFn.forward(model.forward(x), labels).backward();
 * ```
 */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(options: CrossEntropyOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

/** Binary cross entropy of probabilities (logs clamped at −100). */
export class BCELoss extends WeightedLoss {
  constructor(options: WeightedOptions = {}) {
    super(options);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross entropy of logits, computed stably; optional per-class pos_weight. */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare posWeight: Tensor | null;
  constructor(options: BceWithLogitsOptions = {}) {
    super(options);
    this.registerBuffer("weight", options.weight ?? null);
    this.registerBuffer("pos_weight", options.posWeight ?? null);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

/** KL divergence of log-probabilities from a target distribution; "batchmean" gives the true KL. */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | "batchmean";
  readonly logTarget: boolean;
  constructor(options: KlDivOptions = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
    this.logTarget = options.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/** Pulls pairs with y = 1 together (1 − cos) and pushes y = −1 apart (cos above margin). */
export class CosineEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(options: ReductionOptions & { margin?: number } = {}) {
    super(options);
    this.margin = options.margin ?? 0;
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** max(0, −y·(x1 − x2) + margin). */
export class MarginRankingLoss extends Loss {
  readonly margin: number;
  constructor(options: ReductionOptions & { margin?: number } = {}) {
    super(options);
    this.margin = options.margin ?? 0;
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** max(d(a, p) − d(a, n) + margin, 0). */
export class TripletMarginLoss extends Loss {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;
  constructor(options: TripletMarginOptions = {}) {
    super(options);
    this.margin = options.margin ?? 1;
    this.p = options.p ?? 2;
    this.eps = options.eps ?? 1e-6;
    this.swap = options.swap ?? false;
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}
