/**
 * MobileNetV2 as torchvision builds it (torchvision.models.mobilenetv2): keys
 * features.0.0/1 (stem), features.N.conv.M... (inverted residuals), features.18 (last 1×1),
 * classifier.1 — so torchvision's checkpoints load unchanged.
 *
 * ```ts
 * const model = mobilenet_v2({ numClasses: 10, widthMult: 0.5 });
 * ```
 */
import { ValueError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import { add } from "../ops/defs/binary.ts";
import { flatten } from "../ops/views.ts";
import { adaptiveAvgPool2d } from "../ops/defs/pool.ts";
import { Sequential } from "../nn/containers.ts";
import { Module } from "../nn/module.ts";
import { BatchNorm2d, Conv2d, Dropout, GroupNorm, Linear, ReLU6 } from "../nn/layers/index.ts";
import { kaimingNormal_, normal_, ones_, zeros_ } from "../nn/init.ts";
import { Conv2dNormActivation, batchNorm2d, makeDivisible, type NormFactory } from "./blocks.ts";

const relu6 = (): Module => new ReLU6();

/** Expand 1×1 → depthwise 3×3 → project 1×1 (linear), with a shortcut when shapes allow. */
export class InvertedResidual extends Module {
  conv: Sequential;
  readonly stride: number;
  readonly useResConnect: boolean;
  readonly outChannels: number;

  constructor(inp: number, oup: number, stride: number, expandRatio: number, normLayer: NormFactory = batchNorm2d()) {
    super();
    if (stride !== 1 && stride !== 2) throw new ValueError(`stride should be 1 or 2 instead of ${stride}`);
    this.stride = stride;
    const hiddenDim = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(new Conv2dNormActivation(inp, hiddenDim, { kernelSize: 1, normLayer, activationLayer: relu6 }));
    layers.push(
      new Conv2dNormActivation(hiddenDim, hiddenDim, { stride, groups: hiddenDim, normLayer, activationLayer: relu6 }),
      new Conv2d(hiddenDim, oup, 1, { stride: 1, padding: 0, bias: false }),
      normLayer(oup),
    );
    this.conv = new Sequential(...layers);
    this.outChannels = oup;
  }

  override forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    return this.useResConnect ? add(x, y) : y;
  }
}

/** One row of the architecture table: expansion t, output channels c, repeats n, first stride s. */
export type InvertedResidualSetting = readonly [t: number, c: number, n: number, s: number];

export interface MobileNetV2Options {
  numClasses?: number;
  /** Multiplies every layer's channels (rounded to `roundNearest`). Default 1. */
  widthMult?: number;
  /** The [t, c, n, s] rows; default the paper's seven. */
  invertedResidualSetting?: readonly InvertedResidualSetting[];
  /** Channel counts are multiples of this. Default 8. */
  roundNearest?: number;
  normLayer?: NormFactory;
  /** Dropout before the classifier. Default 0.2. */
  dropout?: number;
}

const DEFAULT_SETTING: readonly InvertedResidualSetting[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** torchvision.models.MobileNetV2, initialized as torchvision's. */
export class MobileNetV2 extends Module {
  features: Sequential;
  classifier: Sequential;
  readonly lastChannel: number;

  constructor(options: MobileNetV2Options = {}) {
    super();
    const widthMult = options.widthMult ?? 1;
    const roundNearest = options.roundNearest ?? 8;
    const normLayer = options.normLayer ?? batchNorm2d();
    const setting = options.invertedResidualSetting ?? DEFAULT_SETTING;
    if (setting.length === 0 || setting[0]!.length !== 4) {
      throw new ValueError("inverted_residual_setting should be non-empty and made of 4-element rows [t, c, n, s]");
    }
    let inputChannel = makeDivisible(32 * widthMult, roundNearest);
    this.lastChannel = makeDivisible(1280 * Math.max(1, widthMult), roundNearest);
    const features: Module[] = [new Conv2dNormActivation(3, inputChannel, { stride: 2, normLayer, activationLayer: relu6 })];
    for (const [t, c, n, s] of setting) {
      const outputChannel = makeDivisible(c * widthMult, roundNearest);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidual(inputChannel, outputChannel, i === 0 ? s : 1, t, normLayer));
        inputChannel = outputChannel;
      }
    }
    features.push(new Conv2dNormActivation(inputChannel, this.lastChannel, { kernelSize: 1, normLayer, activationLayer: relu6 }));
    this.features = new Sequential(...features);
    this.classifier = new Sequential(new Dropout(options.dropout ?? 0.2), new Linear(this.lastChannel, options.numClasses ?? 1000));

    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        kaimingNormal_(m.weight, { mode: "fan_out" });
        if (m.bias) zeros_(m.bias);
      } else if (m instanceof BatchNorm2d || m instanceof GroupNorm) {
        if (m.weight) ones_(m.weight);
        if (m.bias) zeros_(m.bias);
      } else if (m instanceof Linear) {
        normal_(m.weight, 0, 0.01);
        if (m.bias) zeros_(m.bias);
      }
    }
  }

  override forward(x: Tensor): Tensor {
    x = this.features.forward(x);
    x = flatten(adaptiveAvgPool2d(x, [1, 1]), 1);
    return this.classifier.forward(x);
  }
}

export const mobilenet_v2 = (options: MobileNetV2Options = {}): MobileNetV2 => new MobileNetV2(options);
