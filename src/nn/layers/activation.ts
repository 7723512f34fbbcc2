/**
 * Every activation of torch.nn as a module, over the functional forms. Modules built with
 * `inplace: true` write the result into their input (as PyTorch's inplace=True); the repr
 * follows PyTorch's extra_repr.
 */
import type { DType } from "../../core/dtype.ts";
import { ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { full } from "../../ops/creation.ts";
import {
  celu, elu, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, leakyRelu, logSigmoid, logSoftmax, mish, prelu, relu, selu,
  sigmoid, silu, softmax, softmin, softplus, softshrink, softsign, tanh, tanhshrink, threshold,
} from "../functional/activation.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { pyFloat, pyNumber } from "./repr.ts";

/** An elementwise activation, optionally in place. */
abstract class Activation extends Module {
  readonly inplace: boolean;

  constructor(options: { inplace?: boolean } = {}) {
    super();
    this.inplace = options.inplace ?? false;
  }

  protected abstract apply1(x: Tensor): Tensor;

  override forward(x: Tensor): Tensor {
    const y = this.apply1(x);
    return this.inplace ? x.copy_(y) : y;
  }

  protected inplaceSuffix(): string {
    return this.inplace ? ", inplace=True" : "";
  }

  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** max(0, x). */
export class ReLU extends Activation {
  protected apply1(x: Tensor): Tensor {
    return relu(x);
  }
}

/** min(max(0, x), 6). */
export class ReLU6 extends Activation {
  protected apply1(x: Tensor): Tensor {
    return hardtanh(x, 0, 6);
  }
}

/** x for x > 0, negativeSlope·x otherwise. */
export class LeakyReLU extends Activation {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01, options: { inplace?: boolean } = {}) {
    super(options);
    this.negativeSlope = negativeSlope;
  }
  protected apply1(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplaceSuffix()}`;
  }
}

/** x for x > 0, α·(e^x − 1) otherwise. */
export class ELU extends Activation {
  readonly alpha: number;
  constructor(alpha = 1, options: { inplace?: boolean } = {}) {
    super(options);
    this.alpha = alpha;
  }
  protected apply1(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplaceSuffix()}`;
  }
}

/** x for x > 0, α·(e^(x/α) − 1) otherwise. */
export class CELU extends Activation {
  readonly alpha: number;
  constructor(alpha = 1, options: { inplace?: boolean } = {}) {
    super(options);
    this.alpha = alpha;
  }
  protected apply1(x: Tensor): Tensor {
    return celu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplaceSuffix()}`;
  }
}

/** scale·elu(x, α) with SELU's self-normalizing constants. */
export class SELU extends Activation {
  protected apply1(x: Tensor): Tensor {
    return selu(x);
  }
}

/** x·sigmoid(x). */
export class SiLU extends Activation {
  protected apply1(x: Tensor): Tensor {
    return silu(x);
  }
}

/** x·tanh(softplus(x)). */
export class Mish extends Activation {
  protected apply1(x: Tensor): Tensor {
    return mish(x);
  }
}

/** x·relu6(x + 3)/6. */
export class Hardswish extends Activation {
  protected apply1(x: Tensor): Tensor {
    return hardswish(x);
  }
  override extraRepr(): string {
    return "";
  }
}

/** relu6(x + 3)/6. */
export class Hardsigmoid extends Activation {
  protected apply1(x: Tensor): Tensor {
    return hardsigmoid(x);
  }
  override extraRepr(): string {
    return "";
  }
}

/** x clamped to [minVal, maxVal]. */
export class Hardtanh extends Activation {
  readonly minVal: number;
  readonly maxVal: number;
  constructor(minVal = -1, maxVal = 1, options: { inplace?: boolean } = {}) {
    super(options);
    if (!(maxVal > minVal)) throw new ValueError(`Hardtanh: max_val (${maxVal}) must be greater than min_val (${minVal})`);
    this.minVal = minVal;
    this.maxVal = maxVal;
  }
  protected apply1(x: Tensor): Tensor {
    return hardtanh(x, this.minVal, this.maxVal);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplaceSuffix()}`;
  }
}

