/**
 * asModule: ONNX models exported by PyTorch 1.13 (test/fixtures/onnx-export, made by
 * scripts/onnx/gen_export_fixtures.py) as trainable modules — their outputs are PyTorch's,
 * their state-dict keys are the initializer names, a few SGD steps lower the loss, and the
 * fine-tuned module exports again to a file onnxruntime-node runs with the same outputs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { manualSeed, randn, tensor, type Tensor } from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import * as optim from "../../src/optim/index.ts";
import { asModule, OnnxModule } from "../../src/formats/onnx/as-module.ts";
import { loadSync } from "../../src/formats/onnx/load.ts";
import { exportOnnx } from "../../src/formats/onnx/export/index.ts";
import type { Model } from "../../src/graph/ir.ts";
import { assertClose } from "../helpers/assert.ts";
import { runOrt } from "./ort-helpers.ts";

const DIR = new URL("../fixtures/onnx-export/", import.meta.url);
interface Spec {
  shape: number[];
  data: number[];
}
const fixture = JSON.parse(readFileSync(new URL("models.json", DIR), "utf8")) as { cases: Record<string, { file: string; input: Spec; output: Spec }> };
const spec = (s: Spec) => tensor(s.data, { dtype: "float32" }).reshape(s.shape);
const load = (name: string) => loadSync(new Uint8Array(readFileSync(new URL(fixture.cases[name]!.file, DIR))));

for (const name of ["mlp", "cnn"]) {
  test(`asModule(${name}): PyTorch's outputs, then fine-tuned and exported again`, async () => {
    const c = fixture.cases[name]!;
    const net = load(name).asModule();
    const x = spec(c.input);
    assertClose(net.forward(x) as Tensor, spec(c.output), { rtol: 1e-5, atol: 1e-5 }, "forward");

    manualSeed(1);
    const target = randn([...(net.forward(x) as Tensor).shape]);
    const opt = new optim.SGD(net.parameters(), { lr: 0.05 });
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      opt.zeroGrad();
      const loss = nn.functional.mseLoss(net.forward(x) as Tensor, target);
      loss.backward();
      opt.step();
      losses.push(loss.item() as number);
    }
    assert.ok(losses[7]! < losses[0]! * 0.9, `loss falls: ${losses.map((l) => l.toFixed(4)).join(" ")}`);
    assert.ok(net.parameters().next().value!.grad !== null);

    const bytes = exportOnnx(net, [x], { inputNames: ["x"], outputNames: ["y"], dynamicAxes: { x: [0], y: [0] } });
    const expected = net.forward(x) as Tensor;
    const [fromOrt] = await runOrt(bytes, { x });
    assertClose(fromOrt!, expected, { rtol: 1e-5, atol: 1e-5 }, "onnxruntime after fine-tuning");
    const x3 = x.slice(0, 0, 3);
    const [small] = await runOrt(bytes, { x: x3 });
    assertClose(small!, net.forward(x3) as Tensor, { rtol: 1e-5, atol: 1e-5 }, "onnxruntime at batch 3");
    // The fine-tuned weights are the re-exported initializers, under the same names.
    const again = loadSync(bytes);
    const keys = Object.keys(net.stateDict()).sort();
    assert.deepEqual(again.model.graph.initializers.map((t) => t.name).filter((n) => keys.includes(n!)).sort(), keys);
  });
}

test("asModule keys: initializer names as dotted paths, flattened where they cannot be", () => {
  const net = load("mlp").asModule();
  assert.deepEqual(Object.keys(net.stateDict()), ["0.weight", "0.bias", "2.weight", "2.bias"]);
  assert.deepEqual(net.inputNames, ["x"]);
  const cnn = load("cnn").asModule();
  assert.deepEqual(Object.keys(cnn.stateDict()).sort(), ["5.bias", "5.weight", "onnx::Conv_17", "onnx::Conv_18"]);

  const float = (name: string) => ({ name, elemType: "float32" as const, dims: [1], data: new Float32Array([1]) });
  const model: Model = {
    irVersion: 8,
    opsetImports: [{ domain: "", version: 17 }],
    functions: [],
    graph: {
      name: "g",
      nodes: [{ opType: "Add", domain: "", inputs: ["x", "a"], outputs: ["y"], attributes: [] }],
      inputs: [{ name: "x", type: { kind: "tensor", elemType: "float32", shape: [1] } }],
      outputs: [{ name: "y", type: { kind: "tensor", elemType: "float32", shape: [1] } }],
      valueInfo: [],
      initializers: [float("a"), float("a.b"), float("c..d"), float(".e"), { name: "shape", elemType: "int64", dims: [1], data: new BigInt64Array([1n]) }],
      sparseInitializers: [],
    },
  };
  const m = asModule(model);
  assert.ok(m instanceof OnnxModule);
  assert.deepEqual(Object.keys(m.stateDict()).sort(), ["_e", "a", "a_b", "c__d"]);
  assert.equal(m.parameterNames.get("c__d"), "c..d");
  assert.deepEqual((m.forward(tensor([2])) as Tensor).toArray(), [3]);
  assert.throws(() => m.forward(), /takes 1 inputs \(x\), got 0/);
});
