/**
 * Graph passes, each on a graph before and after: what the pass changed in the nodes, and
 * that concord's interpreter and onnxruntime-node give the same outputs on both.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { manualSeed, randn, rand, type Tensor } from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { exportModel, optimize, optimizeWithStats, checkModel } from "../../src/formats/onnx/export/index.ts";
import { encodeModel, decodeModel } from "../../src/formats/onnx/codec.ts";
import { OnnxModel } from "../../src/formats/onnx/model.ts";
import { resolveOp } from "../../src/formats/onnx/ops/index.ts";
import type { Model, Node } from "../../src/graph/ir.ts";
import { eliminateDeadCode, foldConstants, fuseConvBatchNorm, fuseMatMulAdd, inferShapes, withInferredShapes } from "../../src/graph/passes/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { runOrt } from "./ort-helpers.ts";

const TOL = { rtol: 1e-5, atol: 1e-5 };
const opTypes = (m: Model) => m.graph.nodes.map((n) => n.opType);

/** Both models, run by concord and by onnxruntime-node, agree on `feeds`. */
async function assertSameOutputs(before: Model, after: Model, feeds: Record<string, Tensor>): Promise<void> {
  assert.deepEqual(checkModel(withInferredShapes(after)), []);
  const expected = Object.values(new OnnxModel(before).runSync(feeds)) as Tensor[];
  const got = Object.values(new OnnxModel(after).runSync(feeds)) as Tensor[];
  got.forEach((t, i) => assertClose(t, expected[i]!, TOL, `concord output ${i}`));
  const ort = await runOrt(encodeModel(after), feeds);
  ort.forEach((t, i) => assertClose(t, expected[i]!, TOL, `onnxruntime output ${i}`));
}

function withStats(m: nn.Module): nn.Module {
  const sd = m.stateDict();
  for (const key of Object.keys(sd)) {
    if (key.endsWith("running_mean")) sd[key] = randn([...sd[key]!.shape]);
    if (key.endsWith("running_var")) sd[key] = rand([...sd[key]!.shape]).add(0.5);
    if (key.endsWith("bn.weight")) sd[key] = rand([...sd[key]!.shape]).add(0.5);
  }
  m.loadStateDict(sd);
  return m;
}

test("Conv + BatchNormalization folding", async () => {
  manualSeed(3);
  const net = withStats(new nn.Sequential({ conv: new nn.Conv2d(3, 6, 3, { padding: 1 }), bn: new nn.BatchNorm2d(6), act: new nn.ReLU(), conv2: new nn.Conv2d(6, 4, 1, { bias: false }), bn2: new nn.BatchNorm2d(4) }));
  const before = exportModel(net, [randn([2, 3, 5, 5])], { dynamicAxes: { input: [0] } });
  assert.deepEqual(opTypes(before), ["Conv", "BatchNormalization", "Relu", "Conv", "BatchNormalization"]);
  const { model: after, fused } = fuseConvBatchNorm(before);
  assert.equal(fused, 2);
  assert.deepEqual(opTypes(after), ["Conv", "Relu", "Conv"]);
  assert.ok(!after.graph.initializers.some((t) => t.name === "bn.running_mean"), "the BN initializers are gone");
  await assertSameOutputs(before, after, { input: randn([3, 3, 5, 5]) });
});

test("MatMul + Add -> Gemm", async () => {
  manualSeed(4);
  const net = new nn.Sequential(new nn.Linear(5, 7), new nn.Tanh(), new nn.Linear(7, 2));
  const before = exportModel(net, [randn([4, 5])]);
  // Linear is x·Wᵀ + b: the weight keeps its state-dict name, transposed in the graph.
  assert.deepEqual(opTypes(before), ["Transpose", "MatMul", "Add", "Tanh", "Transpose", "MatMul", "Add"]);
  const { model: after, fused } = fuseMatMulAdd(before);
  assert.equal(fused, 2);
  assert.deepEqual(opTypes(after), ["Gemm", "Tanh", "Gemm"]);
  await assertSameOutputs(before, after, { input: randn([4, 5]) });
  // A 3-D input is not a Gemm.
  const threeD = exportModel(new nn.Linear(5, 2), [randn([2, 4, 5])]);
  assert.equal(fuseMatMulAdd(threeD).fused, 0);
});

