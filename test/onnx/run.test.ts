/**
 * Loading and running ONNX models built here: values, autograd through a run, external
 * data (written, read back, and hostile locations and ranges refused), model-local
 * functions, subgraphs, and the errors for bad feeds and unknown operators.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DTypeError, FormatError, ShapeError, UnsupportedError, ValueError } from "../../src/core/errors.ts";
import { Tensor, tensor, randn, rand, manualSeed } from "../../src/index.ts";
import { gradcheck } from "../../src/autograd/gradcheck.ts";
import * as onnx from "../../src/formats/onnx/index.ts";
import type { Attribute, Graph, Model, Node, TensorData } from "../../src/graph/ir.ts";
import { graph, info, model, node } from "./build.ts";
import { tensorDataFromValue } from "../../src/graph/tensor-data.ts";

/** y = relu(x @ w + b) with w and b as initializers. */
function linearRelu(): Model {
  const w = tensorDataFromValue(tensor([[1, -1], [2, 0.5], [0, 1]], { dtype: "float32" }), "w");
  const b = tensorDataFromValue(tensor([0.5, -3], { dtype: "float32" }), "b");
  return model(
    graph(
      [node("MatMul", ["x", "w"], ["xw"]), node("Add", ["xw", "b"], ["z"]), node("Relu", ["z"], ["y"])],
      [info("x", ["batch", 3])],
      [info("y", ["batch", 2])],
      [w, b],
    ),
  );
}

test("load from bytes and run: MatMul, Add, Relu", async () => {
  const m = await onnx.load(onnx.encodeModel(linearRelu()));
  assert.deepEqual(m.inputNames, ["x"]);
  const { y } = await m.run({ x: tensor([[1, 2, 3], [-1, 0, 1]], { dtype: "float32" }) });
  // [1,2,3]·w = [5, 3]; + b = [5.5, 0]; [-1,0,1]·w = [-1, 2]; + b = [-0.5, -1] -> relu
  assert.deepEqual((y as Tensor).toArray(), [[5.5, 0], [0, 0]]);
});

test("a run records autograd: gradients flow back to the feeds", () => {
  const m = onnx.loadSync(onnx.encodeModel(linearRelu()));
  const x = tensor([[1, 2, 3]], { dtype: "float32", requiresGrad: true });
  const { y } = m.runSync({ x });
  (y as Tensor).sum().backward();
  // Only y[0] = 5.5 is active: d/dx = w[:, 0] = [1, 2, 0].
  assert.deepEqual(x.grad!.toArray(), [[1, 2, 0]]);
});

test("external data: saved to a side file and read back; hostile locations and ranges refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "concord-onnx-"));
  const big = tensorDataFromValue(tensor(Float32Array.from({ length: 600 }, (_, i) => i / 7), { shape: [600] }), "big");
  const m = model(graph([node("Add", ["x", "big"], ["y"])], [info("x", [600])], [info("y", [600])], [big]));
  onnx.save(m, join(dir, "m.onnx"), { externalData: { location: "m.onnx.data", sizeThreshold: 1024 } });
  const loaded = onnx.loadSync(join(dir, "m.onnx"));
  assert.deepEqual(loaded.model.graph.initializers[0]!.external, { location: "m.onnx.data", offset: 0, length: 2400 });
  const { y } = loaded.runSync({ x: tensor(new Float32Array(600)) });
  assert.deepEqual(Array.from((y as Tensor).dataSync() as Float32Array), Array.from(big.data as Float32Array));

  // The same bytes given in memory (a browser has no folder to read from).
  const { model: bytes, external } = onnx.encodeWithExternalData(m, "w.bin", 16);
  assert.equal(onnx.loadSync(bytes, { externalData: { "w.bin": external } }).model.graph.initializers[0]!.dims[0], 600);
  assert.throws(() => onnx.loadSync(bytes, { externalData: { "w.bin": external.subarray(0, 100) } }), FormatError);
  assert.throws(() => onnx.loadSync(bytes), FormatError);
  for (const location of ["../m.onnx.data", "/etc/passwd", "a/../../x", "C:\\x"]) {
    assert.throws(() => onnx.encodeWithExternalData(m, location), FormatError, location);
    const hostile = onnx.encodeWithExternalData(m, "PLACEHOLDER.bin").model;
    const text = Buffer.from(hostile).toString("latin1").replace("PLACEHOLDER.bin", location.padEnd(15, "/").slice(0, 15));
    writeFileSync(join(dir, "hostile.onnx"), Buffer.from(text, "latin1"));
    assert.throws(() => onnx.loadSync(join(dir, "hostile.onnx")), FormatError, location);
  }
});

