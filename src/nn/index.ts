/** nn: modules, layers, functional forms, initializers. */
export { Module, pytorchName, type StateDict, type LoadStateDictResult, type RemovableHandle, type ForwardHook, type ForwardPreHook } from "./module.ts";
export { Parameter, isParameter } from "./parameter.ts";
export { Sequential, ModuleList, ModuleDict } from "./containers.ts";
export * from "./layers/index.ts";
export * as functional from "./functional/index.ts";
export * as init from "./init.ts";
export * as utils from "./utils.ts";
export { RNNBase, RNN, LSTM, GRU, type RNNOptions, type ElmanRNNOptions, type LSTMOptions } from "./layers/rnn.ts";
export { RNNCell, LSTMCell, GRUCell, type RNNCellOptions } from "./layers/rnn-cell.ts";
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, type UpsampleOptions } from "./layers/upsample.ts";
export { PixelShuffle, PixelUnshuffle } from "./layers/pixel-shuffle.ts";
export { MultiheadAttention, NonDynamicallyQuantizableLinear, type MultiheadAttentionConfig, type MultiheadAttentionForwardOptions } from "./layers/attention.ts";
export {
  TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder, Transformer,
  type TransformerActivation, type TransformerLayerOptions, type TransformerOptions, type EncoderMasks, type DecoderMasks, type TransformerMasks,
} from "./layers/transformer.ts";
export { PackedSequence } from "./functional/rnn-packing.ts";
