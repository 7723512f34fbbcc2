/** The layers of nn (PyTorch's torch.nn modules), one file per family. */
export { Identity, Linear, Bilinear, type LinearOptions } from "./linear.ts";
export { Flatten, Unflatten } from "./flatten.ts";
export {
  Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d,
  type ConvOptions, type ConvTransposeOptions, type ConvPaddingMode,
} from "./conv.ts";
export {
  MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d,
  AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d, type MaxPoolOptions, type AvgPoolOptions, type AvgPool2dOptions,
  type PoolResult,
} from "./pooling.ts";
export {
  BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, GroupNorm, RMSNorm,
  type NormOptions,
} from "./normalization.ts";
export { Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout } from "./dropout.ts";
export { Embedding, EmbeddingBag, type EmbeddingBagModuleOptions } from "./embedding.ts";
export {
  ReLU, ReLU6, LeakyReLU, ELU, CELU, SELU, GELU, SiLU, Mish, Sigmoid, Tanh, Hardtanh, Hardswish, Hardsigmoid, Softplus,
  Softsign, Tanhshrink, Softshrink, Hardshrink, Threshold, PReLU, LogSigmoid, Softmax, LogSoftmax, Softmin, Softmax2d, GLU,
} from "./activation.ts";
export {
  L1Loss, MSELoss, SmoothL1Loss, HuberLoss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
  CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss,
} from "./loss.ts";
export { RNNBase, RNN, LSTM, GRU, type RNNOptions, type ElmanRNNOptions, type LSTMOptions } from "./rnn.ts";
export { RNNCell, LSTMCell, GRUCell, type RNNCellOptions } from "./rnn-cell.ts";
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, type UpsampleOptions } from "./upsample.ts";
export { PixelShuffle, PixelUnshuffle } from "./pixel-shuffle.ts";
export { MultiheadAttention, NonDynamicallyQuantizableLinear, type MultiheadAttentionConfig, type MultiheadAttentionForwardOptions } from "./attention.ts";
export {
  TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder, Transformer,
  type TransformerActivation, type TransformerLayerOptions, type TransformerOptions, type EncoderMasks, type DecoderMasks, type TransformerMasks,
} from "./transformer.ts";
