import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, tensor, randn, zeros, manualSeed, noGrad, ValueError } from "../../src/index.ts";
import { Module, Parameter } from "../../src/nn/index.ts";
import {
  Trainer, Accuracy, EarlyStopping, ProgressBar, trainingChartSvg, trainingChartHtml, emptyHistory, type BatchSource, type ProgressSink,
} from "../../src/train/index.ts";

/** Logistic regression on two features: a module written with Parameters only. */
class Logistic extends Module {
  weight = new Parameter(zeros([2, 2]));
  bias = new Parameter(zeros([2]));
  override forward(x: Tensor): Tensor {
    return x.matmul(this.weight.t()).add(this.bias);
  }
}

/** Plain SGD, enough for the loop's contract. */
class TinySgd {
  paramGroups: { lr: number; params: Tensor[] }[];
  constructor(params: Iterable<Tensor>, lr: number) {
    this.paramGroups = [{ lr, params: [...params] }];
  }
  step(): void {
    noGrad(() => {
      for (const g of this.paramGroups) for (const p of g.params) if (p.grad) p.sub_(p.grad.mul(g.lr));
    });
  }
  zeroGrad(): void {
    for (const p of this.paramGroups[0]!.params) p.grad = null;
  }
  stateDict(): unknown {
    return { lr: this.paramGroups[0]!.lr };
  }
  loadStateDict(): void {}
}

function crossEntropy(logits: Tensor, target: Tensor): Tensor {
  return logits.logSoftmax(1).gather(1, target.unsqueeze(1)).neg().mean();
}

function blobs(n: number): { x: Tensor; y: Tensor } {
  manualSeed(3);
  const x = randn([n, 2]);
  const y = x.sum(1).gt(0).to("int64");
  return { x, y };
}

function batches(x: Tensor, y: Tensor, size: number): BatchSource {
  const out: Tensor[][] = [];
  for (let i = 0; i < x.shape[0]!; i += size) out.push([x.narrow(0, i, Math.min(size, x.shape[0]! - i)), y.narrow(0, i, Math.min(size, x.shape[0]! - i))]);
  return out;
}

function sink(isTTY: boolean): ProgressSink & { text: string } {
  return { isTTY, text: "", write(s: string) { this.text += s; } };
}

test("fit trains, logs per epoch, validates, and evaluate/predict agree", async () => {
  const { x, y } = blobs(256);
  const train = batches(x.narrow(0, 0, 192), y.narrow(0, 0, 192), 32);
  const val = batches(x.narrow(0, 192, 64), y.narrow(0, 192, 64), 32);
  const model = new Logistic();
  const out = sink(false);
  const trainer = new Trainer({ model, optimizer: new TinySgd(model.parameters(), 0.5), lossFn: crossEntropy, metrics: [new Accuracy()], progress: { sink: out } });
  const history = await trainer.fit(train, { epochs: 4, valData: val });
  assert.deepEqual(history.epochs, [1, 2, 3, 4]);
  assert.equal(history.batches.length, 24);
  assert.ok(history.train.loss![3]! < history.train.loss![0]!);
  assert.ok(history.val.accuracy![3]! > 0.9, `val accuracy ${history.val.accuracy}`);
  const evaluated = await trainer.evaluate(val);
  assert.ok(Math.abs(evaluated.loss! - history.val.loss![3]!) < 1e-6);
  assert.equal(evaluated.accuracy, history.val.accuracy![3]);
  const pred = await trainer.predict(val);
  assert.deepEqual(pred.shape, [64, 2]);
  assert.ok(model.training, "evaluate restores training mode");
  assert.match(out.text, /^epoch 1\/4 \| 2\/6 \| loss \d\.\d{4} \| accuracy \d\.\d{4} \| \d+ samples\/s \| ETA /m);
  assert.match(out.text, /^ {2}validation \| 2\/2 \| loss /m);
  assert.ok(!out.text.includes("\r"), "plain lines when not a TTY");
});

test("on a terminal the bar is redrawn in place", async () => {
  const { x, y } = blobs(64);
  const model = new Logistic();
  const out = sink(true);
  const trainer = new Trainer({ model, optimizer: new TinySgd(model.parameters(), 0.1), lossFn: crossEntropy, progress: { sink: out, redrawMs: 0 } });
  await trainer.fit(batches(x, y, 16), { epochs: 1 });
  assert.match(out.text, /\repoch 1\/1 \| \[=+>? *\] 1\/4 \| loss/);
  assert.ok(out.text.endsWith("\n"));
});

