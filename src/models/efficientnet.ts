/**
 * EfficientNet B0-B7 as torchvision builds them (torchvision.models.efficientnet): MBConv
 * blocks with SiLU, squeeze-and-excitation and stochastic depth, under torchvision's keys
 * (features.N.M.block.K..., classifier.1), so its checkpoints load unchanged.
 *
 * ```ts
 * const model = efficientnet_b0({ numClasses: 1000 }).eval();
 * ```
 */
import { ValueError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import { add } from "../ops/defs/binary.ts";
import { flatten } from "../ops/views.ts";
import { Sequential } from "../nn/containers.ts";
import { Module } from "../nn/module.ts";
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, GroupNorm, Linear, SiLU } from "../nn/layers/index.ts";
import { kaimingNormal_, ones_, uniform_, zeros_ } from "../nn/init.ts";
import {
  Conv2dNormActivation, SqueezeExcitation, StochasticDepth, batchNorm2d, makeDivisible, type NormFactory,
} from "./blocks.ts";

const silu = (): Module => new SiLU();

/** One stage of the network: torchvision's MBConvConfig after width and depth scaling. */
export interface MBConvConfig {
  expandRatio: number;
  kernel: number;
  stride: number;
  inputChannels: number;
  outChannels: number;
  numLayers: number;
}

/** torchvision's MBConvConfig(expand_ratio, kernel, stride, input_channels, out_channels, num_layers, width_mult, depth_mult). */
export function mbconvConfig(
  expandRatio: number, kernel: number, stride: number, inputChannels: number, outChannels: number, numLayers: number,
  widthMult = 1, depthMult = 1,
): MBConvConfig {
  return {
    expandRatio,
    kernel,
    stride,
    inputChannels: adjustChannels(inputChannels, widthMult),
    outChannels: adjustChannels(outChannels, widthMult),
    numLayers: Math.ceil(numLayers * depthMult),
  };
}

function adjustChannels(channels: number, widthMult: number): number {
  return makeDivisible(channels * widthMult, 8);
}

/** Mobile inverted bottleneck: expand 1×1 → depthwise k×k → squeeze-excitation → project 1×1. */
export class MBConv extends Module {
  block: Sequential;
  stochasticDepth: StochasticDepth;
  readonly useResConnect: boolean;
  readonly outChannels: number;

  constructor(cnf: MBConvConfig, stochasticDepthProb: number, normLayer: NormFactory) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new ValueError(`illegal stride value ${cnf.stride}`);
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;
    const layers: Module[] = [];
    const expanded = adjustChannels(cnf.inputChannels, cnf.expandRatio);
    if (expanded !== cnf.inputChannels) {
      layers.push(new Conv2dNormActivation(cnf.inputChannels, expanded, { kernelSize: 1, normLayer, activationLayer: silu }));
    }
    layers.push(
      new Conv2dNormActivation(expanded, expanded, {
        kernelSize: cnf.kernel, stride: cnf.stride, groups: expanded, normLayer, activationLayer: silu,
      }),
      new SqueezeExcitation(expanded, Math.max(1, Math.floor(cnf.inputChannels / 4)), silu),
      new Conv2dNormActivation(expanded, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }),
    );
    this.block = new Sequential(...layers);
    this.stochasticDepth = new StochasticDepth(stochasticDepthProb, "row");
    this.outChannels = cnf.outChannels;
  }

  override forward(input: Tensor): Tensor {
    const result = this.block.forward(input);
    return this.useResConnect ? add(this.stochasticDepth.forward(result), input) : result;
  }
}

export interface EfficientNetOptions {
  numClasses?: number;
  /** Dropout before the classifier (B0/B1 0.2, B2/B3 0.3, B4/B5 0.4, B6/B7 0.5). */
  dropout?: number;
  /** Largest stochastic-depth drop probability, reached by the last block. Default 0.2. */
  stochasticDepthProb?: number;
  /** Default BatchNorm2d (B5-B7: eps 1e-3, momentum 0.01). */
  normLayer?: NormFactory;
  /** Channels of the last 1×1 convolution; default 4 × the last stage's. */
  lastChannel?: number;
}

