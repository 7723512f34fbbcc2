import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { tensor, safetensors } from "../../src/index.ts";
import * as npy from "../../src/formats/npy/index.ts";
import * as onnx from "../../src/formats/onnx/index.ts";
import { valueFromTensorData } from "../../src/graph/tensor-data.ts";
import { runCli } from "../../src/cli/main.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ONNX_ADD = join(ROOT, "../shared/onnx-tests/node/test_add");

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "concord-cli-"));
const st = join(dir, "weights.safetensors");
writeFileSync(st, safetensors.save({ "fc.weight": tensor([[1, 2], [3, 4]], { dtype: "float32" }), "fc.bias": tensor([0.5, -0.5]) }, { metadata: { note: "demo" } }));

test("inspect lists tensors, parameter count and metadata; --json for scripts", async () => {
  const text = await cli("inspect", st);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /weights\.safetensors: safetensors, \d+ B\n2 tensors, 6 elements\n/);
  assert.match(text.out, /fc\.weight\s+float32\s+\[2, 2\]/);
  assert.match(text.out, /metadata:\n {2}note: demo/);
  const json = await cli("inspect", st, "--json");
  const parsed = JSON.parse(json.out) as { format: string; tensors: { name: string; dtype: string; shape: number[] }[]; parameterCount: number };
  assert.equal(parsed.format, "safetensors");
  assert.deepEqual(parsed.tensors.map((t) => t.name).sort(), ["fc.bias", "fc.weight"]);
  assert.equal(parsed.parameterCount, 6);
});

test("inspect describes ONNX models: inputs, outputs, opsets, op histogram", async () => {
  const r = await cli("inspect", join(ONNX_ADD, "model.onnx"));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /model\.onnx: onnx, /);
  assert.match(r.out, /opsets ai\.onnx \d+/);
  assert.match(r.out, /input  x: float32\[3, 4, 5\]/);
  assert.match(r.out, /output sum: float32\[3, 4, 5\]/);
  assert.match(r.out, /1 nodes: Add 1/);
  const json = JSON.parse((await cli("inspect", "--json", join(ONNX_ADD, "model.onnx"))).out) as { metadata: { opHistogram: Record<string, number> } };
  assert.deepEqual(json.metadata.opHistogram, { Add: 1 });
});

test("run feeds .pb and .npy inputs and writes one .npy per output", async () => {
  const out = join(dir, "out");
  const r = await cli("run", join(ONNX_ADD, "model.onnx"), "--input", `x=${join(ONNX_ADD, "test_data_set_0/input_0.pb")}`, "--input", `y=${join(ONNX_ADD, "test_data_set_0/input_1.pb")}`, "--output-dir", out);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(readdirSync(out), ["sum.npy"]);
  const got = npy.load(new Uint8Array(readFileSync(join(out, "sum.npy"))));
  const want = valueFromTensorData(onnx.decodeTensor(new Uint8Array(readFileSync(join(ONNX_ADD, "test_data_set_0/output_0.pb")))));
  assert.deepEqual(got.toArray(), (want as typeof got).toArray());
  const xNpy = join(dir, "x.npy");
  writeFileSync(xNpy, npy.save(got));
  const again = await cli("run", join(ONNX_ADD, "model.onnx"), "--input", `x=${xNpy}`, "--input", `y=${xNpy}`, "--output-dir", out);
  assert.equal(again.code, 0, again.err);
});

