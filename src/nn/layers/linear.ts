/** Identity, Linear and Bilinear, initialized as PyTorch initializes them. */
import type { DType } from "../../core/dtype.ts";
import { ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { empty } from "../../ops/creation.ts";
import { bilinear, linear } from "../functional/linear.ts";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { pyBool } from "./repr.ts";

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** dtype of the parameters (default float32). */
  dtype?: DType;
}

/** Returns its input unchanged; a placeholder that keeps a model's structure (and its keys). */
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}

function checkFeatures(what: string, ...sizes: number[]): void {
  for (const n of sizes) if (!Number.isInteger(n) || n < 0) throw new ValueError(`${what}: feature sizes must be non-negative integers, got ${n}`);
}

/**
 * y = x·Wᵀ + b with weight [out, in] and bias [out] (torch.nn.Linear). Initialized as
 * PyTorch's reset_parameters: weight ~ kaiming_uniform(a = √5), i.e. U(±1/√in), then bias
 * ~ U(±1/√in) — drawn in that order from the global generator, so after the same seed the
 * weights equal PyTorch's.
 *
 * ```ts
 * const fc = new Linear(784, 128);
 * fc.forward(randn([32, 784])).shape; // [32, 128]
 * String(fc); // "Linear(in_features=784, out_features=128, bias=True)"
 * ```
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkFeatures("Linear", inFeatures, outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? "float32";
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype }));
    this.bias = options.bias ?? true ? new Parameter(empty([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * y = x1ᵀ·A·x2 + b with weight [out, in1, in2] (torch.nn.Bilinear); weight and bias are
 * drawn from U(±1/√in1), in that order.
 */
export class Bilinear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;

  constructor(in1Features: number, in2Features: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkFeatures("Bilinear", in1Features, in2Features, outFeatures);
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? "float32";
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], { dtype }));
    this.bias = options.bias ?? true ? new Parameter(empty([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]!);
    uniform_(this.weight, -bound, bound);
    if (this.bias) uniform_(this.bias, -bound, bound);
  }

  override forward(x1: Tensor, x2: Tensor): Tensor {
    return bilinear(x1, x2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
