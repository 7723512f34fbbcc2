/**
 * models: reference architectures whose state dicts are torchvision's / PyTorch's, key for
 * key and shape for shape, so their checkpoints load with `loadStateDict` unchanged.
 *
 * ```ts
 * import { models, nn, safetensors } from "concord";
 * // skipInit: no random draws for weights that are overwritten next
 * const net = nn.init.skipInit(() => models.createModel("resnet18")).eval();
 * net.loadStateDict(safetensors.load(bytes).tensors); // torchvision's keys, strict
 * models.createModel("efficientnet_b0", { numClasses: 10 }); // fresh, torchvision's init
 * models.modelNames(); // ["mnist_cnn", "resnet18", ...]
 * ```
 */
import { ValueError } from "../core/errors.ts";
import { mnist_cnn } from "./mnist-cnn.ts";
import {
  resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d, wide_resnet50_2, wide_resnet101_2,
} from "./resnet.ts";
import { mobilenet_v2 } from "./mobilenet.ts";
import {
  efficientnet_b0, efficientnet_b1, efficientnet_b2, efficientnet_b3, efficientnet_b4, efficientnet_b5, efficientnet_b6,
  efficientnet_b7,
} from "./efficientnet.ts";
import { vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn } from "./vgg.ts";
import { vit_b_16, vit_b_32, vit_l_16, vit_l_32 } from "./vit.ts";

export * from "./blocks.ts";
export * from "./mnist-cnn.ts";
export * from "./resnet.ts";
export * from "./mobilenet.ts";
export * from "./efficientnet.ts";
export * from "./vgg.ts";
export * from "./vit.ts";

const REGISTRY = {
  mnist_cnn,
  resnet18,
  resnet34,
  resnet50,
  resnet101,
  resnet152,
  resnext50_32x4d,
  resnext101_32x8d,
  wide_resnet50_2,
  wide_resnet101_2,
  mobilenet_v2,
  efficientnet_b0,
  efficientnet_b1,
  efficientnet_b2,
  efficientnet_b3,
  efficientnet_b4,
  efficientnet_b5,
  efficientnet_b6,
  efficientnet_b7,
  vgg11,
  vgg11_bn,
  vgg13,
  vgg13_bn,
  vgg16,
  vgg16_bn,
  vgg19,
  vgg19_bn,
  vit_b_16,
  vit_b_32,
  vit_l_16,
  vit_l_32,
};

/** The registered names: torchvision's builder names (and "mnist_cnn"). */
export type ModelName = keyof typeof REGISTRY;
/** The options `createModel(name, ...)` takes for that model. */
export type ModelOptions<N extends ModelName> = NonNullable<Parameters<(typeof REGISTRY)[N]>[0]>;
/** The module `createModel(name)` returns. */
export type ModelOf<N extends ModelName> = ReturnType<(typeof REGISTRY)[N]>;

/** Every name `createModel` accepts, in registry order. */
export function modelNames(): ModelName[] {
  return Object.keys(REGISTRY) as ModelName[];
}

function isModelName(name: string): name is ModelName {
  return Object.prototype.hasOwnProperty.call(REGISTRY, name);
}

/**
 * Builds a registered model with freshly initialized weights (torchvision's init scheme),
 * e.g. `createModel("resnet50", { numClasses: 10 })`. Unknown names are a ValueError
 * listing the known ones.
 */
export function createModel<N extends ModelName>(name: N, options?: ModelOptions<N>): ModelOf<N> {
  if (typeof name !== "string" || !isModelName(name)) {
    throw new ValueError(`unknown model '${String(name)}'; known models: ${modelNames().join(", ")}`);
  }
  const build = REGISTRY[name] as (options?: ModelOptions<N>) => ModelOf<N>;
  return build(options);
}