test("model-local functions run with their attribute references bound", () => {
  // Scaled(x) = x * alpha, with alpha an attribute of the call (Constant value_float = @alpha).
  const body: Node[] = [
    node("Constant", [], ["a"], [{ name: "value_float", type: "float", value: 0, refAttrName: "alpha" }]),
    node("Mul", ["X", "a"], ["Y"]),
  ];
  const m = model(graph([node("Scaled", ["x"], ["y"], [{ name: "alpha", type: "float", value: 2.5 }], "local")], [info("x", [2])], [info("y", [2])]), {
    opsetImports: [{ domain: "", version: 21 }, { domain: "local", version: 1 }],
    functions: [{ name: "Scaled", domain: "local", inputs: ["X"], outputs: ["Y"], attributeNames: ["alpha"], attributeDefaults: [], nodes: body, opsetImports: [{ domain: "", version: 21 }], valueInfo: [] }],
  });
  const loaded = onnx.loadSync(onnx.encodeModel(m));
  assert.deepEqual((loaded.runSync({ x: tensor([1, -2], { dtype: "float32" }) }).y as Tensor).toArray(), [2.5, -5]);
});

test("If picks a branch and its subgraph reads outer values", () => {
  const branch = (op: string): Graph => graph([node(op, ["x"], ["r"])], [], [info("r")]);
  const m = model(graph([node("If", ["c"], ["y"], [{ name: "then_branch", type: "graph", value: branch("Neg") }, { name: "else_branch", type: "graph", value: branch("Abs") }])], [{ name: "c", type: { kind: "tensor", elemType: "bool", shape: [] } }, info("x", [2])], [info("y")]));
  const loaded = onnx.loadSync(onnx.encodeModel(m));
  const x = tensor([-1, 2], { dtype: "float32" });
  assert.deepEqual((loaded.runSync({ c: tensor(true), x }).y as Tensor).toArray(), [1, -2]);
  assert.deepEqual((loaded.runSync({ c: tensor(false), x }).y as Tensor).toArray(), [1, 2]);
});

test("bad feeds and unknown operators are typed errors", () => {
  const m = onnx.loadSync(onnx.encodeModel(linearRelu()));
  assert.throws(() => m.runSync({}), ValueError);
  assert.throws(() => m.runSync({ x: tensor([[1, 2, 3]], { dtype: "float64" }) }), DTypeError);
  assert.throws(() => m.runSync({ x: tensor([1, 2, 3], { dtype: "float32" }) }), ShapeError);
  assert.throws(() => m.runSync({ x: tensor([[1, 2]], { dtype: "float32" }) }), ShapeError);
  assert.throws(() => m.runSync({ x: tensor([[1, 2, 3]], { dtype: "float32" }), nope: tensor(1) }), ValueError);
  const unknown = onnx.loadSync(onnx.encodeModel(model(graph([node("NoSuchOp", ["x"], ["y"])], [info("x")], [info("y")]))));
  assert.throws(() => unknown.runSync({ x: tensor(1, { dtype: "float32" }) }), (e: Error) => e instanceof UnsupportedError && /NoSuchOp \(opset 21\)/.test(e.message));
  assert.ok(onnx.implementedOps().includes("Attention"));
});

/** Runs one node of `opType` at `opset` on tensors, returning its first output. */
function runNode(opType: string, opset: number, inputs: Tensor[], attributes: Attribute[] = []): Tensor {
  const names = inputs.map((_, i) => `in${i}`);
  const g = graph([node(opType, names, ["out"], attributes)], names.map((n, i) => ({ name: n, type: { kind: "tensor", elemType: inputs[i]!.dtype } })), [{ name: "out" }]);
  const m = onnx.loadSync(onnx.encodeModel(model(g, { opsetImports: [{ domain: "", version: opset }] })));
  return m.runSync(Object.fromEntries(names.map((n, i) => [n, inputs[i]!]))).out as Tensor;
}
const ints = (name: string, value: number[]): Attribute => ({ name, type: "ints", value: value.map(BigInt) });

