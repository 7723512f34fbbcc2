/**
 * nn.functional: the functional forms of the layers, as torch.nn.functional names them
 * (camelCase). Convolutions, pooling and the normalizations are the ops themselves.
 *
 * ```ts
 * import { nn } from "concord";
 * const F = nn.functional;
 * const loss = F.crossEntropy(F.linear(F.relu(x), w, b), labels);
 * ```
 */
export { linear, bilinear } from "./linear.ts";
export {
  conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, type ConvPadding, type SizeArg,
} from "../../ops/defs/conv.ts";
export {
  maxPool1d, maxPool2d, maxPool3d, avgPool1d, avgPool2d, avgPool3d, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d,
  adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d, type AdaptiveSize,
} from "../../ops/defs/pool.ts";
export { pad, type PadMode } from "../../ops/defs/shape.ts";
export { oneHot } from "../../ops/composite/indexing.ts";
export { scaledDotProductAttention, type AttentionOptions } from "../../ops/composite/attention.ts";
export { batchNorm, layerNorm, groupNorm, rmsNorm, instanceNorm, normalize } from "./normalization.ts";
export { dropout, dropout1d, dropout2d, dropout3d, alphaDropout, featureAlphaDropout, type DropoutOptions } from "./dropout.ts";
export {
  relu, sigmoid, tanh, gelu, silu, softplus, elu, selu, leakyRelu, hardtanh, relu6, hardswish, hardsigmoid, mish, logSigmoid,
  softmax, logSoftmax, type SoftmaxOptions, celu, softsign, tanhshrink, softshrink, hardshrink, threshold, prelu, softmin, glu,
} from "./activation.ts";
export { embedding, embeddingBag, embeddingRenorm_, type EmbeddingOptions, type EmbeddingBagOptions, type EmbeddingBagMode } from "./embedding.ts";
export {
  mseLoss, l1Loss, smoothL1Loss, huberLoss, nllLoss, crossEntropy, binaryCrossEntropy, binaryCrossEntropyWithLogits, klDiv,
  cosineEmbeddingLoss, marginRankingLoss, tripletMarginLoss, pairwiseDistance,
  type Reduction, type ReductionOptions, type NllLossOptions, type CrossEntropyOptions, type WeightedOptions,
  type BceWithLogitsOptions, type KlDivOptions, type TripletMarginOptions,
} from "./loss.ts";
export { rnnTanhCell, rnnReluCell, lstmCell, gruCell } from "./rnn.ts";
export { interpolate, type InterpolateMode, type InterpolateOptions } from "./interpolate.ts";
export { pixelShuffle, pixelUnshuffle } from "./pixel-shuffle.ts";
export { multiHeadAttentionForward, type MultiheadAttentionWeights, type MultiheadAttentionOptions } from "./attention.ts";
export { scaledDotProductAttentionMath } from "../../ops/composite/attention.ts";
