/**
 * ONNX export of the recurrent layers (RNN tanh/relu, LSTM with projections, GRU, the
 * cells) with and without initial states, and of the transformer stacks with attention and
 * key-padding masks given as graph inputs. See export-harness.ts for what each case checks.
 */
import { randn, tensor, type Tensor } from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { exportCases, seeded, type Case } from "./export-harness.ts";
import { LastStep } from "./export-models.ts";

/** `m` in eval mode, for the cases traced as functions of several inputs. */
const evaluated = <M extends nn.Module>(m: M): M => m.eval() as M;

const causal = (n: number) => nn.Transformer.generateSquareSubsequentMask(n);
/** Batch-major key padding masks (1: ignore that key); each row keeps at least one key. */
const padding = (rows: (0 | 1)[][]) => tensor(rows, { dtype: "bool" });

const recurrent: Case[] = [
  { name: "RNN tanh, 2 layers", build: seeded(60, () => new LastStep(new nn.RNN(3, 4, { numLayers: 2 }))), inputs: () => [randn([5, 2, 3])] },
  {
    name: "RNN relu, bidirectional, batch first, initial state",
    build: seeded(61, () => new LastStep(new nn.RNN(3, 4, { nonlinearity: "relu", bidirectional: true, batchFirst: true }))),
    inputs: () => [randn([2, 5, 3]), randn([2, 2, 4])],
  },
  { name: "RNN without bias, unbatched", build: seeded(62, () => new LastStep(new nn.RNN(3, 4, { bias: false }))), inputs: () => [randn([4, 3])] },
  {
    name: "LSTM with projections, 2 layers bidirectional, initial state",
    build: seeded(63, () => new LastStep(new nn.LSTM(3, 5, { projSize: 2, numLayers: 2, bidirectional: true }))),
    inputs: () => [randn([4, 2, 3]), randn([4, 2, 2]), randn([4, 2, 5])],
  },
  { name: "LSTM with projection, batch first", build: seeded(64, () => new LastStep(new nn.LSTM(3, 4, { projSize: 3, batchFirst: true }))), inputs: () => [randn([2, 4, 3])] },
  { name: "GRU, initial state, unbatched", build: seeded(65, () => new LastStep(new nn.GRU(3, 4))), inputs: () => [randn([5, 3]), randn([1, 4])] },
  { name: "RNNCell tanh", build: seeded(66, () => new nn.RNNCell(3, 4)), inputs: () => [randn([2, 3]), randn([2, 4])] },
  { name: "RNNCell relu, no state", build: seeded(67, () => new nn.RNNCell(3, 4, { nonlinearity: "relu" })), inputs: () => [randn([2, 3])] },
  { name: "RNNCell unbatched, no bias", build: seeded(68, () => new nn.RNNCell(3, 4, { bias: false })), inputs: () => [randn([3]), randn([4])] },
  {
    name: "LSTMCell",
    build: seeded(69, () => {
      const cell = evaluated(new nn.LSTMCell(3, 4));
      return (x: Tensor, h: Tensor, c: Tensor) => cell.forward(x, [h, c]);
    }),
    inputs: () => [randn([2, 3]), randn([2, 4]), randn([2, 4])],
  },
  { name: "LSTMCell, no state", build: seeded(70, () => new nn.LSTMCell(3, 4)), inputs: () => [randn([2, 3])] },
  { name: "GRUCell", build: seeded(71, () => new nn.GRUCell(3, 4)), inputs: () => [randn([2, 3]), randn([2, 4])] },
  { name: "GRUCell unbatched, no state", build: seeded(72, () => new nn.GRUCell(3, 4)), inputs: () => [randn([3])] },
];

const layerOptions = { dimFeedforward: 16, batchFirst: true } as const;

const transformers: Case[] = [
  {
    name: "TransformerDecoderLayer with masks",
    build: seeded(80, () => {
      const layer = evaluated(new nn.TransformerDecoderLayer(8, 2, layerOptions));
      return (tgt: Tensor, memory: Tensor, tgtMask: Tensor, memoryPadding: Tensor) => layer.forward(tgt, memory, { tgtMask, memoryKeyPaddingMask: memoryPadding });
    }),
    inputs: () => [randn([2, 4, 8]), randn([2, 3, 8]), causal(4), padding([[0, 0, 1], [0, 1, 1]])],
  },
  {
    name: "TransformerDecoderLayer, norm first, gelu, no masks",
    build: seeded(81, () => new nn.TransformerDecoderLayer(8, 4, { dimFeedforward: 12, normFirst: true, activation: "gelu" })),
    inputs: () => [randn([3, 2, 8]), randn([5, 2, 8])],
  },
  {
    name: "TransformerEncoder, 2 layers with a final norm, masks",
    build: seeded(82, () => {
      const encoder = evaluated(new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, layerOptions), 2, new nn.LayerNorm(8)));
      return (src: Tensor, mask: Tensor, keyPadding: Tensor) => encoder.forward(src, { mask, srcKeyPaddingMask: keyPadding });
    }),
    inputs: () => [randn([2, 5, 8]), causal(5), padding([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]])],
  },
  {
    name: "TransformerEncoder, causal",
    build: seeded(83, () => {
      const encoder = evaluated(new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, layerOptions), 1));
      return (src: Tensor) => encoder.forward(src, { isCausal: true, mask: causal(4) });
    }),
    inputs: () => [randn([2, 4, 8])],
  },
  {
    name: "TransformerDecoder, 2 layers with a final norm",
    build: seeded(84, () => {
      const decoder = evaluated(new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, layerOptions), 2, new nn.LayerNorm(8)));
      return (tgt: Tensor, memory: Tensor, tgtPadding: Tensor) => decoder.forward(tgt, memory, { tgtMask: causal(3), tgtKeyPaddingMask: tgtPadding });
    }),
    inputs: () => [randn([2, 3, 8]), randn([2, 4, 8]), padding([[0, 0, 1], [0, 0, 0]])],
  },
  {
    name: "Transformer with every mask",
    build: seeded(85, () => {
      const model = evaluated(new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16 }));
      return (src: Tensor, tgt: Tensor, srcPadding: Tensor, tgtPadding: Tensor) =>
        model.forward(src, tgt, {
          srcMask: causal(5), tgtMask: causal(3), memoryMask: tensor([[0, 0, -Infinity, 0, 0], [0, 0, 0, 0, 0], [0, -Infinity, 0, 0, 0]]),
          srcKeyPaddingMask: srcPadding, tgtKeyPaddingMask: tgtPadding, memoryKeyPaddingMask: srcPadding,
        });
    }),
    inputs: () => [randn([5, 2, 8]), randn([3, 2, 8]), padding([[0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]), padding([[0, 0, 1], [0, 0, 0]])],
  },
  { name: "Transformer, no masks", build: seeded(86, () => new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8, batchFirst: true })), inputs: () => [randn([2, 4, 8]), randn([2, 3, 8])] },
];

exportCases([...recurrent, ...transformers]);
