/**
 * ONNX export of every activation module and every loss module (as a function of its
 * inputs and target). See export-harness.ts for what each case checks.
 */
import { noGrad, randint, randn, rand, tensor, type Tensor } from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { exportCases, seeded, type Case } from "./export-harness.ts";

/** Values around every activation's kinks and thresholds. */
const spread = () => [randn([3, 8]).mul(3)];

const activation = (name: string, make: () => nn.Module, ops?: string[], inputs = spread): Case => ({ name, build: make, inputs, ...(ops ? { ops } : {}) });

const activations: Case[] = [
  activation("ReLU", () => new nn.ReLU(), ["Relu"]),
  activation("ReLU6", () => new nn.ReLU6()),
  activation("LeakyReLU", () => new nn.LeakyReLU(0.2)),
  activation("ELU alpha 0.5", () => new nn.ELU(0.5)),
  activation("CELU alpha 1.5", () => new nn.CELU(1.5)),
  activation("SELU", () => new nn.SELU()),
  activation("GELU", () => new nn.GELU()),
  activation("GELU tanh", () => new nn.GELU("tanh")),
  activation("SiLU", () => new nn.SiLU()),
  activation("Mish", () => new nn.Mish()),
  activation("Sigmoid", () => new nn.Sigmoid(), ["Sigmoid"]),
  activation("Tanh", () => new nn.Tanh(), ["Tanh"]),
  activation("Hardtanh", () => new nn.Hardtanh(-2, 1.5)),
  activation("Hardswish", () => new nn.Hardswish()),
  activation("Hardsigmoid", () => new nn.Hardsigmoid()),
  activation("Softplus", () => new nn.Softplus()),
  activation("Softplus beta 2, threshold 3", () => new nn.Softplus(2, 3)),
  activation("Softsign", () => new nn.Softsign()),
  activation("Tanhshrink", () => new nn.Tanhshrink()),
  activation("Softshrink", () => new nn.Softshrink(0.8)),
  activation("Hardshrink", () => new nn.Hardshrink(0.8)),
  activation("Threshold", () => new nn.Threshold(0.3, -2)),
  activation("PReLU, one weight", seeded(50, () => new nn.PReLU())),
  activation("PReLU per channel", () => randomized(new nn.PReLU(3)), undefined, () => [randn([2, 3, 4, 5])]),
  activation("LogSigmoid", () => new nn.LogSigmoid()),
  activation("Softmax dim 0", () => new nn.Softmax(0), ["Softmax"]),
  activation("Softmax implicit dim of a 3-d input", () => new nn.Softmax(), undefined, () => [randn([2, 3, 4])]),
  activation("LogSoftmax dim -1", () => new nn.LogSoftmax(-1), ["LogSoftmax"]),
  activation("Softmin dim 1", () => new nn.Softmin(1)),
  activation("Softmax2d", () => new nn.Softmax2d(), undefined, () => [randn([2, 3, 4, 5])]),
  activation("Softmax2d, unbatched", () => new nn.Softmax2d(), undefined, () => [randn([3, 4, 5])]),
  activation("GLU", () => new nn.GLU()),
  activation("GLU dim 1", () => new nn.GLU(1), undefined, () => [randn([2, 6, 3])]),
];

function randomized<M extends nn.Module>(m: M): M {
  noGrad(() => {
    for (const p of m.parameters()) p.copy_(randn([...p.shape]));
  });
  return m;
}

const labels = (n: number, classes: number) => () => randint(0, classes, [n]);
const logits = () => randn([4, 5]);

