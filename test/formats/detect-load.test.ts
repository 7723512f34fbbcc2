/** One entry for every format: detection from the bytes, `load` and `inspect`. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load, loadBytes, inspect, inspectBytes, detectFormat, flattenTensors, FormatError, Tensor, tensor, pytorch } from "../../src/index.ts";

const F = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const ONNX_ADD = fileURLToPath(new URL("../../../shared/onnx-tests/node/test_add/model.onnx", import.meta.url));
const bytes = (p: string) => new Uint8Array(readFileSync(p));

test("detectFormat tells every format from its first bytes", () => {
  assert.equal(detectFormat(bytes(F("pytorch/resnet_like.zip.pt"))), "pytorch");
  assert.equal(detectFormat(bytes(F("pytorch/resnet_like.legacy.pt"))), "pytorch");
  assert.equal(detectFormat(bytes(F("formats/all_dtypes.safetensors"))), "safetensors");
  assert.equal(detectFormat(bytes(F("formats/npy_le_f4.npy"))), "npy");
  assert.equal(detectFormat(bytes(F("formats/arrays.npz"))), "npz");
  assert.equal(detectFormat(bytes(F("formats/tiny-v3.gguf"))), "gguf");
  assert.equal(detectFormat(bytes(ONNX_ADD), "model.onnx"), "onnx");
  assert.throws(() => detectFormat(new TextEncoder().encode("hello"), "notes.txt"), (e: Error) => e instanceof FormatError && /notes\.txt: unrecognized format/.test(e.message));
});

test("load returns each file's tensors as a state dict, whatever the format", async () => {
  const pt = await load(F("pytorch/resnet_like.zip.pt"));
  const legacy = await load(F("pytorch/resnet_like.legacy.pt"));
  const keys = Object.keys(flattenTensors(pt));
  assert.ok(keys.includes("conv1.weight") && keys.some((k) => k.endsWith("running_mean")), keys.join(","));
  assert.deepEqual(Object.keys(flattenTensors(legacy)), keys);
  const st = await load(F("formats/all_dtypes.safetensors"));
  assert.ok(Object.values(st).every((t) => t instanceof Tensor));
  const npy = await load(F("formats/npy_le_f4.npy"));
  assert.deepEqual(Object.keys(npy), ["npy_le_f4"]);
  assert.ok(Object.keys(await load(F("formats/arrays.npz"))).length > 1);
  assert.ok(Object.keys(await load(F("formats/tiny-v3.gguf"))).length > 0);
  const onnxState = loadBytes(bytes(ONNX_ADD), "model.onnx");
  assert.deepEqual(onnxState, {});
  const written = pytorch.save({ a: tensor([1.5, 2]), nested: { b: tensor([3]) } });
  assert.deepEqual(Object.keys(flattenTensors(loadBytes(written))), ["a", "nested.b"]);
});

test("inspect lists names, dtypes in PyTorch's spelling, shapes and parameter counts", async () => {
  const s = await inspect(F("pytorch/resnet_like.zip.pt"));
  assert.equal(s.format, "pytorch");
  assert.equal(s.metadata.serialization, "zip");
  const conv = s.tensors.find((t) => t.name === "conv1.weight")!;
  assert.equal(conv.dtype, "float32");
  assert.equal(s.parameterCount, s.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0));
  const st = inspectBytes(bytes(F("formats/all_dtypes.safetensors")));
  assert.ok(st.tensors.every((t) => /^(float|int|uint|bool|bfloat)/.test(t.dtype)), JSON.stringify(st.tensors.map((t) => t.dtype)));
  const g = inspectBytes(bytes(F("formats/tiny-v3.gguf")));
  assert.equal(g.format, "gguf");
  assert.ok(g.tensors.length > 0);
  const o = inspectBytes(bytes(ONNX_ADD), "model.onnx");
  assert.deepEqual(o.metadata.opHistogram, { Add: 1 });
  await assert.rejects(load(F("pytorch/malicious-os-system.zip.pt")), (e: Error) => e instanceof FormatError && /system/.test(e.message));
});

test("concord/node: the formats' file helpers round-trip through disk", async () => {
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const node = await import("../../src/node.ts");
  const dir = mkdtempSync(join(tmpdir(), "concord-node-"));
  const sd = { w: tensor([[1.5, 2], [3, 4]]), b: tensor([0.25, -1]) };
  await node.pytorch.saveFile(join(dir, "m.pt"), sd);
  const back = await node.pytorch.loadStateDictFile(join(dir, "m.pt"));
  assert.deepEqual((back.w as Tensor).toArray(), [[1.5, 2], [3, 4]]);
  await node.safetensors.saveFile(join(dir, "m.safetensors"), sd);
  assert.deepEqual((await node.safetensors.loadFile(join(dir, "m.safetensors"))).tensors.b!.toArray(), [0.25, -1]);
  await node.npy.saveNpzFile(join(dir, "m.npz"), sd);
  assert.deepEqual((await node.npy.loadNpzFile(join(dir, "m.npz"))).w!.shape, [2, 2]);
});
