/**
 * Training parity with PyTorch (fixtures from scripts/fixtures/gen_training_parity.py): a
 * small CNN and a 2-layer LSTM model start from PyTorch's initial weights, train 20 steps
 * on the same batches with SGD(momentum) and with AdamW + CosineAnnealingLR, and every
 * step's loss and the final weights match PyTorch's in float32.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, nn, optim } from "../../src/index.ts";
import { loadFixture, decode as specTensor, type TensorSpec } from "../helpers/fixtures.ts";

interface ParityCase {
  model: "cnn" | "lstm";
  run: "sgd" | "adamw";
  initial: Record<string, TensorSpec>;
  keys: string[];
  batches: [TensorSpec, TensorSpec][];
  losses: number[];
  lrs: number[];
  final: Record<string, TensorSpec>;
}

class SmallCnn extends nn.Module {
  conv1 = new nn.Conv2d(1, 4, 3, { padding: 1, bias: false });
  bn1 = new nn.BatchNorm2d(4);
  conv2 = new nn.Conv2d(4, 8, 3);
  fc = new nn.Linear(8 * 4 * 4, 10);
  override forward(x: Tensor): Tensor {
    let h = nn.functional.maxPool2d(this.bn1.forward(this.conv1.forward(x)).relu(), 2);
    h = this.conv2.forward(h).relu();
    return this.fc.forward(h.flatten(1));
  }
}

class SmallLstm extends nn.Module {
  embedding = new nn.Embedding(12, 6);
  lstm = new nn.LSTM(6, 8, { numLayers: 2, batchFirst: true });
  head = new nn.Linear(8, 12);
  override forward(tokens: Tensor): Tensor {
    const [out] = this.lstm.forward(this.embedding.forward(tokens));
    return this.head.forward(out.select(1, -1));
  }
}

const RTOL = 1e-5;

/** Relative to the tensor: norm-wise within RTOL, and each element within RTOL of the largest. */
function close(actual: Tensor, expected: Tensor, what: string): void {
  const a = actual.to("float64").dataSync() as Float64Array;
  const e = expected.to("float64").dataSync() as Float64Array;
  assert.equal(a.length, e.length, what);
  let diff = 0;
  let norm = 0;
  let scale = 0;
  for (let i = 0; i < e.length; i++) {
    diff += (a[i]! - e[i]!) ** 2;
    norm += e[i]! ** 2;
    scale = Math.max(scale, Math.abs(e[i]!));
  }
  assert.ok(Math.sqrt(diff) <= RTOL * Math.sqrt(norm), `${what}: relative error ${Math.sqrt(diff / norm)}`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - e[i]!) <= RTOL * scale, `${what}[${i}]: ${a[i]} vs ${e[i]}`);
}

for (const c of loadFixture<ParityCase>("training-parity").cases) {
  test(`${c.model} with ${c.run}: 20 steps match PyTorch's losses and final weights`, () => {
    const model = c.model === "cnn" ? new SmallCnn() : new SmallLstm();
    assert.deepEqual(Object.keys(model.stateDict()), c.keys, "state dict keys in PyTorch's order");
    model.loadStateDict(Object.fromEntries(Object.entries(c.initial).map(([k, v]) => [k, specTensor(v)])));
    const params = [...model.parameters()];
    const opt = c.run === "sgd" ? new optim.SGD(params, { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 }) : new optim.AdamW(params, { lr: 0.01, weightDecay: 0.01 });
    const sched = c.run === "adamw" ? new optim.CosineAnnealingLR(opt, { TMax: 20 }) : null;
    model.train();
    c.batches.forEach(([xs, ys], step) => {
      assert.ok(Math.abs(opt.paramGroups[0]!.lr - c.lrs[step]!) <= 1e-12 * c.lrs[step]!, `lr at step ${step}`);
      const loss = nn.functional.crossEntropy(model.forward(specTensor(xs)) as Tensor, specTensor(ys));
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sched?.step();
      const l = Number(loss.item());
      assert.ok(Math.abs(l - c.losses[step]!) <= RTOL * Math.abs(c.losses[step]!), `loss at step ${step}: ${l} vs ${c.losses[step]}`);
    });
    const final = model.stateDict();
    for (const [k, spec] of Object.entries(c.final)) close(final[k]!, specTensor(spec), k);
  });
}
