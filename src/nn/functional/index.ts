/** nn.functional: the layers' computations as functions. */
export { rnnTanhCell, rnnReluCell, lstmCell, gruCell } from "./rnn.ts";
export { interpolate, type InterpolateMode, type InterpolateOptions } from "./interpolate.ts";
export { pixelShuffle, pixelUnshuffle } from "./pixel-shuffle.ts";
export { multiHeadAttentionForward, type MultiheadAttentionWeights, type MultiheadAttentionOptions } from "./attention.ts";
export { scaledDotProductAttention, scaledDotProductAttentionMath, type AttentionOptions } from "../../ops/composite/attention.ts";
