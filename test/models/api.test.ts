/** The registry, the torchvision building blocks, options and bad arguments. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ones, randn, ShapeError, ValueError, zeros } from "../../src/index.ts";
import {
  BasicBlock, Bottleneck, Conv2dNormActivation, ResNet, StochasticDepth, VisionTransformer, createModel, efficientnetConfig,
  makeDivisible, modelNames,
} from "../../src/models/index.ts";
import { BatchNorm2d, Conv2d, Dropout, ReLU6 } from "../../src/nn/index.ts";
import { skipInit } from "../../src/nn/init.ts";

test("modelNames lists torchvision's builder names; createModel rejects unknown names with the list", () => {
  const names = modelNames();
  for (const n of ["mnist_cnn", "resnet18", "resnet50", "mobilenet_v2", "efficientnet_b0", "vgg11", "vit_b_16"]) assert.ok(names.includes(n as never), n);
  assert.throws(() => createModel("resnet19" as never), (e: unknown) => e instanceof ValueError && /unknown model 'resnet19'; known models: mnist_cnn, resnet18/.test(e.message));
  assert.throws(() => createModel("toString" as never), ValueError);
});

test("options reach the architecture: numClasses, widthMult, dropout, imageSize, zeroInitResidual", () => {
  const r = skipInit(() => createModel("resnet18", { numClasses: 7 }));
  assert.deepEqual([...r.fc.weight.shape], [7, 512]);
  const m = skipInit(() => createModel("mobilenet_v2", { widthMult: 0.25, numClasses: 3, dropout: 0.3 }));
  assert.deepEqual([...m.features.at(0).stateDict()["0.weight"]!.shape], [8, 3, 3, 3]);
  assert.equal((m.classifier.at(0) as Dropout).p, 0.3);
  assert.ok(m.features.at(1).stateDict()["conv.0.0.weight"] !== undefined);
  const v = skipInit(() => createModel("vit_b_32", { imageSize: 64, numClasses: 2 }));
  assert.deepEqual([...v.encoder.posEmbedding.shape], [1, 5, 768]);
  const z = skipInit(() => new ResNet(BasicBlock, [1, 1, 1, 1], { zeroInitResidual: true, numClasses: 2 }));
  assert.deepEqual([...(z.layer1.at(0) as BasicBlock).bn2.stateDict()["weight"]!.dataSync()].every((x) => x === 0), true);
  assert.equal(skipInit(() => createModel("efficientnet_b6", {})).features.at(0).stateDict()["1.weight"]!.shape[0], 56);
});

test("efficientnet configs scale width and depth as torchvision's (B5-B7 also BatchNorm eps 1e-3)", () => {
  const b3 = efficientnetConfig(1.2, 1.4);
  assert.deepEqual(b3.map((c) => [c.inputChannels, c.outChannels, c.numLayers]), [
    [40, 24, 2], [24, 32, 3], [32, 48, 3], [48, 96, 5], [96, 136, 5], [136, 232, 6], [232, 384, 2],
  ]);
  const bn = skipInit(() => createModel("efficientnet_b5")).getSubmodule("features.0.1");
  assert.ok(bn instanceof BatchNorm2d);
  assert.equal(bn.eps, 0.001);
  assert.equal(bn.momentum, 0.01);
});

test("makeDivisible rounds as torchvision's _make_divisible", () => {
  assert.equal(makeDivisible(32 * 0.25, 8), 8);
  assert.equal(makeDivisible(16 * 0.35, 8), 8);
  assert.equal(makeDivisible(96 * 0.35, 8), 32);
  assert.equal(makeDivisible(20, 8), 24);
  assert.equal(makeDivisible(19, 8), 24);
  assert.equal(makeDivisible(12, 8), 16);
  assert.equal(makeDivisible(3, 8), 8);
  assert.equal(makeDivisible(1280 * 1.4, 8), 1792);
});

test("Conv2dNormActivation: keys 0/1/2, padding from kernel and dilation, bias only without norm", () => {
  const block = new Conv2dNormActivation(4, 6, { kernelSize: 5, dilation: 2, activationLayer: () => new ReLU6() });
  assert.deepEqual(Object.keys(block.stateDict()), ["0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"]);
  assert.deepEqual((block.at(0) as Conv2d).padding, [4, 4]);
  const plain = new Conv2dNormActivation(4, 6, { normLayer: null, activationLayer: null });
  assert.deepEqual(Object.keys(plain.stateDict()), ["0.weight", "0.bias"]);
  assert.deepEqual([...plain.forward(zeros([1, 4, 5, 5])).shape], [1, 6, 5, 5]);
});

test("StochasticDepth: identity in eval; in training drops whole rows (or the batch) and rescales survivors", () => {
  const x = ones([2000, 3, 1]);
  const row = new StochasticDepth(0.25, "row");
  assert.equal(row.eval().forward(x), x);
  const y = row.train().forward(x).dataSync() as Float32Array;
  let kept = 0;
  for (let i = 0; i < 2000; i++) {
    const v = y[i * 3]!;
    assert.ok(v === 0 || Math.abs(v - 4 / 3) < 1e-6, `row ${i}: ${v}`);
    assert.ok(y[i * 3 + 1] === v && y[i * 3 + 2] === v, "a row is dropped or kept whole");
    if (v !== 0) kept++;
  }
  assert.ok(kept > 1400 && kept < 1600, `kept ${kept} of 2000`);
  const batch = new StochasticDepth(0.5, "batch").forward(x).dataSync() as Float32Array;
  assert.ok(batch.every((v) => v === batch[0]) && (batch[0] === 0 || batch[0] === 2));
  assert.ok((new StochasticDepth(1, "row").forward(x).dataSync() as Float32Array).every((v) => v === 0));
  assert.throws(() => new StochasticDepth(1.5, "row"), ValueError);
  assert.throws(() => new StochasticDepth(0.1, "col" as never), ValueError);
});

test("bad architectures and inputs are typed errors", () => {
  assert.throws(() => new ResNet(BasicBlock, [1, 1, 1, 1], { groups: 2 }), /BasicBlock only supports groups=1/);
  assert.throws(() => new ResNet(BasicBlock, [1, 1, 1, 2], { replaceStrideWithDilation: [false, false, true] }), /Dilation > 1 not supported/);
  assert.throws(() => new ResNet(Bottleneck, [1, 1, 1, 1], { replaceStrideWithDilation: [true] as never }), ValueError);
  assert.throws(() => new VisionTransformer({ imageSize: 30, patchSize: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, mlpDim: 8 }), /indivisible by patch size/);
  assert.throws(() => new VisionTransformer({ imageSize: 32, patchSize: 8, numLayers: 0, numHeads: 2, hiddenDim: 8, mlpDim: 8 }), ValueError);
  assert.throws(() => new VisionTransformer({ imageSize: 32, patchSize: 8, numLayers: 1, numHeads: 3, hiddenDim: 8, mlpDim: 8 }), ValueError);
  const vit = new VisionTransformer({ imageSize: 16, patchSize: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, mlpDim: 8, numClasses: 3 });
  assert.throws(() => vit.forward(randn([1, 3, 24, 24])), ShapeError);
  assert.deepEqual([...vit.forward(randn([2, 3, 16, 16])).shape], [2, 3]);
  assert.throws(() => createModel("mobilenet_v2", { invertedResidualSetting: [] }), ValueError);
  assert.throws(() => createModel("mnist_cnn").forward(randn([1, 1, 32, 32])), ShapeError);
});

test("ViT with a representation layer: heads.pre_logits → tanh → heads.head", () => {
  const vit = new VisionTransformer({ imageSize: 16, patchSize: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, mlpDim: 8, numClasses: 3, representationSize: 5 });
  const keys = Object.keys(vit.stateDict()).filter((k) => k.startsWith("heads."));
  assert.deepEqual(keys, ["heads.pre_logits.weight", "heads.pre_logits.bias", "heads.head.weight", "heads.head.bias"]);
  assert.deepEqual([...vit.forward(randn([1, 3, 16, 16])).shape], [1, 3]);
});
