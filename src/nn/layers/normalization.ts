/**
 * Normalization layers: BatchNorm1d/2d/3d and InstanceNorm1d/2d/3d (PyTorch's _NormBase:
 * weight, bias, running_mean, running_var, num_batches_tracked), LayerNorm, GroupNorm and
 * RMSNorm (as torch 2.4 defines it; torch 1.13 has none).
 */
import type { DType } from "../../core/dtype.ts";
import { ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { noGrad } from "../../autograd/grad-mode.ts";
import { empty, ones, tensor, zeros } from "../../ops/creation.ts";
import { batchNorm, groupNorm, instanceNorm, layerNorm, rmsNorm } from "../functional/normalization.ts";
import { ones_, zeros_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { pyBool, pyFloat, pyOptionalFloat, pyTuple } from "./repr.ts";

export interface NormOptions {
  eps?: number;
  /** The running statistics' update factor; null: a cumulative average over the batches seen. */
  momentum?: number | null;
  /** Learn a per-channel weight and bias. */
  affine?: boolean;
  /** Keep running statistics (buffers) and use them in eval mode. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/** PyTorch's _NormBase: the parameters and buffers batch and instance norms share. */
abstract class NormBase extends Module {
  weight: Parameter | null = null;
  bias: Parameter | null = null;
  declare runningMean: Tensor | null;
  declare runningVar: Tensor | null;
  declare numBatchesTracked: Tensor | null;
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(numFeatures: number, options: NormOptions, defaults: { affine: boolean; trackRunningStats: boolean }) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 0) throw new ValueError(`num_features must be a non-negative integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? defaults.affine;
    this.trackRunningStats = options.trackRunningStats ?? defaults.trackRunningStats;
    const dtype = options.dtype ?? "float32";
    if (this.affine) {
      this.weight = new Parameter(empty([numFeatures], { dtype }));
      this.bias = new Parameter(empty([numFeatures], { dtype }));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.registerBuffer("running_var", ones([numFeatures], { dtype }));
      this.registerBuffer("num_batches_tracked", tensor(0n));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
    this.resetParameters();
  }

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.runningMean!.zero_();
      this.runningVar!.fill_(1);
      this.numBatchesTracked!.zero_();
    });
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyOptionalFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** PyTorch's _BatchNorm forward: batch statistics in training (updating the running ones), running statistics in eval. */
abstract class BatchNorm extends NormBase {
  constructor(numFeatures: number, options: NormOptions = {}) {
    super(numFeatures, options, { affine: true, trackRunningStats: true });
  }

  protected abstract checkInputDim(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      noGrad(() => this.numBatchesTracked!.add_(1));
      if (this.momentum === null) factor = 1 / Number(this.numBatchesTracked.item());
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    // Buffers are updated only when tracked; in eval they are read when present.
    const useBuffers = !this.training || this.trackRunningStats;
    return batchNorm(
      x, useBuffers ? this.runningMean : null, useBuffers ? this.runningVar : null,
      this.weight, this.bias, useBatchStats, factor, this.eps,
    );
  }
}

/**
 * Batch normalization over [N, C] or [N, C, L] (torch.nn.BatchNorm1d).
 *
 * ```ts
 * const bn = new BatchNorm1d(16);
 * bn.forward(randn([8, 16])); // training: batch statistics, running ones updated
 * bn.eval().forward(randn([8, 16])); // running statistics
 * ```
 */
export class BatchNorm1d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new ValueError(`expected 2D or 3D input (got ${x.ndim}D input)`);
  }
}

/**
 * Batch normalization over [N, C, H, W] (torch.nn.BatchNorm2d). State dict keys: weight,
 * bias, running_mean, running_var, num_batches_tracked (int64).
 *
 * ```ts
 * String(new BatchNorm2d(16)); // "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
 * ```
 */
export class BatchNorm2d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw new ValueError(`expected 4D input (got ${x.ndim}D input)`);
  }
}

/** Batch normalization over [N, C, D, H, W] (torch.nn.BatchNorm3d). */
export class BatchNorm3d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 5) throw new ValueError(`expected 5D input (got ${x.ndim}D input)`);
  }
}

/** PyTorch's _InstanceNorm: unbatched inputs allowed; batch statistics unless tracking and in eval. */
abstract class InstanceNorm extends NormBase {
  protected abstract readonly spatialDims: number;

  constructor(numFeatures: number, options: NormOptions = {}) {
    super(numFeatures, options, { affine: false, trackRunningStats: false });
  }

  override forward(x: Tensor): Tensor {
    const noBatch = this.spatialDims + 1;
    if (x.ndim !== noBatch && x.ndim !== noBatch + 1) throw new ValueError(`expected ${noBatch}D or ${noBatch + 1}D input (got ${x.ndim}D input)`);
    const featureDim = x.ndim - noBatch;
    if (x.shape[featureDim] !== this.numFeatures && this.affine)
      throw new ValueError(`expected input's size at dim=${featureDim} to match num_features (${this.numFeatures}), but got: ${x.shape[featureDim]}.`);
    const batched = x.ndim === noBatch ? x.unsqueeze(0) : x;
    const y = instanceNorm(batched, this.runningMean, this.runningVar, this.weight, this.bias, this.training || !this.trackRunningStats, this.momentum ?? 0.1, this.eps);
    return x.ndim === noBatch ? y.squeeze(0) : y;
  }
}

/** Instance normalization over [N, C, L] or [C, L] (torch.nn.InstanceNorm1d); no affine, no running stats by default. */
export class InstanceNorm1d extends InstanceNorm {
  protected readonly spatialDims = 1;
}

/** Instance normalization over [N, C, H, W] or [C, H, W] (torch.nn.InstanceNorm2d). */
export class InstanceNorm2d extends InstanceNorm {
  protected readonly spatialDims = 2;
}

/** Instance normalization over [N, C, D, H, W] or [C, D, H, W] (torch.nn.InstanceNorm3d). */
export class InstanceNorm3d extends InstanceNorm {
  protected readonly spatialDims = 3;
}

function shapeTuple(what: string, normalizedShape: number | readonly number[]): number[] {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ValueError(`${what}: normalized_shape must be non-negative integers, got [${shape.join(", ")}]`);
  return shape;
}

/**
 * Layer normalization over the trailing `normalizedShape` dims (torch.nn.LayerNorm), with
 * an elementwise weight (ones) and bias (zeros) of that shape.
 *
 * ```ts
 * new LayerNorm(64).forward(randn([8, 16, 64])); // each row of 64 normalized
 * ```
 */
export class LayerNorm extends Module {
  weight: Parameter | null = null;
  bias: Parameter | null = null;
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | readonly number[], options: { eps?: number; elementwiseAffine?: boolean; dtype?: DType } = {}) {
    super();
    this.normalizedShape = shapeTuple("LayerNorm", normalizedShape);
    this.eps = options.eps ?? 1e-5;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    if (this.elementwiseAffine) {
      this.weight = new Parameter(ones(this.normalizedShape, { dtype: options.dtype ?? "float32" }));
      this.bias = new Parameter(zeros(this.normalizedShape, { dtype: options.dtype ?? "float32" }));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
  }

  override forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** Group normalization of [N, C, ...] in `numGroups` groups of channels (torch.nn.GroupNorm). */
export class GroupNorm extends Module {
  weight: Parameter | null = null;
  bias: Parameter | null = null;
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;

  constructor(numGroups: number, numChannels: number, options: { eps?: number; affine?: boolean; dtype?: DType } = {}) {
    super();
    if (!Number.isInteger(numGroups) || numGroups <= 0 || numChannels % numGroups !== 0) throw new ValueError("num_channels must be divisible by num_groups");
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = options.eps ?? 1e-5;
    this.affine = options.affine ?? true;
    if (this.affine) {
      this.weight = new Parameter(ones([numChannels], { dtype: options.dtype ?? "float32" }));
      this.bias = new Parameter(zeros([numChannels], { dtype: options.dtype ?? "float32" }));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
  }

  override forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

/**
 * RMS normalization over the trailing `normalizedShape` dims, as torch 2.4's nn.RMSNorm:
 * x/√(mean(x²) + eps)·weight; eps null means the machine epsilon of the computing dtype.
 */
export class RMSNorm extends Module {
  weight: Parameter | null = null;
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | readonly number[], options: { eps?: number | null; elementwiseAffine?: boolean; dtype?: DType } = {}) {
    super();
    this.normalizedShape = shapeTuple("RMSNorm", normalizedShape);
    this.eps = options.eps ?? null;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    if (this.elementwiseAffine) this.weight = new Parameter(ones(this.normalizedShape, { dtype: options.dtype ?? "float32" }));
    else this.registerParameter("weight", null);
  }

  override forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyOptionalFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
