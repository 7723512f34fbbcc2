/**
 * ResNet, ResNeXt and Wide ResNet as torchvision builds them (torchvision.models.resnet),
 * with the same module tree, so `stateDict()` keys are torchvision's (conv1, bn1,
 * layer1.0.conv1, layer2.0.downsample.0/1, fc, ...) and its checkpoints load unchanged.
 *
 * ```ts
 * const model = skipInit(() => resnet50()).eval(); // nn.init.skipInit: weights come next
 * model.loadStateDict(load(bytes).tensors); // torchvision's resnet50 weights as safetensors
 * model.forward(image); // [1, 1000] logits
 * ```
 */
import { ValueError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import { add } from "../ops/defs/binary.ts";
import { flatten } from "../ops/views.ts";
import { Sequential } from "../nn/containers.ts";
import { Module } from "../nn/module.ts";
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, GroupNorm, Linear, MaxPool2d, ReLU } from "../nn/layers/index.ts";
import { constant_, kaimingNormal_ } from "../nn/init.ts";
import type { NormFactory } from "./blocks.ts";

function conv3x3(inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, bias: false, dilation });
}

function conv1x1(inPlanes: number, outPlanes: number, stride = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

interface BlockArgs {
  inPlanes: number;
  planes: number;
  stride: number;
  downsample: Module | null;
  groups: number;
  baseWidth: number;
  dilation: number;
  normLayer: NormFactory;
}

/** Two 3×3 convolutions with a shortcut (ResNet-18/34). */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  conv1: Conv2d;
  bn1: Module;
  relu = new ReLU();
  conv2: Conv2d;
  bn2: Module;
  downsample: Module | null;
  readonly stride: number;

  constructor(args: BlockArgs) {
    super();
    if (args.groups !== 1 || args.baseWidth !== 64) throw new ValueError("BasicBlock only supports groups=1 and base_width=64");
    if (args.dilation > 1) throw new ValueError("Dilation > 1 not supported in BasicBlock");
    this.conv1 = conv3x3(args.inPlanes, args.planes, args.stride);
    this.bn1 = args.normLayer(args.planes);
    this.conv2 = conv3x3(args.planes, args.planes);
    this.bn2 = args.normLayer(args.planes);
    this.downsample = args.downsample;
    this.stride = args.stride;
  }

  override forward(x: Tensor): Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)) as Tensor);
    out = this.bn2.forward(this.conv2.forward(out)) as Tensor;
    const identity = this.downsample ? (this.downsample.forward(x) as Tensor) : x;
    return this.relu.forward(add(out, identity));
  }
}

/** 1×1 → 3×3 (stride, groups) → 1×1 ×4 with a shortcut (ResNet-50 and deeper; torchvision's V1.5). */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  conv1: Conv2d;
  bn1: Module;
  conv2: Conv2d;
  bn2: Module;
  conv3: Conv2d;
  bn3: Module;
  relu = new ReLU();
  downsample: Module | null;
  readonly stride: number;

  constructor(args: BlockArgs) {
    super();
    const width = Math.floor(args.planes * (args.baseWidth / 64)) * args.groups;
    this.conv1 = conv1x1(args.inPlanes, width);
    this.bn1 = args.normLayer(width);
    this.conv2 = conv3x3(width, width, args.stride, args.groups, args.dilation);
    this.bn2 = args.normLayer(width);
    this.conv3 = conv1x1(width, args.planes * Bottleneck.expansion);
    this.bn3 = args.normLayer(args.planes * Bottleneck.expansion);
    this.downsample = args.downsample;
    this.stride = args.stride;
  }

  override forward(x: Tensor): Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)) as Tensor);
    out = this.relu.forward(this.bn2.forward(this.conv2.forward(out)) as Tensor);
    out = this.bn3.forward(this.conv3.forward(out)) as Tensor;
    const identity = this.downsample ? (this.downsample.forward(x) as Tensor) : x;
    return this.relu.forward(add(out, identity));
  }
}

export type ResNetBlock = typeof BasicBlock | typeof Bottleneck;

export interface ResNetOptions {
  /** Size of the final classifier (default 1000). */
  numClasses?: number;
  /** Zero the last BatchNorm's weight in every residual branch, so each block starts as the identity. */
  zeroInitResidual?: boolean;
  /** Groups of the 3×3 convolutions (ResNeXt; Bottleneck only). */
  groups?: number;
  /** Width of each group (64 for ResNet; 4 for ResNeXt-50 32×4d; 128 for Wide ResNet-50-2). */
  widthPerGroup?: number;
  /** For layer2..layer4: replace the stride-2 downsampling by a dilated convolution. */
  replaceStrideWithDilation?: readonly [boolean, boolean, boolean];
  /** Normalization layer (default BatchNorm2d). */
  normLayer?: NormFactory;
}

/**
 * torchvision.models.ResNet: a 7×7 stem, max pooling, four stages of residual blocks,
 * global average pooling and a linear classifier. Weights are initialized as torchvision's
 * (convolutions kaiming-normal fan_out, BatchNorm 1/0).
 */
