/**
 * The js reference backend beside TensorFlow.js's cpu backend (plain JS too), same run:
 * elementwise, reductions and matmul on float32.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as c from "../src/index.ts";
import { printTable, time, type Row } from "./harness.ts";

export async function benchJsBackend(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
  c.setBackend("js");
  const rows: Row[] = [];
  const n = 1 << 20;
  const a = c.rand([n]);
  const b = c.rand([n]);
  const ta = tf.tensor1d(a.dataSync() as Float32Array);
  const tb = tf.tensor1d(b.dataSync() as Float32Array);
  const pair = async (name: string, ours: () => c.Tensor, theirs: () => tf.Tensor, work?: Row["work"]) => {
    const mine = await time(() => ours().dataSync());
    const peer = await time(() => {
      const t = theirs();
      t.dataSync();
      t.dispose();
    });
    rows.push({ name, concordMs: mine.medianMs, peerMs: peer.medianMs, ...(work ? { work } : {}) });
  };
  await pair("add 1M", () => a.add(b), () => tf.add(ta, tb), { amount: n, unit: "elem" });
  await pair("mul 1M (broadcast row)", () => a.reshape([1024, 1024]).mul(b.slice(0, 0, 1024)), () => tf.mul(tf.reshape(ta, [1024, 1024]), tf.slice(tb, 0, 1024)), { amount: n, unit: "elem" });
  await pair("exp 1M", () => a.exp(), () => tf.exp(ta), { amount: n, unit: "elem" });
  await pair("sigmoid 1M", () => a.sigmoid(), () => tf.sigmoid(ta), { amount: n, unit: "elem" });
  await pair("sum 1M", () => a.sum(), () => tf.sum(ta), { amount: n, unit: "elem" });
  await pair("sum 1024x1024 over dim 1", () => a.reshape([1024, 1024]).sum(1), () => tf.sum(tf.reshape(ta, [1024, 1024]), 1), { amount: n, unit: "elem" });
  await pair("sum 1024x1024 over dim 0", () => a.reshape([1024, 1024]).sum(0), () => tf.sum(tf.reshape(ta, [1024, 1024]), 0), { amount: n, unit: "elem" });
  const matmul = (c as unknown as { matmul?: (x: c.Tensor, y: c.Tensor) => c.Tensor }).matmul;
  if (matmul) {
    for (const s of [64, 128, 256]) {
      const x = c.rand([s, s]);
      const y = c.rand([s, s]);
      const tx = tf.tensor2d(x.dataSync() as Float32Array, [s, s]);
      const ty = tf.tensor2d(y.dataSync() as Float32Array, [s, s]);
      await pair(`matmul ${s}x${s}`, () => matmul(x, y), () => tf.matMul(tx, ty), { amount: 2 * s * s * s, unit: "FLOP" });
    }
  }
  printTable("js backend vs tfjs-cpu (float32, 1 thread, median ms)", "tfjs-cpu", rows);
}
