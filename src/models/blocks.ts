/**
 * The building blocks torchvision's models share (torchvision.ops): Conv2dNormActivation,
 * SqueezeExcitation, StochasticDepth, and the channel rounding `makeDivisible`. Their child
 * modules sit under the same keys as torchvision's ("0", "1", "2"; "fc1", "fc2").
 */
import { ValueError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import { rand } from "../ops/creation.ts";
import { div, lt, mul } from "../ops/defs/binary.ts";
import { to } from "../ops/views.ts";
import { Sequential } from "../nn/containers.ts";
import { Module } from "../nn/module.ts";
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, ReLU, Sigmoid } from "../nn/layers/index.ts";
import type { NormOptions } from "../nn/layers/index.ts";

/** Builds an activation module (torchvision's `activation_layer`). */
export type ActivationFactory = () => Module;
/** Builds a normalization module over `channels` (torchvision's `norm_layer`). */
export type NormFactory = (channels: number) => Module;

/** BatchNorm2d with the given eps/momentum, as `partial(nn.BatchNorm2d, eps=..., momentum=...)`. */
export function batchNorm2d(options: NormOptions = {}): NormFactory {
  return (channels) => new BatchNorm2d(channels, options);
}

/**
 * Rounds `v` to a multiple of `divisor`, never below `minValue` (default: divisor) and never
 * more than 10% below `v` (torchvision's `_make_divisible`, from TensorFlow's MobileNet).
 */
export function makeDivisible(v: number, divisor: number, minValue: number | null = null): number {
  const min = minValue ?? divisor;
  let out = Math.max(min, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

export interface ConvNormActivationOptions {
  kernelSize?: number;
  stride?: number;
  /** Default (kernelSize − 1) / 2 · dilation. */
  padding?: number;
  groups?: number;
  dilation?: number;
  /** null: no normalization. Default BatchNorm2d. */
  normLayer?: NormFactory | null;
  /** null: no activation. Default ReLU. */
  activationLayer?: ActivationFactory | null;
  /** Default: a bias only when there is no normalization. */
  bias?: boolean;
}

/** conv → norm → activation as a Sequential keyed "0", "1", "2" (torchvision.ops.Conv2dNormActivation). */
export class Conv2dNormActivation extends Sequential {
  readonly outChannels: number;

  constructor(inChannels: number, outChannels: number, options: ConvNormActivationOptions = {}) {
    const kernelSize = options.kernelSize ?? 3;
    const dilation = options.dilation ?? 1;
    const normLayer = options.normLayer === undefined ? batchNorm2d() : options.normLayer;
    const activationLayer = options.activationLayer === undefined ? () => new ReLU() : options.activationLayer;
    const layers: Module[] = [
      new Conv2d(inChannels, outChannels, kernelSize, {
        stride: options.stride ?? 1,
        padding: options.padding ?? Math.floor((kernelSize - 1) / 2) * dilation,
        dilation,
        groups: options.groups ?? 1,
        bias: options.bias ?? normLayer === null,
      }),
    ];
    if (normLayer !== null) layers.push(normLayer(outChannels));
    if (activationLayer !== null) layers.push(activationLayer());
    super(...layers);
    this.outChannels = outChannels;
  }
}

/**
 * Squeeze-and-excitation (torchvision.ops.SqueezeExcitation): input · σ(fc2(δ(fc1(avgpool(input))))),
 * with 1×1 convolutions fc1/fc2.
 */
export class SqueezeExcitation extends Module {
  avgpool = new AdaptiveAvgPool2d(1);
  fc1: Conv2d;
  fc2: Conv2d;
  activation: Module;
  scaleActivation: Module;

  constructor(
    inputChannels: number,
    squeezeChannels: number,
    activation: ActivationFactory = () => new ReLU(),
    scaleActivation: ActivationFactory = () => new Sigmoid(),
  ) {
    super();
    this.fc1 = new Conv2d(inputChannels, squeezeChannels, 1);
    this.fc2 = new Conv2d(squeezeChannels, inputChannels, 1);
    this.activation = activation();
    this.scaleActivation = scaleActivation();
  }

  override forward(input: Tensor): Tensor {
    let scale = this.avgpool.forward(input);
    scale = this.fc1.forward(scale);
    scale = this.activation.forward(scale) as Tensor;
    scale = this.fc2.forward(scale);
    scale = this.scaleActivation.forward(scale) as Tensor;
    return mul(scale, input);
  }
}

/**
 * Stochastic depth (torchvision.ops.StochasticDepth): in training, zeroes the whole residual
 * branch with probability p — per sample ("row") or for the batch ("batch") — and scales
 * survivors by 1/(1 − p); the identity in eval or with p = 0.
 */
export class StochasticDepth extends Module {
  constructor(readonly p: number, readonly mode: "row" | "batch") {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`drop probability has to be between 0 and 1, but got ${p}`);
    if (mode !== "row" && mode !== "batch") throw new ValueError(`mode has to be either 'batch' or 'row', but got ${String(mode)}`);
  }

  override forward(input: Tensor): Tensor {
    if (!this.training || this.p === 0) return input;
    const survival = 1 - this.p;
    const size = this.mode === "row" ? [input.shape[0] ?? 1, ...input.shape.slice(1).map(() => 1)] : input.shape.map(() => 1);
    let noise = to(lt(rand(size, { dtype: "float64" }), survival), input.dtype);
    if (survival > 0) noise = div(noise, survival);
    return mul(input, noise);
  }

  override extraRepr(): string {
    return `p=${this.p}, mode=${this.mode}`;
  }
}
