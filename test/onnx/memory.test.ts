/**
 * A run frees intermediate tensors at their last use: a chain of 40 nodes over a 16 MB
 * tensor stays within a few buffers of wasm heap, where keeping them would take 640 MB.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { backendInfo, getBackend, tensor, type Tensor } from "../../src/index.ts";
import * as onnx from "../../src/formats/onnx/index.ts";
import { graph, info, model, node } from "./build.ts";

test("intermediate tensors are freed during a run", async () => {
  if (getBackend().name !== "wasm") return;
  const n = 4 * 1024 * 1024;
  const nodes = Array.from({ length: 40 }, (_, i) => node("Add", [i === 0 ? "x" : `t${i - 1}`, "one"], [i === 39 ? "y" : `t${i}`]));
  const one = { name: "one", elemType: "float32" as const, dims: [], data: Float32Array.of(1) };
  const m = onnx.loadSync(onnx.encodeModel(model(graph(nodes, [info("x", [n])], [{ name: "y" }], [one]))));
  const x = tensor(new Float32Array(n));
  const before = backendInfo().heapBytes!;
  const { y } = await m.run({ x });
  const grown = backendInfo().heapBytes! - before;
  assert.equal((y as Tensor).dataSync()[n - 1], 40);
  assert.ok(grown < 6 * 4 * n, `the heap grew by ${(grown / 2 ** 20).toFixed(0)} MB`);
});
