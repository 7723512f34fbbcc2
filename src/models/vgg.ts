/**
 * VGG 11/13/16/19, with or without batch normalization, as torchvision builds them
 * (torchvision.models.vgg): keys features.N (convolutions at torchvision's indices) and
 * classifier.0/3/6, so its checkpoints load unchanged.
 *
 * ```ts
 * const model = vgg16_bn({ numClasses: 10 });
 * ```
 */
import type { Tensor } from "../core/tensor.ts";
import { flatten } from "../ops/views.ts";
import { Sequential } from "../nn/containers.ts";
import { Module } from "../nn/module.ts";
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, ReLU } from "../nn/layers/index.ts";
import { constant_, kaimingNormal_, normal_ } from "../nn/init.ts";

/** A VGG feature extractor: numbers are 3×3 convolutions with that many channels, "M" a 2×2 max pool. */
export type VGGConfig = readonly (number | "M")[];

export const VGG_CONFIGS = {
  A: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  B: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  D: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
  E: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
} as const satisfies Record<string, VGGConfig>;

/** torchvision's make_layers: conv (→ BatchNorm) → ReLU per number, MaxPool2d(2, 2) per "M". */
export function makeVGGLayers(cfg: VGGConfig, batchNorm = false): Sequential {
  const layers: Module[] = [];
  let inChannels = 3;
  for (const v of cfg) {
    if (v === "M") {
      layers.push(new MaxPool2d(2, { stride: 2 }));
    } else {
      layers.push(new Conv2d(inChannels, v, 3, { padding: 1 }));
      if (batchNorm) layers.push(new BatchNorm2d(v));
      layers.push(new ReLU());
      inChannels = v;
    }
  }
  return new Sequential(...layers);
}

export interface VGGOptions {
  numClasses?: number;
  /** Initialize as torchvision does (default true). */
  initWeights?: boolean;
  /** Dropout of the two hidden classifier layers. Default 0.5. */
  dropout?: number;
}

/** torchvision.models.VGG: features, 7×7 adaptive average pooling, a 3-layer classifier. */
export class VGG extends Module {
  features: Module;
  avgpool = new AdaptiveAvgPool2d([7, 7]);
  classifier: Sequential;

  constructor(features: Module, options: VGGOptions = {}) {
    super();
    const dropout = options.dropout ?? 0.5;
    this.features = features;
    this.classifier = new Sequential(
      new Linear(512 * 7 * 7, 4096),
      new ReLU(),
      new Dropout(dropout),
      new Linear(4096, 4096),
      new ReLU(),
      new Dropout(dropout),
      new Linear(4096, options.numClasses ?? 1000),
    );
    if (options.initWeights ?? true) {
      for (const m of this.modules()) {
        if (m instanceof Conv2d) {
          kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
          if (m.bias) constant_(m.bias, 0);
        } else if (m instanceof BatchNorm2d) {
          if (m.weight) constant_(m.weight, 1);
          if (m.bias) constant_(m.bias, 0);
        } else if (m instanceof Linear) {
          normal_(m.weight, 0, 0.01);
          if (m.bias) constant_(m.bias, 0);
        }
      }
    }
  }

  override forward(x: Tensor): Tensor {
    x = this.avgpool.forward(this.features.forward(x) as Tensor);
    return this.classifier.forward(flatten(x, 1));
  }
}

const variant = (cfg: VGGConfig, batchNorm: boolean) => (options: VGGOptions = {}): VGG => new VGG(makeVGGLayers(cfg, batchNorm), options);

export const vgg11 = variant(VGG_CONFIGS.A, false);
export const vgg11_bn = variant(VGG_CONFIGS.A, true);
export const vgg13 = variant(VGG_CONFIGS.B, false);
export const vgg13_bn = variant(VGG_CONFIGS.B, true);
export const vgg16 = variant(VGG_CONFIGS.D, false);
export const vgg16_bn = variant(VGG_CONFIGS.D, true);
export const vgg19 = variant(VGG_CONFIGS.E, false);
export const vgg19_bn = variant(VGG_CONFIGS.E, true);
