/**
 * Training throughput (samples/s) of the two reference networks of ../shared/PEERS.md, on
 * random data with Adam and softmax cross-entropy: an MLP 784-512-512-10 at batch 128 and
 * the MNIST CNN (conv 1->32 3x3, relu, conv 32->64 3x3, relu, maxpool 2, linear 9216->128,
 * relu, linear 128->10) at batch 64. concord's step is what a user writes: nn modules,
 * nn.functional.crossEntropy and optim.Adam; peers: tfjs-layers on its wasm and cpu
 * backends, PyTorch when installed.
 */
import * as c from "../src/index.ts";
import type { Tensor } from "../src/index.ts";
import { time } from "./harness.ts";
import { pytorch } from "./peers/pytorch.ts";
import { useTfjs } from "./peers/tfjs.ts";
import * as tfl from "@tensorflow/tfjs-layers";

/** The MLP 784-512-512-10 as a user writes it with nn. */
class Mlp extends c.nn.Module {
  fc1 = new c.nn.Linear(784, 512);
  fc2 = new c.nn.Linear(512, 512);
  fc3 = new c.nn.Linear(512, 10);
  override forward(x: Tensor): Tensor {
    return this.fc3.forward(this.fc2.forward(this.fc1.forward(x).relu()).relu());
  }
}

/** The MNIST CNN of ../shared/PEERS.md as a user writes it with nn. */
class Cnn extends c.nn.Module {
  conv1 = new c.nn.Conv2d(1, 32, 3);
  conv2 = new c.nn.Conv2d(32, 64, 3);
  pool = new c.nn.MaxPool2d(2);
  fc1 = new c.nn.Linear(9216, 128);
  fc2 = new c.nn.Linear(128, 10);
  override forward(x: Tensor): Tensor {
    const h = this.pool.forward(this.conv2.forward(this.conv1.forward(x).relu()).relu()).flatten(1);
    return this.fc2.forward(this.fc1.forward(h).relu());
  }
}

/** One training step (forward, cross-entropy, backward, optim.Adam) of `model` on fixed random data. */
function stepOf(model: c.nn.Module, x: Tensor, y: Tensor): () => void {
  const opt = new c.optim.Adam(model.parameters(), { lr: 1e-3 });
  return () => {
    const loss = c.nn.functional.crossEntropy(model.forward(x) as Tensor, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
}

export function mlpStep(batch = 128): () => void {
  return stepOf(new Mlp(), c.rand([batch, 784]), c.randint(0, 10, [batch]));
}

export function cnnStep(batch = 64): () => void {
  return stepOf(new Cnn(), c.rand([batch, 1, 28, 28]), c.randint(0, 10, [batch]));
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