export class ResNet extends Module {
  conv1: Conv2d;
  bn1: Module;
  relu = new ReLU();
  maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  avgpool = new AdaptiveAvgPool2d([1, 1]);
  fc: Linear;
  #inPlanes = 64;
  #dilation = 1;
  readonly #groups: number;
  readonly #baseWidth: number;
  readonly #normLayer: NormFactory;

  constructor(block: ResNetBlock, layers: readonly [number, number, number, number], options: ResNetOptions = {}) {
    super();
    const dilate = options.replaceStrideWithDilation ?? [false, false, false];
    if (dilate.length !== 3) throw new ValueError(`replace_stride_with_dilation should be None or a 3-element tuple, got [${dilate.join(", ")}]`);
    this.#normLayer = options.normLayer ?? ((c) => new BatchNorm2d(c));
    this.#groups = options.groups ?? 1;
    this.#baseWidth = options.widthPerGroup ?? 64;
    this.conv1 = new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = this.#normLayer(64);
    this.layer1 = this.#makeLayer(block, 64, layers[0]);
    this.layer2 = this.#makeLayer(block, 128, layers[1], 2, dilate[0]);
    this.layer3 = this.#makeLayer(block, 256, layers[2], 2, dilate[1]);
    this.layer4 = this.#makeLayer(block, 512, layers[3], 2, dilate[2]);
    this.fc = new Linear(512 * block.expansion, options.numClasses ?? 1000);

    for (const m of this.modules()) {
      if (m instanceof Conv2d) kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
      else if (m instanceof BatchNorm2d || m instanceof GroupNorm) {
        if (m.weight) constant_(m.weight, 1);
        if (m.bias) constant_(m.bias, 0);
      }
    }
    if (options.zeroInitResidual) {
      for (const m of this.modules()) {
        const last = m instanceof Bottleneck ? m.bn3 : m instanceof BasicBlock ? m.bn2 : null;
        if (last instanceof BatchNorm2d && last.weight) constant_(last.weight, 0);
      }
    }
  }

  #makeLayer(block: ResNetBlock, planes: number, blocks: number, stride = 1, dilate = false): Sequential {
    const normLayer = this.#normLayer;
    const previousDilation = this.#dilation;
    if (dilate) {
      this.#dilation *= stride;
      stride = 1;
    }
    let downsample: Module | null = null;
    if (stride !== 1 || this.#inPlanes !== planes * block.expansion) {
      downsample = new Sequential(conv1x1(this.#inPlanes, planes * block.expansion, stride), normLayer(planes * block.expansion));
    }
    const common = { planes, groups: this.#groups, baseWidth: this.#baseWidth, normLayer };
    const layers: Module[] = [new block({ ...common, inPlanes: this.#inPlanes, stride, downsample, dilation: previousDilation })];
    this.#inPlanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++) {
      layers.push(new block({ ...common, inPlanes: this.#inPlanes, stride: 1, downsample: null, dilation: this.#dilation }));
    }
    return new Sequential(...layers);
  }

  override forward(x: Tensor): Tensor {
    x = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)) as Tensor));
    x = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(x))));
    return this.fc.forward(flatten(this.avgpool.forward(x), 1));
  }
}

/** Options of the named constructors: everything but the architecture's own groups/width. */
export type ResNetVariantOptions = Omit<ResNetOptions, "groups" | "widthPerGroup">;

export const resnet18 = (options: ResNetVariantOptions = {}): ResNet => new ResNet(BasicBlock, [2, 2, 2, 2], options);
export const resnet34 = (options: ResNetVariantOptions = {}): ResNet => new ResNet(BasicBlock, [3, 4, 6, 3], options);
export const resnet50 = (options: ResNetVariantOptions = {}): ResNet => new ResNet(Bottleneck, [3, 4, 6, 3], options);
export const resnet101 = (options: ResNetVariantOptions = {}): ResNet => new ResNet(Bottleneck, [3, 4, 23, 3], options);
export const resnet152 = (options: ResNetVariantOptions = {}): ResNet => new ResNet(Bottleneck, [3, 8, 36, 3], options);
export const resnext50_32x4d = (options: ResNetVariantOptions = {}): ResNet =>
  new ResNet(Bottleneck, [3, 4, 6, 3], { ...options, groups: 32, widthPerGroup: 4 });
export const resnext101_32x8d = (options: ResNetVariantOptions = {}): ResNet =>
  new ResNet(Bottleneck, [3, 4, 23, 3], { ...options, groups: 32, widthPerGroup: 8 });
export const wide_resnet50_2 = (options: ResNetVariantOptions = {}): ResNet =>
  new ResNet(Bottleneck, [3, 4, 6, 3], { ...options, widthPerGroup: 128 });
export const wide_resnet101_2 = (options: ResNetVariantOptions = {}): ResNet =>
  new ResNet(Bottleneck, [3, 4, 23, 3], { ...options, widthPerGroup: 128 });
