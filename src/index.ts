/**
 * concord: tensors, autograd and the ops, in one import.
 *
 * ```ts
 * import { tensor, randn } from "concord";
 * const w = randn([3, 2], { requiresGrad: true });
 * const loss = tensor([[1, 2, 3]], { dtype: "float32" }).matmul(w).pow(2).sum();
 * loss.backward();
 * w.grad; // d loss / d w
 * ```
 */
import "./ops/methods.ts";
import "./autograd/methods.ts";

export { Tensor, type Scalar, type NestedArray, type DataArray } from "./core/tensor.ts";
export {
  type DType,
  DTYPES,
  promoteTypes,
  resultType,
  canCast,
  isFloating,
} from "./core/dtype.ts";
export * from "./core/errors.ts";
export { Generator, defaultGenerator, manualSeed } from "./core/random.ts";
export * from "./ops/creation.ts";
export * from "./ops/defs/unary.ts";
export * from "./ops/defs/binary.ts";
export { clamp } from "./ops/defs/clamp.ts";
export { sum, prod, amax, amin, argmax, argmin, type SumOptions, type KeepdimOptions } from "./ops/defs/reduce.ts";
export { cumsum, cumprod, type ScanOptions } from "./ops/defs/scan.ts";
export { softmax, logSoftmax, type SoftmaxOptions } from "./ops/defs/softmax.ts";
export { sort, topk, type SortOptions, type TopkOptions } from "./ops/defs/sort.ts";
export {
  mean, var, std, logsumexp, norm, all, any, max, min, argsort, type VarOptions, type NormOptions,
} from "./ops/composite/reduction.ts";
export * from "./ops/views.ts";
export { cat, flip, repeat, pad, unfold, type PadMode } from "./ops/defs/shape.ts";
export { stack, split, chunk, roll, tile, repeatInterleave } from "./ops/composite/shape.ts";
export {
  gather, scatter, scatterReduce, indexSelect, indexAdd, nonzero, type ScatterReduction, type ScatterOptions, type NonzeroOptions,
} from "./ops/defs/indexing.ts";
export { advancedIndex, indexPut } from "./ops/defs/advanced-index.ts";
export { scatterAdd, maskedFill, maskedSelect, take, oneHot } from "./ops/composite/indexing.ts";
export { index, setIndex, indexPut_, sl, Slice, type IndexItem, type IndexList } from "./ops/indexing-api.ts";
export { matmul, mm, bmm, mv, dot, outer, tril, triu } from "./ops/defs/linalg.ts";
export { einsum } from "./ops/composite/einsum.ts";
export { conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, type ConvPadding, type SizeArg } from "./ops/defs/conv.ts";
export {
  maxPool1d, maxPool2d, maxPool3d, avgPool1d, avgPool2d, avgPool3d, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d,
  adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d, type AdaptiveSize,
} from "./ops/defs/pool.ts";
export { layerNorm, batchNorm, groupNorm, rmsNorm } from "./ops/defs/norm.ts";
export { scaledDotProductAttention, type AttentionOptions } from "./ops/composite/attention.ts";
export { lerp, addcmul, addcdiv, frac, isfinite } from "./ops/composite/pointwise.ts";
export {
  gelu, silu, softplus, elu, selu, leakyRelu, hardtanh, relu6, hardswish, hardsigmoid, mish, logSigmoid,
} from "./ops/composite/activation.ts";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.ts";
export { backward, grad, type BackwardOptions, type GradOptions } from "./autograd/backward.ts";
export * as nn from "./nn/index.ts";
export * as train from "./train/index.ts";
export * as optim from "./optim/index.ts";
export * as onnx from "./formats/onnx/index.ts";
export * as graph from "./graph/index.ts";
export * as safetensors from "./formats/safetensors/index.ts";
export * as npy from "./formats/npy/index.ts";
export * as gguf from "./formats/gguf/index.ts";
export * as data from "./data/index.ts";
export * as pytorch from "./formats/pytorch/index.ts";
export * as models from "./models/index.ts";
export { load, loadBytes, inspect, inspectBytes, detectFormat, flattenTensors, type FileFormat, type FileSummary, type TensorSummary, type LoadedState } from "./formats/index.ts";
export { getBackend, setBackend, backendInfo, configureWasmBackend, ready } from "./backends/index.ts";
export { fallbackCounts, profileOps, type OpProfile } from "./backends/dispatch.ts";