test("constant folding: constant subgraphs and static Shape chains become initializers", async () => {
  const shape = (name: string, dims: number[]) => ({ name, type: { kind: "tensor" as const, elemType: "float32" as const, shape: dims } });
  const int64 = (name: string, values: number[]) => ({ name, elemType: "int64" as const, dims: [values.length], data: BigInt64Array.from(values, BigInt) });
  const node = (opType: string, inputs: string[], outputs: string[], attributes: Node["attributes"] = []): Node => ({ opType, domain: "", inputs, outputs, attributes });
  const before: Model = {
    irVersion: 8,
    opsetImports: [{ domain: "", version: 17 }],
    functions: [],
    graph: {
      name: "g",
      nodes: [
        node("Shape", ["x"], ["s"]),
        node("Gather", ["s", "zero"], ["n"], [{ name: "axis", type: "int", value: 0n }]),
        node("Concat", ["n", "minus1"], ["target"], [{ name: "axis", type: "int", value: 0n }]),
        node("Reshape", ["x", "target"], ["flat"]),
        node("Mul", ["w", "two"], ["w2"]),
        node("MatMul", ["flat", "w2"], ["y"]),
        node("Relu", ["w"], ["unused"]),
      ],
      inputs: [shape("x", [2, 3, 4])],
      outputs: [shape("y", [2, 5])],
      valueInfo: [],
      initializers: [
        int64("zero", [0]),
        int64("minus1", [-1]),
        { name: "w", elemType: "float32", dims: [12, 5], data: Float32Array.from({ length: 60 }, (_, i) => Math.sin(i)) },
        { name: "two", elemType: "float32", dims: [], data: new Float32Array([2]) },
      ],
      sparseInitializers: [],
    },
  };
  const { model: after, folded } = foldConstants(before, resolveOp);
  assert.equal(folded, 5); // Shape, Gather, Concat, Mul, and Relu (whose output nothing reads, then dropped)
  assert.deepEqual(opTypes(after), ["Reshape", "MatMul"]);
  assert.deepEqual(Array.from(after.graph.initializers.find((t) => t.name === "target")!.data as BigInt64Array), [2n, -1n]);
  assert.ok(!after.graph.initializers.some((t) => t.name === "two"), "inputs of folded nodes are dropped");
  await assertSameOutputs(before, after, { x: randn([2, 3, 4]) });
  // A Shape of a dynamic dim stays.
  const dynamic = { ...before, graph: { ...before.graph, inputs: [{ name: "x", type: { kind: "tensor" as const, elemType: "float32" as const, shape: ["n", 3, 4] } }] } };
  assert.ok(opTypes(foldConstants(dynamic, resolveOp).model).includes("Shape"));
});

test("dead-code elimination keeps what reaches an output", () => {
  manualSeed(5);
  const model = exportModel(new nn.Linear(3, 2), [randn([1, 3])]);
  const g = model.graph;
  const polluted: Model = {
    ...model,
    graph: {
      ...g,
      nodes: [...g.nodes, { opType: "Relu", domain: "", inputs: ["input"], outputs: ["dead"], attributes: [] }],
      initializers: [...g.initializers, { name: "spare", elemType: "float32", dims: [1], data: new Float32Array(1) }],
      valueInfo: [...g.valueInfo, { name: "dead", type: { kind: "tensor", elemType: "float32", shape: [1, 3] } }],
    },
  };
  const clean = eliminateDeadCode(polluted);
  assert.deepEqual(opTypes(clean), opTypes(model));
  assert.deepEqual(clean.graph.initializers.map((t) => t.name), g.initializers.map((t) => t.name));
  assert.ok(!clean.graph.valueInfo.some((v) => v.name === "dead"));
});

test("shape inference: static and symbolic dims through conv, pool, reshape, gemm", () => {
  manualSeed(6);
  class Net extends nn.Module {
    conv = new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1 });
    pool = new nn.MaxPool2d(2);
    fc = new nn.Linear(16, 3);
    override forward(x: Tensor): Tensor {
      return this.fc.forward((this.pool.forward(this.conv.forward(x)) as Tensor).flatten(1)) as Tensor;
    }
  }
  const exported = exportModel(new Net(), [randn([2, 3, 8, 8])], { dynamicAxes: { input: { 0: "n" } } });
  // Forget the exporter's value infos; inference must find them again.
  const bare: Model = { ...exported, graph: { ...exported.graph, valueInfo: [] } };
  const types = inferShapes(bare).types;
  const conv = bare.graph.nodes.find((n) => n.opType === "Conv")!.outputs[0]!;
  const pool = bare.graph.nodes.find((n) => n.opType === "MaxPool")!.outputs[0]!;
  const reshape = bare.graph.nodes.find((n) => n.opType === "Reshape")!.outputs[0]!;
  assert.deepEqual(types.get(conv), { elemType: "float32", shape: ["n", 4, 4, 4] });
  assert.deepEqual(types.get(pool), { elemType: "float32", shape: ["n", 4, 2, 2] });
  assert.deepEqual(types.get(reshape), { elemType: "float32", shape: ["n", 16] });
  assert.deepEqual(types.get("output"), { elemType: "float32", shape: ["n", 3] });
  const annotated = withInferredShapes(bare);
  assert.equal(annotated.graph.valueInfo.length, bare.graph.nodes.length - 1);
  assert.deepEqual(checkModel(annotated), []);
});

test("optimize: PyTorch's exported CNN and a concord export, same outputs", async () => {
  const fixture = decodeModel(new Uint8Array(readFileSync(new URL("../fixtures/onnx-export/cnn.onnx", import.meta.url))));
  const x = randn([2, 1, 6, 6]);
  const optimized = optimize(new OnnxModel(fixture));
  assert.ok(optimized instanceof OnnxModel);
  await assertSameOutputs(fixture, optimized.model, { x });

  manualSeed(7);
  const net = withStats(new nn.Sequential({ conv: new nn.Conv2d(2, 3, 3), bn: new nn.BatchNorm2d(3), flat: new nn.Flatten(), fc: new nn.Linear(12, 2) }));
  const before = exportModel(net, [randn([1, 2, 4, 4])]);
  const { model: after, stats } = optimizeWithStats(before);
  assert.deepEqual(stats, { folded: 1, convBatchNorm: 1, gemm: 1 }); // folded: the Transpose of fc.weight
  assert.deepEqual(opTypes(after), ["Conv", "Reshape", "Gemm"]);
  await assertSameOutputs(before, after, { input: randn([1, 2, 4, 4]) });
});