/** torchvision.models.EfficientNet over a list of stage configs, initialized as torchvision's. */
export class EfficientNet extends Module {
  features: Sequential;
  avgpool = new AdaptiveAvgPool2d(1);
  classifier: Sequential;

  constructor(setting: readonly MBConvConfig[], options: EfficientNetOptions = {}) {
    super();
    if (setting.length === 0) throw new ValueError("The inverted_residual_setting should not be empty");
    const normLayer = options.normLayer ?? batchNorm2d();
    const sdProb = options.stochasticDepthProb ?? 0.2;
    const layers: Module[] = [
      new Conv2dNormActivation(3, setting[0]!.inputChannels, { kernelSize: 3, stride: 2, normLayer, activationLayer: silu }),
    ];
    const totalBlocks = setting.reduce((n, c) => n + c.numLayers, 0);
    let blockId = 0;
    for (const cnf of setting) {
      const stage: Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        const blockCnf = i === 0 ? cnf : { ...cnf, inputChannels: cnf.outChannels, stride: 1 };
        stage.push(new MBConv(blockCnf, (sdProb * blockId) / totalBlocks, normLayer));
        blockId++;
      }
      layers.push(new Sequential(...stage));
    }
    const lastIn = setting[setting.length - 1]!.outChannels;
    const lastOut = options.lastChannel ?? 4 * lastIn;
    layers.push(new Conv2dNormActivation(lastIn, lastOut, { kernelSize: 1, normLayer, activationLayer: silu }));
    this.features = new Sequential(...layers);
    this.classifier = new Sequential(new Dropout(options.dropout ?? 0.2), new Linear(lastOut, options.numClasses ?? 1000));

    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        kaimingNormal_(m.weight, { mode: "fan_out" });
        if (m.bias) zeros_(m.bias);
      } else if (m instanceof BatchNorm2d || m instanceof GroupNorm) {
        if (m.weight) ones_(m.weight);
        if (m.bias) zeros_(m.bias);
      } else if (m instanceof Linear) {
        const range = 1 / Math.sqrt(m.outFeatures);
        uniform_(m.weight, -range, range);
        if (m.bias) zeros_(m.bias);
      }
    }
  }

  override forward(x: Tensor): Tensor {
    x = this.avgpool.forward(this.features.forward(x));
    return this.classifier.forward(flatten(x, 1));
  }
}

/** The B0-B7 stage table scaled by width and depth (torchvision's _efficientnet_conf). */
export function efficientnetConfig(widthMult: number, depthMult: number): MBConvConfig[] {
  const rows: [number, number, number, number, number, number][] = [
    [1, 3, 1, 32, 16, 1],
    [6, 3, 2, 16, 24, 2],
    [6, 5, 2, 24, 40, 2],
    [6, 3, 2, 40, 80, 3],
    [6, 5, 1, 80, 112, 3],
    [6, 5, 2, 112, 192, 4],
    [6, 3, 1, 192, 320, 1],
  ];
  return rows.map(([e, k, s, i, o, n]) => mbconvConfig(e, k, s, i, o, n, widthMult, depthMult));
}

/** Options of the named constructors (their stage table is fixed). */
export type EfficientNetVariantOptions = EfficientNetOptions;

function variant(widthMult: number, depthMult: number, dropout: number, largeNorm = false) {
  return (options: EfficientNetVariantOptions = {}): EfficientNet =>
    new EfficientNet(efficientnetConfig(widthMult, depthMult), {
      dropout,
      ...(largeNorm ? { normLayer: batchNorm2d({ eps: 0.001, momentum: 0.01 }) } : {}),
      ...options,
    });
}

export const efficientnet_b0 = variant(1.0, 1.0, 0.2);
export const efficientnet_b1 = variant(1.0, 1.1, 0.2);
export const efficientnet_b2 = variant(1.1, 1.2, 0.3);
export const efficientnet_b3 = variant(1.2, 1.4, 0.3);
export const efficientnet_b4 = variant(1.4, 1.8, 0.4);
export const efficientnet_b5 = variant(1.6, 2.2, 0.4, true);
export const efficientnet_b6 = variant(1.8, 2.6, 0.5, true);
export const efficientnet_b7 = variant(2.0, 3.1, 0.5, true);