test("operators keep the semantics of the opset the model imports", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float32" });
  // Tile-1 takes `tiles` and `axis` inputs; Tile-6 one repeat count per axis.
  assert.deepEqual(runNode("Tile", 1, [x, tensor([2]), tensor([1])]).toArray(), [[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]);
  assert.deepEqual(runNode("Tile", 13, [x, tensor([2, 1])]).shape, [4, 3]);
  // Reshape-1 reads the shape attribute (0 copies a size), Reshape-5 an input.
  assert.deepEqual(runNode("Reshape", 1, [x], [ints("shape", [0, -1, 1])]).shape, [2, 3, 1]);
  assert.deepEqual(runNode("Reshape", 14, [x, tensor([-1])]).shape, [6]);
  // Slice-1 reads attributes; Slice-10 inputs, with negative steps.
  assert.deepEqual(runNode("Slice", 1, [x], [ints("starts", [1]), ints("ends", [3]), ints("axes", [1])]).toArray(), [[2, 3], [5, 6]]);
  assert.deepEqual(runNode("Slice", 13, [x, tensor([-1]), tensor([-10]), tensor([1]), tensor([-2])]).toArray(), [[3, 1], [6, 4]]);
  // Pad-2 reads pads and value attributes; Pad-11 inputs.
  assert.deepEqual(runNode("Pad", 2, [x], [ints("pads", [0, 1, 0, 0]), { name: "value", type: "float", value: 9 }]).toArray(), [[9, 1, 2, 3], [9, 4, 5, 6]]);
  assert.deepEqual(runNode("Pad", 18, [x, tensor([1, 0, 0, 0])]).toArray(), [[0, 0, 0], [1, 2, 3], [4, 5, 6]]);
  // Softmax before opset 13 normalizes over the flattened trailing dims from `axis` (default 1).
  const s = runNode("Softmax", 11, [tensor([[[0, 0], [0, 0]]], { dtype: "float32" })]);
  assert.deepEqual(s.toArray(), [[[0.25, 0.25], [0.25, 0.25]]]);
  // Add-6 with broadcast=1 aligns B at `axis`.
  const b = runNode("Add", 6, [x, tensor([10, 20], { dtype: "float32" })], [{ name: "broadcast", type: "int", value: 1n }, { name: "axis", type: "int", value: 0n }]);
  assert.deepEqual(b.toArray(), [[11, 12, 13], [24, 25, 26]]);
  // Integer Div truncates toward zero; Mod follows the divisor's sign unless fmod=1.
  assert.deepEqual(runNode("Div", 14, [tensor([-7, 7]), tensor([2, -2])]).toArray(), [-3n, -3n]);
  assert.deepEqual(runNode("Mod", 13, [tensor([-7, 7]), tensor([2, -2])]).toArray(), [1n, -1n]);
});

test("sparse initializers and sparse Constant values are made dense", () => {
  const values = tensorDataFromValue(tensor([5, 7], { dtype: "float32" }), "s");
  const linear: TensorData = { elemType: "int64", dims: [2], data: BigInt64Array.of(1n, 4n) };
  const coords: TensorData = { elemType: "int64", dims: [2, 2], data: BigInt64Array.of(0n, 1n, 1n, 1n) };
  const g = graph([node("Add", ["x", "s"], ["y"]), node("Constant", [], ["c"], [{ name: "sparse_value", type: "sparse_tensor", value: { values, indices: coords, dims: [2, 3] } }])], [info("x", [2, 3])], [info("y"), info("c")]);
  g.sparseInitializers.push({ values, indices: linear, dims: [2, 3] });
  const m = onnx.loadSync(onnx.encodeModel(model(g)));
  const out = m.runSync({ x: tensor([[0, 0, 0], [0, 0, 0]], { dtype: "float32" }) });
  assert.deepEqual((out.y as Tensor).toArray(), [[0, 5, 0], [0, 7, 0]]);
  assert.deepEqual((out.c as Tensor).toArray(), [[0, 5, 0], [0, 7, 0]]);
});