test("bad files and mismatched inputs exit non-zero with the typed error's message", async () => {
  const junk = join(dir, "junk.bin");
  writeFileSync(junk, "hello world, not a model");
  const r1 = await cli("inspect", junk);
  assert.equal(r1.code, 1);
  assert.match(r1.err, /^concord: .*junk\.bin: unrecognized format/);
  const r2 = await cli("inspect", join(dir, "missing.pt"));
  assert.equal(r2.code, 1);
  assert.match(r2.err, /missing\.pt: no such file/);
  const wrong = join(dir, "wrong.npy");
  writeFileSync(wrong, npy.save(tensor([1, 2, 3], { dtype: "float32" })));
  const r3 = await cli("run", join(ONNX_ADD, "model.onnx"), "--input", `x=${wrong}`, "--input", `y=${wrong}`, "--output-dir", dir);
  assert.equal(r3.code, 1);
  assert.match(r3.err, /input x: the model expects \[3, 4, 5\], the file holds \[3\]/);
  const r4 = await cli("run", join(ONNX_ADD, "model.onnx"), "--input", `z=${wrong}`, "--output-dir", dir);
  assert.match(r4.err, /z is not an input of .*model\.onnx \(inputs: x, y\)/);
  const r5 = await cli("run", join(ONNX_ADD, "model.onnx"), "--input", "x", "--output-dir", dir);
  assert.match(r5.err, /--input expects name=FILE/);
  const r6 = await cli("frobnicate");
  assert.notEqual(r6.code, 0);
});

test("convert moves tensors between safetensors and npz", async () => {
  const npz = join(dir, "weights.npz");
  const r = await cli("convert", st, npz);
  assert.equal(r.code, 0, r.err);
  const back = npy.loadNpz(new Uint8Array(readFileSync(npz)));
  assert.deepEqual(back["fc.weight"]!.toArray(), [[1, 2], [3, 4]]);
  const st2 = join(dir, "again.safetensors");
  assert.equal((await cli("convert", npz, st2)).code, 0);
  assert.deepEqual(safetensors.load(new Uint8Array(readFileSync(st2))).tensors["fc.bias"]!.toArray(), [0.5, -0.5]);
  const pt = join(dir, "weights.pt");
  assert.equal((await cli("convert", st2, pt)).code, 0);
  const inspected = JSON.parse((await cli("inspect", "--json", pt)).out) as { format: string; tensors: { name: string; dtype: string; shape: number[] }[] };
  assert.equal(inspected.format, "pytorch");
  assert.deepEqual(inspected.tensors.find((t) => t.name === "fc.weight"), { name: "fc.weight", dtype: "float32", shape: [2, 2] });
  const bad = await cli("convert", st, join(dir, "x.txt"));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /cannot write '\.txt'/);
});

test("the command runs as a process and exits non-zero on a broken file", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "inspect", join(dir, "junk.bin")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unrecognized format/);
  const ok = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "inspect", "--json", st], { cwd: ROOT, encoding: "utf8" });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).format, "safetensors");
});

test("convert --model loads a checkpoint into a zoo architecture and exports ONNX that runs like it", async () => {
  const { models, randn, noGrad } = await import("../../src/index.ts");
  const ckpt = join(ROOT, "test/fixtures/models/mnist_cnn.safetensors");
  const out = join(dir, "mnist.onnx");
  const r = await cli("convert", ckpt, out, "--model", "mnist_cnn");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /mnist_cnn \(8 tensors\) exported to ONNX, input \[1, 1, 28, 28\] with a dynamic batch/);
  const model = models.createModel("mnist_cnn");
  model.loadStateDict(safetensors.load(new Uint8Array(readFileSync(ckpt))).tensors);
  model.eval();
  const x = randn([3, 1, 28, 28]);
  const eager = noGrad(() => model.forward(x));
  const loaded = await onnx.load(out);
  const got = (await loaded.run({ input: x })).output as typeof eager;
  const a = got.dataSync() as Float32Array;
  const e = eager.dataSync() as Float32Array;
  a.forEach((v, i) => assert.ok(Math.abs(v - e[i]!) <= 1e-4 * Math.max(1, Math.abs(e[i]!)), `${i}: ${v} vs ${e[i]}`));
  const bad = await cli("convert", ckpt, join(dir, "x.onnx"), "--model", "resnet9000");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /unknown model 'resnet9000'; known models: mnist_cnn, resnet18/);
  const noModel = await cli("convert", ckpt, join(dir, "x.onnx"));
  assert.match(noModel.err, /writing \.onnx needs --model NAME/);
  const wrongArch = await cli("convert", ckpt, join(dir, "x.onnx"), "--model", "resnet18");
  assert.equal(wrongArch.code, 1);
  assert.match(wrongArch.err, /Missing key\(s\) in state_dict/);
});
