/**
 * The layers' API beyond the PyTorch fixtures: constructor checks with PyTorch's messages,
 * max pooling's [values, indices] form, ConvTranspose's outputSize, batch norm modes and
 * buffer dtypes, Embedding.fromPretrained, nn.utils, and a small network that learns.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator, manualSeed, noGrad, ones, randn, tensor, ValueError, zeros, type Tensor } from "../../src/index.ts";
import {
  BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, CrossEntropyLoss, Dropout, Embedding, GroupNorm, Hardtanh, Linear, MaxPool2d,
  ReLU, Sequential, Softmax, utils, AdaptiveMaxPool2d, InstanceNorm1d,
} from "../../src/nn/index.ts";

test("conv constructors check their arguments as PyTorch does", () => {
  assert.throws(() => new Conv2d(3, 4, 3, { groups: 2 }), /in_channels must be divisible by groups/);
  assert.throws(() => new Conv2d(4, 3, 3, { groups: 2 }), /out_channels must be divisible by groups/);
  assert.throws(() => new Conv2d(2, 2, 3, { padding: "same", stride: 2 }), /padding='same' is not supported for strided convolutions/);
  assert.throws(() => new Conv2d(2, 2, 3, { paddingMode: "mirror" as "reflect" }), /padding_mode must be one of/);
  assert.throws(() => new Conv2d(2, 2, [3, 3, 3]), ValueError);
  assert.throws(() => new ConvTranspose2d(2, 2, 3, { paddingMode: "reflect" } as object), /Only "zeros" padding mode is supported for ConvTranspose2d/);
  assert.equal(String(new Conv2d(1, 32, 3, { padding: 1 })), "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
});

test("ConvTranspose2d forward picks the output padding for a requested output size", () => {
  const up = new ConvTranspose2d(2, 2, 3, { stride: 2, padding: 1 });
  const x = randn([1, 2, 4, 4]);
  assert.deepEqual(up.forward(x).shape, [1, 2, 7, 7]);
  assert.deepEqual(up.forward(x, [8, 8]).shape, [1, 2, 8, 8]);
  assert.deepEqual(up.forward(x, [1, 2, 8, 7]).shape, [1, 2, 8, 7]);
  assert.throws(() => up.forward(x, [9, 9]), /valid sizes range from 7 to 8/);
  assert.throws(() => up.forward(x, [8]), ValueError);
});

test("max pooling with returnIndices gives [values, indices] (int64)", () => {
  const pool = new MaxPool2d(2, { returnIndices: true });
  const [values, indices] = pool.forward(tensor([[[[1, 5], [3, 2]]]], { dtype: "float32" }));
  assert.deepEqual(values.toArray(), [[[[5]]]]);
  assert.equal(indices.dtype, "int64");
  assert.deepEqual(indices.toArray(), [[[[1n]]]]);
  const plain: Tensor = new MaxPool2d(2).forward(randn([1, 1, 4, 4]));
  assert.deepEqual(plain.shape, [1, 1, 2, 2]);
  const [, adaptiveIndices] = new AdaptiveMaxPool2d(1, { returnIndices: true }).forward(randn([2, 3, 4, 4]));
  assert.deepEqual(adaptiveIndices.shape, [2, 3, 1, 1]);
});

test("batch norm: input rank checks, int64 num_batches_tracked, eval without running stats uses the batch", () => {
  const bn = new BatchNorm2d(3);
  assert.throws(() => bn.forward(randn([2, 3, 4])), /expected 4D input \(got 3D input\)/);
  assert.throws(() => new BatchNorm1d(3).forward(randn([2, 3, 4, 4])), /expected 2D or 3D input \(got 4D input\)/);
  assert.equal(bn.numBatchesTracked!.dtype, "int64");
  bn.forward(randn([2, 3, 4, 4]));
  bn.forward(randn([2, 3, 4, 4]));
  assert.equal(bn.numBatchesTracked!.item(), 2n);
  bn.to("float64");
  assert.equal(bn.runningMean!.dtype, "float64");
  assert.equal(bn.numBatchesTracked!.dtype, "int64");
  const untracked = new BatchNorm1d(2, { trackRunningStats: false }).eval();
  assert.deepEqual(Object.keys(untracked.stateDict()), ["weight", "bias"]);
  const y = untracked.forward(tensor([[1, 10], [3, 30]], { dtype: "float32" }));
  assert.ok(Math.abs((y.dataSync()[0] as number) + 1) < 1e-3); // normalized with the batch's own statistics
  assert.throws(() => new GroupNorm(3, 4), /num_channels must be divisible by num_groups/);
  assert.throws(() => new InstanceNorm1d(3, { affine: true }).forward(randn([2, 4, 5])), /expected input's size at dim=1 to match num_features \(3\)/);
});

test("Embedding: padding row zero at init, fromPretrained shares data and freezes by default", () => {
  manualSeed(0);
  const emb = new Embedding(5, 3, { paddingIdx: 1 });
  assert.deepEqual(Array.from(emb.weight.dataSync() as ArrayLike<number>).slice(3, 6), [0, 0, 0]);
  assert.equal(String(emb), "Embedding(5, 3, padding_idx=1)");
  const table = tensor([[1, 2], [3, 4]], { dtype: "float32" });
  const frozen = Embedding.fromPretrained(table);
  assert.equal(frozen.weight.requiresGrad, false);
  assert.equal(frozen.weight.storage, table.storage);
  assert.deepEqual(frozen.forward(tensor([1, 0])).toArray(), [[3, 4], [1, 2]]);
  assert.equal(Embedding.fromPretrained(table, { freeze: false }).weight.requiresGrad, true);
  assert.throws(() => new Embedding(3, 2, { paddingIdx: 3 }), /Padding_idx must be within num_embeddings/);
});

test("Dropout with its own generator is reproducible and inactive in eval", () => {
  const a = new Dropout(0.5, { generator: new Generator(11) }).forward(ones([20]));
  const b = new Dropout(0.5, { generator: new Generator(11) }).forward(ones([20]));
  assert.deepEqual(Array.from(a.dataSync() as ArrayLike<number>), Array.from(b.dataSync() as ArrayLike<number>));
  const x = ones([4]);
  assert.equal(new Dropout(0.5).eval().forward(x), x);
  assert.throws(() => new Dropout(-0.1), ValueError);
});

test("in-place activations write into their input; Softmax without a dim takes PyTorch's implicit one", () => {
  const x = tensor([-1, 2, -3], { dtype: "float32" });
  const y = new ReLU({ inplace: true }).forward(x);
  assert.deepEqual(x.toArray(), [0, 2, 0]);
  assert.equal(y, x);
  assert.equal(String(new ReLU({ inplace: true })), "ReLU(inplace=True)");
  assert.throws(() => new Hardtanh(1, -1), ValueError);
  const s = new Softmax().forward(zeros([2, 4]));
  assert.deepEqual(s.toArray(), [[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]]);
});

test("nn.utils: parametersToVector and vectorToParameters round-trip", () => {
  const net = new Sequential(new Linear(3, 2), new Linear(2, 1));
  const v = utils.parametersToVector(net.parameters());
  assert.deepEqual(v.shape, [11]);
  const fresh = new Sequential(new Linear(3, 2), new Linear(2, 1));
  utils.vectorToParameters(v, fresh.parameters());
  assert.deepEqual(Array.from(utils.parametersToVector(fresh.parameters()).dataSync() as ArrayLike<number>), Array.from(v.dataSync() as ArrayLike<number>));
  assert.throws(() => utils.vectorToParameters(v.narrow(0, 0, 10), fresh.parameters()), /the vector has 10 elements, the parameters 11/);
});

test("a small convnet learns a separable problem with plain SGD steps", () => {
  manualSeed(1);
  const net = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Dropout(0.1));
  const head = new Sequential(new Linear(16, 2));
  const lossFn = new CrossEntropyLoss();
  // Class 1 images are bright in the top half, class 0 in the bottom half.
  const x = randn([16, 1, 4, 4], { generator: new Generator(2) }).mul(0.3);
  const labels = tensor(Array.from({ length: 16 }, (_, i) => i % 2), { dtype: "int64" });
  const bright = tensor(Array.from({ length: 16 }, (_, i) => (i % 2 === 1 ? [1, 1, 0, 0] : [0, 0, 1, 1])), { dtype: "float32" }).reshape([16, 1, 4, 1]);
  const input = x.add(bright);
  const params = [...net.parameters(), ...head.parameters()];
  const lossAt = () => lossFn.forward(head.forward(net.forward(input).flatten(1)), labels);
  const first = lossAt().item() as number;
  for (let step = 0; step < 30; step++) {
    for (const p of params) p.grad = null;
    lossAt().backward();
    noGrad(() => {
      for (const p of params) p.sub_(p.grad!.mul(0.2));
    });
  }
  const last = lossAt().item() as number;
  assert.ok(last < first * 0.3, `loss ${first} -> ${last}`);
});