const losses: Case[] = [
  { name: "MSELoss", build: () => new nn.MSELoss(), inputs: () => [randn([3, 4]), randn([3, 4])] },
  { name: "MSELoss, sum", build: () => new nn.MSELoss({ reduction: "sum" }), inputs: () => [randn([3, 4]), randn([3, 4])] },
  { name: "L1Loss, none", build: () => new nn.L1Loss({ reduction: "none" }), inputs: () => [randn([3, 4]), randn([3, 4])] },
  { name: "SmoothL1Loss beta 0.5", build: () => new nn.SmoothL1Loss({ beta: 0.5 }), inputs: () => [randn([3, 4]), randn([3, 4])] },
  { name: "SmoothL1Loss beta 0, none", build: () => new nn.SmoothL1Loss({ beta: 0, reduction: "none" }), inputs: () => [randn([3, 4]), randn([3, 4])] },
  { name: "HuberLoss delta 0.7", build: () => new nn.HuberLoss({ delta: 0.7, reduction: "sum" }), inputs: () => [randn([3, 4]), randn([3, 4])] },
  { name: "CrossEntropyLoss", build: () => new nn.CrossEntropyLoss(), inputs: () => [logits(), labels(4, 5)()] },
  {
    name: "CrossEntropyLoss with weights, ignore_index, label smoothing",
    build: seeded(51, () => new nn.CrossEntropyLoss({ weight: rand([5]).add(0.5), ignoreIndex: 1, labelSmoothing: 0.1 })),
    inputs: () => [randn([6, 5]), tensor([0, 1, 4, 2, 1, 3], { dtype: "int64" })],
  },
  {
    name: "CrossEntropyLoss over [N, C, d], sum, ignore_index",
    build: () => new nn.CrossEntropyLoss({ reduction: "sum", ignoreIndex: 0 }),
    inputs: () => [randn([2, 4, 3]), tensor([[0, 1, 3], [2, 0, 3]], { dtype: "int64" })],
  },
  {
    name: "CrossEntropyLoss with probabilities, label smoothing, none",
    build: () => new nn.CrossEntropyLoss({ reduction: "none", labelSmoothing: 0.2 }),
    inputs: () => [logits(), randn([4, 5]).softmax(1)],
  },
  { name: "NLLLoss", build: () => new nn.NLLLoss(), inputs: () => [logits().logSoftmax(1), labels(4, 5)()] },
  {
    name: "NLLLoss with weights and ignore_index, none",
    build: seeded(52, () => new nn.NLLLoss({ weight: rand([5]), ignoreIndex: 2, reduction: "none" })),
    inputs: () => [logits().logSoftmax(1), tensor([2, 0, 4, 2], { dtype: "int64" })],
  },
  { name: "NLLLoss with weights, mean", build: seeded(53, () => new nn.NLLLoss({ weight: rand([5]) })), inputs: () => [logits().logSoftmax(1), tensor([2, 0, 4, 2], { dtype: "int64" })] },
  { name: "BCELoss", build: () => new nn.BCELoss(), inputs: () => [rand([3, 4]), rand([3, 4])] },
  { name: "BCELoss with weights, none", build: seeded(54, () => new nn.BCELoss({ weight: rand([4]), reduction: "none" })), inputs: () => [rand([3, 4]), randint(0, 2, [3, 4]).to("float32")] },
  { name: "BCEWithLogitsLoss", build: () => new nn.BCEWithLogitsLoss(), inputs: () => [randn([3, 4]).mul(4), rand([3, 4])] },
  {
    name: "BCEWithLogitsLoss with pos_weight and weight",
    build: seeded(55, () => new nn.BCEWithLogitsLoss({ posWeight: rand([4]).mul(3), weight: rand([3, 1]), reduction: "sum" })),
    inputs: () => [randn([3, 4]).mul(4), randint(0, 2, [3, 4]).to("float32")],
  },
  { name: "KLDivLoss batchmean", build: () => new nn.KLDivLoss({ reduction: "batchmean" }), inputs: () => [logits().logSoftmax(1), randn([4, 5]).softmax(1)] },
  { name: "KLDivLoss log target, none", build: () => new nn.KLDivLoss({ reduction: "none", logTarget: true }), inputs: () => [logits().logSoftmax(1), randn([4, 5]).logSoftmax(1)] },
  { name: "KLDivLoss mean, zero target", build: () => new nn.KLDivLoss(), inputs: () => [logits().logSoftmax(1), tensor([[0.5, 0, 0.5, 0, 0]]).expand([4, 5]).contiguous()] },
  { name: "CosineEmbeddingLoss margin", build: () => new nn.CosineEmbeddingLoss({ margin: 0.2 }), inputs: () => [randn([4, 6]), randn([4, 6]), tensor([1, -1, -1, 1])] },
  { name: "CosineEmbeddingLoss, none", build: () => new nn.CosineEmbeddingLoss({ reduction: "none" }), inputs: () => [randn([4, 6]), randn([4, 6]), tensor([1, -1, 1, -1])] },
  { name: "MarginRankingLoss", build: () => new nn.MarginRankingLoss({ margin: 0.1 }), inputs: () => [randn([5]), randn([5]), tensor([1, -1, 1, 1, -1])] },
  { name: "TripletMarginLoss", build: () => new nn.TripletMarginLoss(), inputs: () => [randn([4, 6]), randn([4, 6]), randn([4, 6])] },
  { name: "TripletMarginLoss p 1, swap, none", build: () => new nn.TripletMarginLoss({ p: 1, swap: true, margin: 0.5, reduction: "none" }), inputs: () => [randn([4, 6]), randn([4, 6]), randn([4, 6])] },
];

exportCases([...activations, ...losses]);
