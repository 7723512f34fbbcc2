import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, ShapeError, ValueError } from "../../src/index.ts";
import {
  accuracy, topKAccuracy, confusionMatrix, precisionRecallF1, Accuracy, TopKAccuracy, ConfusionMatrix, ClassificationScore, formatConfusionMatrix,
} from "../../src/train/index.ts";

const yTrue = tensor([0, 0, 1, 1, 2, 2, 2, 0], { dtype: "int64" });
const yPred = tensor([0, 1, 1, 1, 2, 0, 2, 2], { dtype: "int64" });
const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test("accuracy and the confusion matrix from indices or scores", () => {
  assert.equal(accuracy(yPred, yTrue), 5 / 8);
  const scores = tensor([[2, 1, 0], [0, 3, 1], [0.5, 0.2, 0.9]]);
  assert.equal(accuracy(scores, tensor([0, 2, 2])), 2 / 3);
  assert.deepEqual(confusionMatrix(yPred, yTrue, 3), [[1, 1, 1], [0, 2, 0], [1, 0, 2]]);
  assert.throws(() => confusionMatrix(tensor([3]), tensor([0]), 3), ValueError);
  assert.throws(() => accuracy(tensor([1, 2]), tensor([1])), ShapeError);
});

test("precision / recall / F1 averaged macro, micro and weighted as scikit-learn", () => {
  const m = confusionMatrix(yPred, yTrue, 3);
  const macro = precisionRecallF1(m, "macro");
  close(macro.precision, (0.5 + 2 / 3 + 2 / 3) / 3);
  close(macro.recall, (1 / 3 + 1 + 2 / 3) / 3);
  close(macro.f1, (0.4 + 0.8 + 2 / 3) / 3);
  const micro = precisionRecallF1(m, "micro");
  close(micro.precision, 0.625);
  close(micro.recall, 0.625);
  close(micro.f1, 0.625);
  const weighted = precisionRecallF1(m, "weighted");
  close(weighted.precision, (3 * 0.5 + 2 * (2 / 3) + 3 * (2 / 3)) / 8);
  close(weighted.recall, 0.625);
  close(weighted.f1, (3 * 0.4 + 2 * 0.8 + 3 * (2 / 3)) / 8);
  // A class never predicted scores 0 precision rather than NaN.
  close(precisionRecallF1([[1, 0], [1, 0]], "macro").precision, 0.25);
});

test("top-k accuracy counts ties toward the lower index, as topk", () => {
  const s = tensor([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [1, 0, 0]]);
  assert.equal(topKAccuracy(s, tensor([2, 1, 2]), 1), 0);
  assert.equal(topKAccuracy(s, tensor([2, 1, 2]), 2), 1 / 3);
  assert.equal(topKAccuracy(s, tensor([2, 0, 2]), 2), 2 / 3);
  assert.throws(() => topKAccuracy(s, tensor([0, 0, 0]), 4), ValueError);
});

test("stateful metrics accumulate over batches and reset", () => {
  const acc = new Accuracy();
  const top = new TopKAccuracy(2);
  const cm = new ConfusionMatrix(3);
  const f1 = new ClassificationScore("f1", 3, "weighted");
  for (const [a, b] of [[0, 4], [4, 8]]) {
    const p = yPred.narrow(0, a, b - a);
    const t = yTrue.narrow(0, a, b - a);
    acc.update(p, t);
    cm.update(p, t);
    f1.update(p, t);
  }
  top.update(tensor([[0.1, 0.5, 0.4]]), tensor([2]));
  assert.equal(acc.compute(), 5 / 8);
  assert.equal(top.compute(), 1);
  assert.equal(top.name, "top2");
  assert.deepEqual(cm.matrix(), [[1, 1, 1], [0, 2, 0], [1, 0, 2]]);
  close(f1.compute(), (3 * 0.4 + 2 * 0.8 + 3 * (2 / 3)) / 8);
  assert.equal(f1.name, "f1_weighted");
  acc.reset();
  assert.ok(Number.isNaN(acc.compute()));
  assert.match(formatConfusionMatrix(cm.matrix()), /^true\\pred\s+0\s+1\s+2\n0\s+1\s+1\s+1\n/);
});
