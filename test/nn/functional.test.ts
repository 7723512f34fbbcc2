/**
 * nn.functional's own composites: float64 gradient checks by finite differences (first
 * and, where cheap, second order), and hand-written cases for the semantics PyTorch pins
 * (dropout's edge cases and scaling, embedding's padding row, the losses' errors).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DTypeError, Generator, manualSeed, ones, rand, randint, randn, ShapeError, tensor, ValueError, type Tensor } from "../../src/index.ts";
import { gradcheck } from "../../src/autograd/gradcheck.ts";
import { functional as F } from "../../src/nn/index.ts";

const gen = new Generator(7);
const x64 = (shape: number[], scale = 1, shift = 0): Tensor => {
  const t = randn(shape, { dtype: "float64", generator: gen }).mul(scale).add(shift);
  t.requiresGrad = true;
  return t;
};
const probs64 = (shape: number[]): Tensor => {
  const t = rand(shape, { dtype: "float64", generator: gen }).mul(0.9).add(0.05);
  t.requiresGrad = true;
  return t;
};
const labels = (n: number, classes: number) => randint(0, classes, [n], { generator: gen });

const checks: [string, () => [(...xs: Tensor[]) => Tensor, Tensor[]], boolean?][] = [
  ["celu", () => [(x) => F.celu(x, 1.5), [x64([3, 4], 2)]], true],
  ["softsign", () => [(x) => F.softsign(x), [x64([3, 4], 2)]], true],
  ["tanhshrink", () => [(x) => F.tanhshrink(x), [x64([3, 4], 2)]], true],
  ["softshrink", () => [(x) => F.softshrink(x, 0.3), [x64([3, 4], 2)]]],
  ["hardshrink", () => [(x) => F.hardshrink(x, 0.3), [x64([3, 4], 2)]]],
  ["threshold", () => [(x) => F.threshold(x, 0.1, 2), [x64([3, 4], 2)]]],
  ["prelu per channel", () => [(x, w) => F.prelu(x, w), [x64([2, 3, 2], 2), x64([3])]], true],
  ["glu", () => [(x) => F.glu(x, 1), [x64([2, 4, 3])]], true],
  ["softmin", () => [(x) => F.softmin(x, 1), [x64([2, 5])]], true],
  ["linear", () => [(x, w, b) => F.linear(x, w, b), [x64([2, 3, 4]), x64([5, 4]), x64([5])]], true],
  ["bilinear", () => [(a, b, w, bias) => F.bilinear(a, b, w, bias), [x64([3, 2]), x64([3, 4]), x64([2, 2, 4]), x64([2])]], true],
  ["instanceNorm", () => [(x, w, b) => F.instanceNorm(x, null, null, w, b), [x64([2, 3, 4]), x64([3]), x64([3])]]],
  ["normalize", () => [(x) => F.normalize(x, 2, 1), [x64([3, 4])]], true],
  ["mseLoss", () => [(a, b) => F.mseLoss(a, b), [x64([3, 4]), x64([3, 4])]], true],
  ["l1Loss", () => [(a, b) => F.l1Loss(a, b, { reduction: "sum" }), [x64([3, 4]), x64([3, 4])]]],
  ["smoothL1Loss", () => [(a, b) => F.smoothL1Loss(a, b, { beta: 0.5, reduction: "none" }), [x64([3, 4]), x64([3, 4])]]],
  ["huberLoss", () => [(a, b) => F.huberLoss(a, b, { delta: 0.7 }), [x64([3, 4]), x64([3, 4])]]],
  ["nllLoss weight ignore", () => [(x, w) => F.nllLoss(x, tensor([1, -100, 3, 0]), { weight: w }), [x64([4, 5]), x64([5], 0.2, 1)]]],
  ["crossEntropy smoothing weight", () => [(x) => F.crossEntropy(x, tensor([1, 2, 2, 0]), { weight: tensor([0.5, 1, 2], { dtype: "float64" }), ignoreIndex: 1, labelSmoothing: 0.2 }), [x64([4, 3])]], true],
  ["crossEntropy K-dim", () => {
    const target = labels(6, 3).reshape([2, 3]);
    return [(x) => F.crossEntropy(x, target), [x64([2, 3, 3])]];
  }],
  ["crossEntropy probabilities", () => [(x, p) => F.crossEntropy(x, p, { labelSmoothing: 0.1 }), [x64([3, 4]), probs64([3, 4])]], true],
  ["binaryCrossEntropy", () => [(x) => F.binaryCrossEntropy(x, rand([3, 4], { dtype: "float64", generator: new Generator(1) }), { weight: tensor([1, 2, 0.5, 1], { dtype: "float64" }) }), [probs64([3, 4])]], true],
  ["binaryCrossEntropyWithLogits", () => [(x, t, pw) => F.binaryCrossEntropyWithLogits(x, t, { posWeight: pw }), [x64([3, 4], 3), probs64([3, 4]), probs64([4])]], true],
  ["klDiv", () => [(x, t) => F.klDiv(x, t, { reduction: "batchmean" }), [x64([3, 4]), probs64([3, 4])]], true],
  ["klDiv logTarget", () => [(x, t) => F.klDiv(x, t, { logTarget: true }), [x64([3, 4]), x64([3, 4])]], true],
  ["cosineEmbeddingLoss", () => [(a, b) => F.cosineEmbeddingLoss(a, b, tensor([1, -1, -1, 1]), { margin: -0.5 }), [x64([4, 3]), x64([4, 3])]]],
  ["marginRankingLoss", () => [(a, b) => F.marginRankingLoss(a, b, tensor([1, -1, 1, -1]), { margin: 0.1 }), [x64([4]), x64([4])]]],
  ["tripletMarginLoss swap", () => [(a, p, n) => F.tripletMarginLoss(a, p, n, { swap: true, margin: 3 }), [x64([4, 3]), x64([4, 3]), x64([4, 3])]]],
  ["tripletMarginLoss p=3", () => [(a, p, n) => F.tripletMarginLoss(a, p, n, { p: 3, margin: 3 }), [x64([4, 3]), x64([4, 3]), x64([4, 3])]]],
  ["embedding", () => [(w) => F.embedding(tensor([[0, 2], [2, 3]]), w).mul(w.sum()), [x64([4, 3])]], true],
  ["embeddingBag mean with padding", () => [(w) => F.embeddingBag(tensor([0, 1, 3, 3, 2]), w, { offsets: tensor([0, 2, 2]), paddingIdx: 1 }), [x64([4, 3])]], true],
  ["embeddingBag max", () => [(w) => F.embeddingBag(tensor([[0, 1, 3], [2, 2, 1]]), w, { mode: "max" }), [x64([4, 3])]]],
  ["embeddingBag sum, per-sample weights", () => [(w, s) => F.embeddingBag(tensor([0, 1, 3, 2]), w, { offsets: tensor([0, 1]), mode: "sum", perSampleWeights: s }), [x64([4, 3]), x64([4])]], true],
  ["dropout (fixed mask)", () => [(x) => F.dropout(x, 0.4, true, { generator: new Generator(3) }), [x64([4, 5])]], true],
  ["alphaDropout (fixed mask)", () => [(x) => F.alphaDropout(x, 0.4, true, { generator: new Generator(3) }), [x64([4, 5])]]],
];

for (const [name, make, second] of checks) {
  test(`gradcheck (float64): ${name}${second ? ", with second order" : ""}`, () => {
    const [fn, inputs] = make();
    assert.ok(gradcheck(fn, inputs, { checkGradGrad: second ?? false }));
  });
}

test("dropout: p = 0, eval and empty inputs return the input; p = 1 gives zeros; kept values are x/(1 − p)", () => {
  const x = randn([6, 7]);
  assert.equal(F.dropout(x, 0), x);
  assert.equal(F.dropout(x, 0.5, false), x);
  assert.ok(Array.from(F.dropout(x, 1).dataSync() as ArrayLike<number>).every((v) => v === 0));
  const y = F.dropout(x, 0.25, true, { generator: new Generator(1) });
  const xs = x.dataSync() as Float32Array;
  const kept = Array.from(y.dataSync() as ArrayLike<number>).filter((v, i) => v !== 0 || xs[i] === 0);
  assert.ok(kept.length > 20 && kept.length < 42);
  Array.from(y.dataSync() as ArrayLike<number>).forEach((v, i) => assert.ok(v === 0 || v === Math.fround(xs[i]! * Math.fround(1 / 0.75)) || v === Math.fround(xs[i]! / Math.fround(0.75))));
  assert.deepEqual(Array.from(F.dropout(x, 0.25, true, { generator: new Generator(1) }).dataSync() as ArrayLike<number>), Array.from(y.dataSync() as ArrayLike<number>));
  assert.throws(() => F.dropout(x, 1.5), ValueError);
  assert.throws(() => F.dropout(tensor([1, 2]), 0.5), DTypeError);
});

test("dropout2d zeroes whole channels; dropout1d takes unbatched [C, L]", () => {
  manualSeed(3);
  const y = F.dropout2d(ones([3, 8, 2, 2]), 0.5);
  const v = Array.from(y.dataSync() as ArrayLike<number>);
  for (let c = 0; c < 24; c++) {
    const plane = v.slice(c * 4, c * 4 + 4);
    assert.ok(plane.every((p) => p === plane[0]) && (plane[0] === 0 || plane[0] === 2));
  }
  assert.deepEqual(F.dropout1d(ones([4, 3]), 0.5).shape, [4, 3]);
  assert.throws(() => F.dropout1d(ones([4]), 0.5), ShapeError);
});

test("embedding: padding row gets no gradient, maxNorm renormalizes the looked-up rows in place", () => {
  const w = randn([5, 3], { requiresGrad: true });
  F.embedding(tensor([1, 2, 2]), w, { paddingIdx: 2 }).sum().backward();
  assert.deepEqual(Array.from(w.grad!.dataSync() as ArrayLike<number>), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const table = tensor([[3, 4], [0.3, 0.4], [6, 8]]);
  const out = F.embedding(tensor([0, 1]), table, { maxNorm: 1 });
  const scale = Math.fround(1 / Math.fround(5 + 1e-7));
  assert.ok(Math.abs((out.dataSync()[0] as number) - 3 * scale) < 1e-6);
  assert.deepEqual(Array.from(table.dataSync() as ArrayLike<number>).slice(2), Array.from(new Float32Array([0.3, 0.4, 6, 8]))); // row 2 not looked up
  assert.throws(() => F.embedding(tensor([0.5]), table), DTypeError);
  assert.throws(() => F.embedding(tensor([0]), table, { paddingIdx: 3 }), ValueError);
  assert.throws(() => F.embedding(tensor([3]), table), ValueError);
});

test("embeddingBag: checks its offsets, mode and per-sample weights", () => {
  const w = randn([5, 2]);
  assert.throws(() => F.embeddingBag(tensor([1, 2]), w), /offsets has to be a 1D Tensor but got None/);
  assert.throws(() => F.embeddingBag(tensor([[1, 2]]), w, { offsets: tensor([0]) }), /if input is 2D, then offsets has to be None/);
  assert.throws(() => F.embeddingBag(tensor([1, 2]), w, { offsets: tensor([1]) }), /offsets\[0\] has to be 0/);
  assert.throws(() => F.embeddingBag(tensor([1, 2]), w, { offsets: tensor([0, 3]) }), ValueError);
  assert.throws(() => F.embeddingBag(tensor([1, 2]), w, { offsets: tensor([0]), perSampleWeights: ones([2]) }), /only supported for mode='sum'/);
  assert.throws(() => F.embeddingBag(tensor([1, 2]), w, { offsets: tensor([0]), mode: "min" as "max" }), ValueError);
  assert.deepEqual(F.embeddingBag(tensor([1, 2]), w, { offsets: tensor([0, 2, 2]), mode: "sum" }).shape, [3, 2]);
});

test("losses: typed errors for bad shapes, targets and options", () => {
  const logits = randn([4, 3]);
  assert.throws(() => F.crossEntropy(logits, tensor([0, 1, 2])), ShapeError);
  assert.throws(() => F.crossEntropy(logits, tensor([0, 1, 2, 3])), ValueError); // class 3 of 3
  assert.throws(() => F.crossEntropy(logits, tensor([0, 1, 2, 0]), { labelSmoothing: 1.5 }), ValueError);
  assert.throws(() => F.crossEntropy(logits, tensor([0, 1, 2, 0]), { weight: ones([4]) }), ShapeError);
  assert.throws(() => F.crossEntropy(logits, tensor([0, 1, 2, 0]), { reduction: "avg" as "mean" }), ValueError);
  assert.throws(() => F.crossEntropy(logits, rand([4, 3]), { ignoreIndex: 1 }), ValueError);
  assert.throws(() => F.nllLoss(logits, rand([4])), DTypeError);
  assert.throws(() => F.binaryCrossEntropy(rand([3]), rand([3, 1])), ShapeError);
  assert.throws(() => F.binaryCrossEntropyWithLogits(rand([3]), rand([2])), ShapeError);
  assert.throws(() => F.smoothL1Loss(rand([3]), rand([3]), { beta: -1 }), ValueError);
  assert.throws(() => F.huberLoss(rand([3]), rand([3]), { delta: 0 }), ValueError);
  assert.throws(() => F.cosineEmbeddingLoss(rand([2, 3]), rand([2, 3]), tensor([[1]])), ShapeError);
  assert.throws(() => F.tripletMarginLoss(rand([2, 3]), rand([3]), rand([2, 3])), ShapeError);
  assert.throws(() => F.linear(rand([2, 3]), rand([4, 5])), ShapeError);
  assert.throws(() => F.glu(rand([3, 3])), ShapeError);
  assert.throws(() => F.prelu(rand([2, 3]), rand([2])), ShapeError);
  assert.throws(() => F.softshrink(rand([2]), -1), ValueError);
});

test("nllLoss 'mean' divides by the summed class weights of the counted targets; none counted gives nan", () => {
  const logp = tensor([[-1, -2], [-3, -4], [-5, -6]], { dtype: "float32" });
  const w = tensor([2, 0.5], { dtype: "float32" });
  // (2·1 + 0.5·6) / (2 + 0.5) = 2: rows 0 and 2 count, the middle target is ignored
  assert.equal(F.nllLoss(logp, tensor([0, -100, 1]), { weight: w }).item(), 2);
  assert.ok(Number.isNaN(F.nllLoss(logp, tensor([-100, -100, -100])).item() as number));
});
