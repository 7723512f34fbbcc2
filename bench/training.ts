/**
 * Training throughput (samples/s) of the two reference networks of ../shared/PEERS.md, on
 * random data with Adam and softmax cross-entropy: an MLP 784-512-512-10 at batch 128 and
 * the MNIST CNN (conv 1->32 3x3, relu, conv 32->64 3x3, relu, maxpool 2, linear 9216->128,
 * relu, linear 128->10) at batch 64. concord's step is written with ops and a hand-written
 * Adam (the nn/optim layers build the same thing); peers: tfjs-layers on its wasm and cpu
 * backends, PyTorch when installed.
 */
import * as c from "../src/index.ts";
import type { Tensor } from "../src/index.ts";
import { time } from "./harness.ts";
import { adamStep } from "../src/ops/defs/optim-step.ts";
import { pytorch } from "./peers/pytorch.ts";
import { useTfjs } from "./peers/tfjs.ts";
import * as tfl from "@tensorflow/tfjs-layers";

/** PyTorch's default Linear/Conv init scale: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
function param(shape: number[], fanIn: number): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return c.rand(shape).mul(2 * bound).sub(bound).requiresGrad_();
}

/**
 * Adam as torch.optim.Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8): the fused adamStep op per
 * parameter (one pass over parameter, gradient and state), the parameter copied into place.
 */
function adam(params: Tensor[]): () => void {
  const m = params.map((p) => c.zerosLike(p));
  const v = params.map((p) => c.zerosLike(p));
  let t = 0;
  return () =>
    c.noGrad(() => {
      t++;
      params.forEach((p, i) => {
        const [next, m1, v1] = adamStep(p, p.grad!, m[i]!, v[i]!, { step: t });
        p.copy_(next);
        next.dispose();
        m[i]!.dispose();
        v[i]!.dispose();
        m[i] = m1;
        v[i] = v1;
        p.grad!.dispose();
        p.grad = null;
      });
    });
}

function crossEntropy(logits: Tensor, target: Tensor): Tensor {
  return logits.logSoftmax(1).gather(1, target.unsqueeze(1)).mean().neg();
}

function linear(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return x.matmul(w.t()).add(b);
}

export function mlpStep(batch = 128): () => void {
  const ps = [param([512, 784], 784), param([512], 784), param([512, 512], 512), param([512], 512), param([10, 512], 512), param([10], 512)];
  const [w1, b1, w2, b2, w3, b3] = ps as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  const x = c.rand([batch, 784]);
  const y = c.randint(0, 10, [batch]);
  const update = adam(ps);
  return () => {
    const h = linear(linear(x, w1, b1).relu(), w2, b2).relu();
    crossEntropy(linear(h, w3, b3), y).backward();
    update();
  };
}

export function cnnStep(batch = 64): () => void {
  const ps = [
    param([32, 1, 3, 3], 9), param([32], 9), param([64, 32, 3, 3], 288), param([64], 288),
    param([128, 9216], 9216), param([128], 9216), param([10, 128], 128), param([10], 128),
  ];
  const [cw1, cb1, cw2, cb2, w3, b3, w4, b4] = ps as Tensor[] as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  const x = c.rand([batch, 1, 28, 28]);
  const y = c.randint(0, 10, [batch]);
  const update = adam(ps);
  return () => {
    let h = c.conv2d(x, cw1, cb1).relu();
    h = c.conv2d(h, cw2, cb2).relu();
    const pooled = c.maxPool2d(h, 2);
    h = (Array.isArray(pooled) ? pooled[0]! : pooled).flatten(1);
    h = linear(h, w3, b3).relu();
    crossEntropy(linear(h, w4, b4), y).backward();
    update();
  };
}

async function tfjsSamplesPerSecond(kind: "mlp" | "cnn", backend: "cpu" | "wasm"): Promise<number> {
  const tf = await useTfjs(backend);
  const batch = kind === "mlp" ? 128 : 64;
  const model = tfl.sequential();
  if (kind === "mlp") {
    model.add(tfl.layers.dense({ inputShape: [784], units: 512, activation: "relu" }));
    model.add(tfl.layers.dense({ units: 512, activation: "relu" }));
    model.add(tfl.layers.dense({ units: 10 }));
  } else {
    model.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: "relu" }));
    model.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tfl.layers.flatten());
    model.add(tfl.layers.dense({ units: 128, activation: "relu" }));
    model.add(tfl.layers.dense({ units: 10 }));
  }
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "sparseCategoricalCrossentropy" });
  const x = tf.randomUniform(kind === "mlp" ? [batch, 784] : [batch, 28, 28, 1]);
  const y = tf.cast(tf.randomUniform([batch, 1], 0, 10, "int32"), "float32");
  // tfjs-cpu trains the CNN at well under 1 sample/s: one untimed warm-up would double a
  // multi-minute run, so that case times its first batch.
  const slow = kind === "cnn" && backend === "cpu";
  const t = await time(async () => {
    await model.trainOnBatch(x, y);
  }, { warmup: slow ? 0 : 1, minRuns: slow ? 1 : 5, minMs: slow ? 0 : 500 });
  return batch / (t.medianMs / 1000);
}

export async function benchTraining(): Promise<void> {
  c.setBackend("wasm");
  await c.ready();
  const rows: string[] = [];
  const fmt = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(0));
  for (const kind of ["mlp", "cnn"] as const) {
    const batch = kind === "mlp" ? 128 : 64;
    const step = kind === "mlp" ? mlpStep(batch) : cnnStep(batch);
    const ours = batch / ((await time(step, { warmup: 2, minRuns: 5, minMs: 1000 })).medianMs / 1000);
    const tfWasm = await tfjsSamplesPerSecond(kind, "wasm").catch(() => undefined);
    // tfjs-cpu trains the CNN at well under 1 sample/s: one batch is measured.
    const tfCpu = await tfjsSamplesPerSecond(kind, "cpu").catch(() => undefined);
    const torch1 = pytorch(1)?.train_samples_per_s[kind];
    const torch2 = pytorch(2)?.train_samples_per_s[kind];
    const ratio = (peer: number | undefined) => (peer === undefined ? "-" : (ours / peer).toFixed(2) + "x");
    rows.push(
      `${(kind === "mlp" ? "MLP 784-512-512-10, batch 128" : "MNIST CNN, batch 64").padEnd(32)} ${fmt(ours).padStart(9)} ` +
        `${fmt(tfWasm).padStart(10)} ${ratio(tfWasm).padStart(8)} ${fmt(tfCpu).padStart(9)} ${ratio(tfCpu).padStart(9)} ` +
        `${fmt(torch1).padStart(9)} ${ratio(torch1).padStart(8)} ${fmt(torch2).padStart(9)} ${ratio(torch2).padStart(8)}`,
    );
  }
  console.log(`\nTraining throughput, samples/s (Adam, random data; concord wasm ${JSON.stringify(c.backendInfo())})`);
  console.log(`${"network".padEnd(32)} ${"concord".padStart(9)} ${"tfjs-wasm".padStart(10)} ${"ratio".padStart(8)} ${"tfjs-cpu".padStart(9)} ${"ratio".padStart(9)} ${"torch 1t".padStart(9)} ${"ratio".padStart(8)} ${"torch 2t".padStart(9)} ${"ratio".padStart(8)}`);
  for (const r of rows) console.log(r);
  console.log("(tfjs-layers 4.22 on wasm has no Conv2DBackpropFilter kernel: its CNN row falls back to cpu — see ../shared/PEERS.md)");
}