/** `value` where x ≤ threshold, else x. */
export class Threshold extends Activation {
  constructor(readonly threshold: number, readonly value: number, options: { inplace?: boolean } = {}) {
    super(options);
  }
  protected apply1(x: Tensor): Tensor {
    return threshold(x, this.threshold, this.value);
  }
  override extraRepr(): string {
    return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}${this.inplaceSuffix()}`;
  }
}

/** A stateless activation without options. */
abstract class Plain extends Module {
  protected abstract apply1(x: Tensor): Tensor;
  override forward(x: Tensor): Tensor {
    return this.apply1(x);
  }
}

/** 1/(1 + e^−x). */
export class Sigmoid extends Plain {
  protected apply1(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh(x). */
export class Tanh extends Plain {
  protected apply1(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** x/(1 + |x|). */
export class Softsign extends Plain {
  protected apply1(x: Tensor): Tensor {
    return softsign(x);
  }
}

/** x − tanh(x). */
export class Tanhshrink extends Plain {
  protected apply1(x: Tensor): Tensor {
    return tanhshrink(x);
  }
}

/** log(sigmoid(x)), computed stably. */
export class LogSigmoid extends Plain {
  protected apply1(x: Tensor): Tensor {
    return logSigmoid(x);
  }
}

/** GELU, exact (x·Φ(x)) or with `approximate: "tanh"`. */
export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") {
    super();
  }
  override forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** log(1 + e^(βx))/β, linear above `threshold`. */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${pyNumber(this.beta)}, threshold=${pyNumber(this.threshold)}`;
  }
}

/** x ∓ λ outside [−λ, λ], 0 inside. */
export class Softshrink extends Module {
  constructor(readonly lambd = 0.5) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return softshrink(x, this.lambd);
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

/** x outside [−λ, λ], 0 inside. */
export class Hardshrink extends Module {
  constructor(readonly lambd = 0.5) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return hardshrink(x, this.lambd);
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

/**
 * PReLU: x for x > 0, a·x otherwise, with a learned (one, or one per channel), starting at
 * `init` (0.25).
 */
export class PReLU extends Module {
  weight: Parameter;
  /** PyTorch's num_parameters (Module.numParameters counts parameter elements). */
  readonly numWeights: number;
  constructor(numParameters = 1, init = 0.25, options: { dtype?: DType } = {}) {
    super();
    if (!Number.isInteger(numParameters) || numParameters < 1) throw new ValueError(`PReLU: num_parameters must be a positive integer, got ${numParameters}`);
    this.numWeights = numParameters;
    this.weight = new Parameter(full([numParameters], init, { dtype: options.dtype ?? "float32" }));
  }
  override forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numWeights}`;
  }
}

/** PyTorch's implicit softmax dim (deprecated there): 0 for 0-, 1- and 3-D inputs, else 1. */
function implicitDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** A softmax-like module over `dim` (PyTorch's implicit choice when null). */
abstract class AlongDim extends Module {
  constructor(readonly dim: number | null = null) {
    super();
  }
  protected abstract along(x: Tensor, dim: number): Tensor;
  override forward(x: Tensor): Tensor {
    return this.along(x, this.dim ?? implicitDim(x.ndim));
  }
  override extraRepr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

/** Softmax along `dim`. */
export class Softmax extends AlongDim {
  protected along(x: Tensor, dim: number): Tensor {
    return softmax(x, dim);
  }
}

/** log(softmax) along `dim`. */
export class LogSoftmax extends AlongDim {
  protected along(x: Tensor, dim: number): Tensor {
    return logSoftmax(x, dim);
  }
}

/** softmax(−x) along `dim`. */
export class Softmin extends AlongDim {
  protected along(x: Tensor, dim: number): Tensor {
    return softmin(x, dim);
  }
}

/** Softmax over the channels of [N, C, H, W] or [C, H, W] (dim −3). */
export class Softmax2d extends Module {
  override forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4) throw new ValueError(`Softmax2d: expected input to be 3D or 4D, got ${x.ndim}D instead`);
    return softmax(x, -3);
  }
}

/** Gated linear unit along `dim`: a·sigmoid(b) for the two halves a, b. */
export class GLU extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return glu(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