test("nodes run in dependency order even when the file lists them out of order", () => {
  const g = graph([node("Relu", ["z"], ["y"]), node("Neg", ["x"], ["z"])], [info("x", [2])], [info("y", [2])]);
  const m = onnx.loadSync(onnx.encodeModel(model(g)));
  assert.deepEqual((m.runSync({ x: tensor([1, -2], { dtype: "float32" }) }).y as Tensor).toArray(), [0, 2]);
  const cyclic = graph([node("Relu", ["b"], ["a"]), node("Neg", ["a"], ["b"])], [info("x", [2])], [info("a", [2])]);
  assert.throws(() => onnx.loadSync(onnx.encodeModel(model(cyclic))).runSync({ x: tensor([1, 2], { dtype: "float32" }) }), ValueError);
});

test("sizes that come from inputs are bounded before anything is allocated", () => {
  const f = (v: number) => tensor([v], { dtype: "float32" }).reshape([]);
  assert.throws(() => runNode("Range", 21, [f(0), f(1e12), f(1)]), ValueError);
  assert.throws(() => runNode("OneHot", 21, [tensor([1]), f(1e12), tensor([0, 1], { dtype: "float32" })]), ValueError);
  const x = tensor([[[[1, 2], [3, 4]]]], { dtype: "float32" });
  assert.throws(() => runNode("Resize", 19, [x, tensor([], { dtype: "float32" }), tensor([1, 1, 1e5, 1e5], { dtype: "float32" })]), ValueError);
  assert.throws(() => runNode("HannWindow", 17, [tensor(2 ** 40)]), ValueError);
});

test("initializers are made once per model, and an initializer output is a copy", () => {
  const w = tensorDataFromValue(tensor([1, 2], { dtype: "float32" }), "w");
  const m = onnx.loadSync(onnx.encodeModel(model(graph([node("Identity", ["w"], ["y"])], [], [info("y", [2])], [w]))));
  const first = m.runSync({}).y as Tensor;
  first.dispose();
  const second = m.runSync({}).y as Tensor;
  assert.deepEqual(second.toArray(), [1, 2]);
});

test("a run is differentiable: GridSample's gradients reach the input and the grid", () => {
  manualSeed(3);
  const x = randn([1, 2, 4, 5], { dtype: "float64", requiresGrad: true });
  const grid = rand([1, 3, 3, 2], { dtype: "float64" }).mul(2.2).sub(1.1).detach();
  grid.requiresGrad = true;
  for (const padding of ["zeros", "border"])
    for (const align of [0n, 1n]) {
      const attrs: Attribute[] = [{ name: "padding_mode", type: "string", value: padding }, { name: "align_corners", type: "int", value: align }];
      assert.ok(gradcheck((a, g) => runNode("GridSample", 22, [a!, g!], attrs), [x, grid]), `${padding} align=${align}`);
    }
});

test("DeformConv's gradients reach the input, the weights, the offsets and the mask", () => {
  manualSeed(5);
  const x = randn([1, 2, 4, 4], { dtype: "float64", requiresGrad: true });
  const w = randn([2, 2, 2, 2], { dtype: "float64", requiresGrad: true });
  // Offsets keep sampling points off integer positions, where the bilinear weights have kinks.
  const offset = rand([1, 8, 3, 3], { dtype: "float64" }).mul(0.8).add(0.1).detach();
  offset.requiresGrad = true;
  const mask = rand([1, 4, 3, 3], { dtype: "float64", requiresGrad: true });
  assert.ok(gradcheck((a, b, o, m) => runNode("DeformConv", 22, [a!, b!, o!, tensor(new Float64Array(2)), m!]), [x, w, offset, mask]));
});

test("Clip: scalar bounds take the one-pass clamp, bounds that need a gradient stay tensors", () => {
  const m = onnx.loadSync(onnx.encodeModel(model(graph([node("Clip", ["x", "lo", "hi"], ["y"])], [info("x", [4]), info("lo", []), info("hi", [])], [info("y", [4])]))));
  const x = tensor([-2, 0.5, 3, 9], { dtype: "float32" });
  const scalar = (v: number) => tensor([v], { dtype: "float32" }).reshape([]);
  assert.deepEqual((m.runSync({ x, lo: scalar(0), hi: scalar(6) }).y as Tensor).toArray(), [0, 0.5, 3, 6]);
  assert.deepEqual((m.runSync({ x, lo: scalar(4), hi: scalar(1) }).y as Tensor).toArray(), [1, 1, 1, 1]);
  const lo = scalar(1).requiresGrad_();
  (m.runSync({ x, lo, hi: scalar(6) }).y as Tensor).sum().backward();
  assert.deepEqual(lo.grad!.toArray(), 2);
});