test("EarlyStopping stops when the monitored value stalls and restores the best weights", async () => {
  const { x, y } = blobs(64);
  const model = new Logistic();
  const stop = new EarlyStopping({ monitor: "loss", patience: 1, restoreBestWeights: true });
  let calls = 0;
  // lr 0 after the first epoch: the loss stops improving, epoch 2 improves on epoch 1's running mean, epochs 3 and 4 do not: stop after 4.
  const opt = new TinySgd(model.parameters(), 0.5);
  const trainer = new Trainer({
    model, optimizer: opt, lossFn: crossEntropy, progress: false,
    callbacks: [stop, { onEpochEnd: () => { calls++; opt.paramGroups[0]!.lr = 0; } }],
  });
  await trainer.fit(batches(x, y, 16), { epochs: 10 });
  assert.equal(calls, 4);
  assert.equal(stop.stoppedEpoch, 4);
  assert.equal(stop.bestEpoch, 2);
  assert.equal(stop.mode, "min");
  assert.equal(new EarlyStopping({ monitor: "val_accuracy" }).mode, "max");
  const bad = new Trainer({ model, optimizer: opt, lossFn: crossEntropy, progress: false, callbacks: [new EarlyStopping({ monitor: "val_loss" })] });
  await assert.rejects(bad.fit(batches(x, y, 16), { epochs: 1 }), (e: Error) => e instanceof ValueError && /'val_loss' is not logged/.test(e.message));
});

test("bad batches and options give typed errors", async () => {
  const model = new Logistic();
  const trainer = new Trainer({ model, optimizer: new TinySgd(model.parameters(), 0.1), lossFn: crossEntropy, progress: false });
  await assert.rejects(trainer.fit([[tensor([[1, 2]])]], { epochs: 1 }), ValueError);
  await assert.rejects(trainer.fit([], { epochs: -1 }), ValueError);
});

test("the training chart is an SVG with a panel per logged quantity, and an HTML page with the numbers", () => {
  const h = emptyHistory();
  h.epochs.push(1, 2);
  h.train.loss = [1, 0.5];
  h.val.loss = [1.1, 0.7];
  h.val.accuracy = [0.5, 0.75];
  h.batches.push({ step: 1, loss: 1.2 }, { step: 2, loss: 0.9 });
  const svg = trainingChartSvg(h, "demo <run>");
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.endsWith("</svg>"));
  assert.equal(svg.match(/<path /g)!.length, 4, "batch loss, train loss, val loss, val accuracy");
  assert.ok(svg.includes("demo &#60;run&#62;"));
  const html = trainingChartHtml(h);
  assert.match(html, /<th>epoch<\/th><th>train loss<\/th><th>val loss<\/th><th>val accuracy<\/th>/);
  assert.match(html, /<tr><td>2<\/td><td>0.5000<\/td><td>0.7000<\/td><td>0.7500<\/td><\/tr>/);
});

test("ProgressBar prints a few plain lines per epoch with ETA", () => {
  const out = sink(false);
  const bar = new ProgressBar({ sink: out, linesPerEpoch: 2 });
  bar.start("epoch 1/1", 10);
  for (let i = 1; i <= 10; i++) bar.update(i, i * 4, { loss: 1 / i });
  bar.end(10, 40, { loss: 0.1 });
  const lines = out.text.trim().split("\n");
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^epoch 1\/1 \| 5\/10 \| loss 0.2000 \| \d+ samples\/s \| ETA 0:00$/);
  assert.match(lines[1]!, /^epoch 1\/1 \| 10\/10 \| loss 0.1000 \| \d+ samples\/s \| 0:00$/);
});

test("checkpoints: resuming from the file continues exactly where an uninterrupted run goes", async () => {
  const { mkdtempSync, readdirSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { decodeCheckpoint, encodeCheckpoint } = await import("../../src/train/index.ts");
  const { FormatError } = await import("../../src/index.ts");
  const { x, y } = blobs(96);
  const data = batches(x, y, 32);
  const make = () => {
    const model = new Logistic();
    return new Trainer({ model, optimizer: new TinySgd(model.parameters(), 0.3), lossFn: crossEntropy, progress: false });
  };
  const straight = make();
  await straight.fit(data, { epochs: 4 });

  const dir = mkdtempSync(join(tmpdir(), "concord-ckpt-"));
  const path = join(dir, "run.safetensors");
  const first = make();
  await first.fit(data, { epochs: 2, checkpoint: { path } });
  const resumed = make();
  await resumed.fit(data, { epochs: 4, checkpoint: { path } });
  assert.equal(resumed.epoch, 4);
  assert.equal(resumed.step, 12);
  assert.deepEqual(resumed.history.epochs, [1, 2, 3, 4]);
  for (const [k, v] of Object.entries(straight.model.stateDict())) assert.deepEqual(resumed.model.stateDict()[k]!.toArray(), v.toArray(), k);
  assert.deepEqual(readdirSync(dir), ["run.safetensors"], "no temporary files left behind");

  const nested = { a: [1, Number.NaN, { $weird: 2 }], b: new Map([["k", tensor([1, 2])]]), c: 5n, d: new Uint8Array([7, 8]) };
  const back = decodeCheckpoint(encodeCheckpoint(nested)) as typeof nested;
  assert.ok(Number.isNaN(back.a[1] as number));
  assert.deepEqual(back.a[2], { $weird: 2 });
  assert.deepEqual(back.b.get("k")!.toArray(), [1n, 2n]);
  assert.equal(back.c, 5n);
  assert.deepEqual([...back.d], [7, 8]);
  const { save } = await import("../../src/formats/safetensors/index.ts");
  writeFileSync(join(dir, "plain.safetensors"), save({ w: tensor([1]) }));
  await assert.rejects(make().loadCheckpoint(join(dir, "plain.safetensors")), (e: Error) => e instanceof FormatError && /not a concord checkpoint/.test(e.message));
});
