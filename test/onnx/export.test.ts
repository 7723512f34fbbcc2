/**
 * ONNX export: the first table of cases (see export-harness.ts for what each checks), the
 * exporter's naming and options, and its refusals.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cat, manualSeed, pad, randn, randint, tensor, type Tensor } from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { exportModel, exportOnnx } from "../../src/formats/onnx/export/index.ts";
import { exportCases, image, seeded, withStats, type Case } from "./export-harness.ts";
import { LastStep } from "./export-models.ts";

class SmallCnn extends nn.Module {
  conv1 = new nn.Conv2d(3, 8, 3, { padding: 1 });
  bn1 = new nn.BatchNorm2d(8);
  pool = new nn.MaxPool2d(2);
  conv2 = new nn.Conv2d(8, 8, 3, { stride: 2, groups: 2 });
  gap = new nn.AdaptiveAvgPool2d(1);
  fc = new nn.Linear(8, 5);
  override forward(x: Tensor): Tensor {
    const y = this.pool.forward(this.bn1.forward(this.conv1.forward(x)).relu()) as Tensor;
    const z = (this.gap.forward(this.conv2.forward(y).relu()) as Tensor).flatten(1);
    return this.fc.forward(z) as Tensor;
  }
}

let mha: nn.MultiheadAttention;

const cases: Case[] = [
  { name: "Linear", build: seeded(1, () => new nn.Linear(6, 4)), inputs: () => [randn([3, 6])], ops: ["MatMul", "Add"] },
  { name: "Linear without bias, 3-d input", build: seeded(2, () => new nn.Linear(6, 4, { bias: false })), inputs: () => [randn([2, 3, 6])] },
  { name: "Conv1d", build: seeded(3, () => new nn.Conv1d(4, 6, 3, { padding: 2, dilation: 2 })), inputs: () => [randn([2, 4, 11])], ops: ["Conv"] },
  { name: "Conv2d stride/groups", build: seeded(4, () => new nn.Conv2d(4, 8, 3, { stride: 2, padding: 1, groups: 2 })), inputs: image(2, 4, 9, 9) },
  { name: "ConvTranspose2d", build: seeded(5, () => new nn.ConvTranspose2d(4, 3, 3, { stride: 2, padding: 1, outputPadding: 1 })), inputs: image(1, 4, 5, 5), ops: ["ConvTranspose"] },
  { name: "MaxPool2d ceil", build: () => new nn.MaxPool2d(3, { stride: 2, ceilMode: true }), inputs: image(2, 3, 8, 8), ops: ["MaxPool"] },
  { name: "MaxPool2d with indices", build: () => new nn.MaxPool2d(2, { returnIndices: true }), inputs: image(2, 3, 6, 6) },
  { name: "AvgPool2d padding", build: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), inputs: image(), ops: ["AveragePool"] },
  { name: "AdaptiveAvgPool2d", build: () => new nn.AdaptiveAvgPool2d([2, 4]), inputs: image(1, 3, 8, 8) },
  { name: "BatchNorm2d (eval)", build: seeded(6, () => withStats(new nn.BatchNorm2d(3))), inputs: image(), ops: ["BatchNormalization"] },
  { name: "BatchNorm1d (eval)", build: seeded(7, () => withStats(new nn.BatchNorm1d(5))), inputs: () => [randn([4, 5])] },
  { name: "LayerNorm", build: seeded(8, () => new nn.LayerNorm([4, 6])), inputs: () => [randn([2, 3, 4, 6])], ops: ["LayerNormalization"] },
  { name: "LayerNorm, opset 13", build: seeded(8, () => new nn.LayerNorm(6)), inputs: () => [randn([2, 3, 6])], options: { opset: 13 }, ops: ["ReduceMean"] },
  { name: "GroupNorm", build: seeded(9, () => new nn.GroupNorm(2, 4)), inputs: image(2, 4, 3, 3) },
  { name: "Embedding", build: seeded(10, () => new nn.Embedding(10, 4)), inputs: () => [randint(0, 10, [2, 5])], ops: ["Gather"] },
  { name: "Dropout (eval)", build: () => new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.5)), inputs: () => [randn([3, 4])] },
  {
    name: "activations",
    build: seeded(11, () => new nn.Sequential(new nn.Linear(5, 8), new nn.GELU(), new nn.Linear(8, 8), new nn.SiLU(), new nn.LeakyReLU(0.1), new nn.ELU(), new nn.Hardswish(), new nn.Tanh(), new nn.Softplus(), new nn.Sigmoid(), new nn.Softmax(-1))),
    inputs: () => [randn([4, 5]).mul(3)],
  },
  { name: "GELU tanh, Mish, Hardtanh, LogSoftmax", build: () => new nn.Sequential(new nn.GELU("tanh"), new nn.Mish(), new nn.Hardtanh(-0.5, 0.5), new nn.LogSoftmax(1)), inputs: () => [randn([3, 7])] },
  { name: "Upsample nearest x2", build: () => new nn.Upsample({ scaleFactor: 2, mode: "nearest" }), inputs: image(1, 2, 3, 4), ops: ["Resize"] },
  { name: "Upsample bilinear to size", build: () => new nn.Upsample({ size: [7, 5], mode: "bilinear", alignCorners: false }), inputs: image(1, 2, 3, 4) },
  { name: "Upsample bilinear align corners", build: () => new nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: true }), inputs: image(1, 2, 3, 4) },
  { name: "LSTM", build: seeded(12, () => new LastStep(new nn.LSTM(4, 5, { batchFirst: true }))), inputs: () => [randn([2, 3, 4])] },
  { name: "GRU, 2 layers bidirectional", build: seeded(13, () => new LastStep(new nn.GRU(3, 4, { numLayers: 2, bidirectional: true }))), inputs: () => [randn([5, 2, 3])] },
  {
    name: "MultiheadAttention (self-attention, weights averaged over heads)",
    build: seeded(16, () => {
      mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
      mha.eval();
      return (x: Tensor) => mha.forward(x, x, x);
    }),
    inputs: () => [randn([2, 5, 8])],
  },
  {
    name: "TransformerEncoderLayer (eval)",
    build: seeded(17, () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true })),
    inputs: () => [randn([2, 4, 8])],
  },
  {
    name: "TransformerEncoderLayer, pre-norm gelu, opset 13",
    build: seeded(18, () => new nn.TransformerEncoderLayer(8, 4, { dimFeedforward: 12, activation: "gelu", normFirst: true })),
    inputs: () => [randn([3, 2, 8])],
    options: { opset: 13 },
  },
  {
    name: "small CNN, dynamic batch",
    build: seeded(14, () => withStats(new SmallCnn())),
    inputs: image(2, 3, 12, 12),
    options: { inputNames: ["image"], outputNames: ["logits"], dynamicAxes: { image: { 0: "batch" } } },
    other: image(5, 3, 12, 12),
  },
  {
    name: "MLP, dynamic batch",
    build: seeded(15, () => new nn.Sequential(new nn.Flatten(), new nn.Linear(12, 16), new nn.ReLU(), new nn.Linear(16, 3))),
    inputs: () => [randn([4, 3, 4])],
    options: { dynamicAxes: { input: [0] } },
    other: () => [randn([1, 3, 4])],
  },
  {
    name: "function: promotion, reductions, views, indexing",
    build: () => (x: Tensor, idx: Tensor) => {
      const y = x.mul(2).add(tensor([1, 2, 3, 4], { dtype: "int64" })).sum(1, { keepdim: true });
      const z = x.transpose(0, 1).reshape([4, 3]).amax(1).sub(x.mean(0).reshape([1, 4]).expand([3, 4]).sum(0));
      const w = x.indexSelect(0, idx).cumsum(1).flip([1]).slice(1, 1, 3);
      return [y, z, w, x.argmax(1), x.where(x.gt(0).logicalAnd(x.lt(1)), x.neg()), x.clamp(-0.5, 0.5).pow(2).sqrt()];
    },
    inputs: () => [randn([3, 4]), tensor([2, 0], { dtype: "int64" })],
  },
  {
    name: "function: reductions at opset 18",
    build: () => (x: Tensor) => [x.amax([0, 2]), x.prod(1), x.amin(-1, { keepdim: true })],
    inputs: () => [randn([2, 3, 4])],
    options: { opset: 18 },
  },
  {
    name: "function: cat, pad, repeat, topk, remainder, floor divide",
    build: () => (x: Tensor) => {
      const padded = pad(x.reshape([1, 2, 5]), [1, 2], "reflect");
      const [values, indices] = x.topk(2, { dim: 1, largest: false });
      return [padded, cat([x, x.mul(3)], 0).repeat([2, 1, 1]), values, indices, x.remainder(0.7), x.mul(10).to("int64").div(3, "floor")];
    },
    inputs: () => [randn([2, 5])],
  },
];

exportCases(cases);

test("export names initializers by state-dict keys and graph values as asked", () => {
  manualSeed(0);
  const net = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
  const ir = exportModel(net, [randn([2, 3])], { inputNames: ["x"], outputNames: ["y"], dynamicAxes: { x: { 0: "n" }, y: { 0: "n" } } });
  assert.deepEqual(ir.graph.initializers.map((t) => t.name).sort(), ["0.bias", "0.weight", "2.bias", "2.weight"]);
  assert.deepEqual(ir.graph.inputs.map((v) => [v.name, v.type]), [["x", { kind: "tensor", elemType: "float32", shape: ["n", 3] }]]);
  assert.deepEqual(ir.graph.outputs.map((v) => [v.name, v.type]), [["y", { kind: "tensor", elemType: "float32", shape: ["n", 2] }]]);
});

test("export restores training mode and refuses bad options", () => {
  const net = new nn.Sequential(new nn.Linear(2, 2), new nn.Dropout());
  net.train();
  exportOnnx(net, [randn([1, 2])]);
  assert.equal(net.training, true);
  assert.equal([...net.modules()][2]!.training, true);
  assert.throws(() => exportOnnx(net, [randn([1, 2])], { opset: 12 }), /opset must be an integer from 13 to 21/);
  assert.throws(() => exportOnnx(net, [randn([1, 2])], { inputNames: ["a", "b"] }), /2 input names given for 1 input/);
  assert.throws(() => exportOnnx(net, [randn([1, 2])], { dynamicAxes: { z: [0] } }), /neither an input nor an output/);
  assert.throws(() => exportOnnx(net, [randn([1, 2])], { dynamicAxes: { input: [0] } }), /dynamic axis 0 of input 0 has size 1 in the example; give it a size of at least 2/);
});

test("export fails clearly where no ONNX form exists", () => {
  assert.throws(() => exportOnnx((x: Tensor) => x.cumprod(0), [randn([3])]), /ONNX export of cumprod: ONNX has no cumulative product/);
  const bag = new nn.EmbeddingBag(5, 2, { mode: "max" });
  assert.throws(() => exportOnnx(bag, [randint(0, 5, [2, 3])]), /ONNX export of scatterReduce: reduction max needs opset 18, exporting opset 17/);
  // A size tied to the dynamic dim that no view follows.
  assert.throws(
    () => exportOnnx((x: Tensor) => x.add(randn([3, 2])), [randn([3, 2])], { dynamicAxes: { input: [0] } }),
    /tracing add with dynamic axes/,
  );
});
