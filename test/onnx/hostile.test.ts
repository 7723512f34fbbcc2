/**
 * Hostile ONNX files: every way a model or tensor file can lie (truncation, garbage,
 * sizes that disagree, absurd dims, external data that points elsewhere, graphs that do
 * not compute, loops that never end, nesting without end, wrong attributes, unknown ops)
 * ends in a typed ConcordError that names the source and the problem: never a crash, a
 * hang or an allocation the file's size does not justify.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConcordError, FormatError, ShapeError, UnsupportedError, ValueError } from "../../src/core/errors.ts";
import { Tensor, tensor } from "../../src/index.ts";
import * as onnx from "../../src/formats/onnx/index.ts";
import { ModelProto, TensorProto, type Msg } from "../../src/formats/onnx/proto.ts";
import { modelToProto } from "../../src/formats/onnx/to-proto.ts";
import type { Attribute, Graph, Model } from "../../src/graph/ir.ts";
import { tensorDataFromValue } from "../../src/graph/tensor-data.ts";
import { graph, info, model, node } from "./build.ts";
import { suiteRoot } from "./suite.ts";

/** `fn` throws a ConcordError of class `kind` whose message matches every pattern. */
function refuses(fn: () => unknown, kind: new (...a: never[]) => ConcordError, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof kind, `expected a ${kind.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    return true;
  });
}

const x2 = (): Tensor => tensor([1, 2], { dtype: "float32" });

/** y = x + w with w's TensorProto given as raw protobuf fields. */
function addModelBytes(w: Msg): Uint8Array {
  const w0 = tensorDataFromValue(x2(), "w");
  const msg = modelToProto(model(graph([node("Add", ["x", "w"], ["y"])], [info("x", [2])], [info("y", [2])], [w0])));
  ((msg.graph as Msg).initializer as Msg[])[0] = { name: "w", data_type: 1, ...w };
  return ModelProto.encode(ModelProto.fromObject(msg)).finish();
}

const bytesOf = (m: Model): Uint8Array => onnx.encodeModel(m);

test("every truncation of a small model is refused or loads; none crashes", () => {
  const dir = mkdtempSync(join(tmpdir(), "concord-hostile-"));
  for (const name of ["node/test_conv_with_strides_padding", "node/test_loop11", "simple/test_sequence_model1"]) {
    const valid = new Uint8Array(readFileSync(join(suiteRoot(), name, "model.onnx")));
    let refused = 0;
    for (let n = 0; n < valid.length; n++) {
      try {
        onnx.loadSync(valid.subarray(0, n));
      } catch (e) {
        assert.ok(e instanceof ConcordError, `${name} truncated to ${n} bytes: ${String(e)}`);
        refused++;
      }
    }
    assert.ok(refused > valid.length / 2, `${name}: ${refused} of ${valid.length} truncations refused`);
  }
  const valid = new Uint8Array(readFileSync(join(suiteRoot(), "node/test_conv_with_strides_padding/model.onnx")));
  // From a path, the error names the file.
  const file = join(dir, "cut.onnx");
  writeFileSync(file, valid.subarray(0, valid.length - 7));
  refuses(() => onnx.loadSync(file), FormatError, /cut\.onnx: not a valid ModelProto/);
  writeFileSync(file, new Uint8Array(0));
  refuses(() => onnx.loadSync(file), FormatError, /cut\.onnx: the model has no graph/);
  refuses(() => onnx.loadSync(join(dir, "absent.onnx")), FormatError, /absent\.onnx: cannot read/);
});

test("garbage bytes are FormatErrors", () => {
  let seed = 7;
  const random = Uint8Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16) & 0xff);
  const garbage = [
    random,
    new Uint8Array(1000).fill(0xff),
    new TextEncoder().encode("<html><body>404 Not Found</body></html>"),
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13),
    Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0),
    new Uint8Array(0),
  ];
  for (const bytes of garbage) {
    refuses(() => onnx.loadSync(bytes), FormatError, /^model: /);
    // A tensor file of garbage either fails or (a valid empty message) lacks nothing it needs.
    try {
      onnx.decodeTensor(bytes, { source: "input_0.pb" });
    } catch (e) {
      assert.ok(e instanceof FormatError && /input_0\.pb|tensor/.test(e.message), String(e));
    }
  }
});

test("a TensorProto whose data disagrees with its dims and type is refused, naming the tensor", () => {
  refuses(() => onnx.loadSync(addModelBytes({ dims: [2], raw_data: new Uint8Array(7) })), FormatError, /tensor w: raw_data holds 7 bytes, 2 float32 values need 8/);
  refuses(() => onnx.loadSync(addModelBytes({ dims: [2], float_data: [1, 2, 3] })), FormatError, /tensor w: float_data holds 3 values/);
  refuses(() => onnx.loadSync(addModelBytes({ dims: [2], data_type: 7, raw_data: new Uint8Array(8) })), FormatError, /tensor w: raw_data holds 8 bytes, 2 int64 values need 16/);
  refuses(() => onnx.loadSync(addModelBytes({ dims: [2], data_type: 8, raw_data: new Uint8Array(2) })), FormatError, /string tensors cannot use raw_data/);
  refuses(() => onnx.loadSync(addModelBytes({ dims: [2], data_type: 77, raw_data: new Uint8Array(8) })), FormatError, /tensor w: unknown data_type 77/);
  const pb = TensorProto.encode(TensorProto.fromObject({ name: "t", data_type: 1, dims: [3], raw_data: new Uint8Array(4) })).finish();
  refuses(() => onnx.decodeTensor(pb, { source: "input_0.pb" }), FormatError, /tensor t: raw_data holds 4 bytes/);
});

test("negative or absurd dims are refused before anything is allocated", () => {
  const before = process.memoryUsage().arrayBuffers;
  refuses(() => onnx.loadSync(addModelBytes({ dims: [-2], raw_data: new Uint8Array(8) })), FormatError, /tensor w: invalid dimension -2/);
  refuses(() => onnx.loadSync(addModelBytes({ dims: [2 ** 62] })), FormatError, /invalid dimension/);
  refuses(() => onnx.loadSync(addModelBytes({ dims: [2 ** 20, 2 ** 20, 2 ** 20] })), FormatError, /more than 2147483647 elements/);
  refuses(() => onnx.loadSync(addModelBytes({ dims: [2 ** 30] })), FormatError, /float_data holds 0 values, 1073741824 float32 values need 1073741824/);
  // A Constant's tensor attribute, a sparse initializer's dense shape.
  const constant = (t: Msg) => {
    const msg = modelToProto(model(graph([node("Constant", [], ["y"], [{ name: "value", type: "tensor", value: tensorDataFromValue(x2()) }])], [], [info("y")])));
    ((((msg.graph as Msg).node as Msg[])[0]!.attribute as Msg[])[0]!).t = { data_type: 1, ...t };
    return ModelProto.encode(ModelProto.fromObject(msg)).finish();
  };
  refuses(() => onnx.loadSync(constant({ dims: [-1, -1], raw_data: new Uint8Array(4) })), FormatError, /invalid dimension -1/);
  const sparse = (dims: number[]) => {
    const msg = modelToProto(model(graph([node("Identity", ["s"], ["y"])], [], [info("y")])));
    (msg.graph as Msg).sparse_initializer = [{ values: { name: "s", data_type: 1, dims: [1], float_data: [5] }, indices: { data_type: 7, dims: [1], int64_data: [0] }, dims }];
    return ModelProto.encode(ModelProto.fromObject(msg)).finish();
  };
  refuses(() => onnx.loadSync(sparse([2 ** 40, 2 ** 20])), FormatError, /sparse tensor s: .*more than 2147483647 elements/);
  refuses(() => onnx.loadSync(sparse([-3])), FormatError, /sparse tensor s: invalid dimension -3/);
  assert.deepEqual((onnx.loadSync(sparse([3])).runSync({}).y as Tensor).toArray(), [5, 0, 0]);
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20, "no large buffer was allocated");
});

test("external data: hostile locations, ranges outside the side file, missing files", () => {
  const dir = mkdtempSync(join(tmpdir(), "concord-hostile-"));
  writeFileSync(join(dir, "w.bin"), new Uint8Array(new Float32Array([3, 4, 5]).buffer));
  const write = (name: string, entries: Record<string, string>) => {
    const file = join(dir, name);
    writeFileSync(file, addModelBytes({ dims: [2], data_location: 1, external_data: Object.entries(entries).map(([key, value]) => ({ key, value })) }));
    return file;
  };
  const ok = onnx.loadSync(write("ok.onnx", { location: "w.bin", offset: "4", length: "8" }));
  assert.deepEqual((ok.runSync({ x: x2() }).y as Tensor).toArray(), [5, 7]);

  for (const location of ["../w.bin", "/etc/passwd", "sub/../../w.bin", "C:\\w.bin", "\\\\server\\share\\w.bin", "w.bin\0.txt", ""])
    refuses(() => onnx.loadSync(write("loc.onnx", { location, length: "8" })), FormatError, location ? /must be a relative path inside the model's folder/ : /without a location/);
  refuses(() => onnx.loadSync(write("far.onnx", { location: "w.bin", offset: "100", length: "8" })), FormatError, /bytes \[100, 108\) lie outside the file of 12 bytes/);
  refuses(() => onnx.loadSync(write("long.onnx", { location: "w.bin", offset: "8", length: "8" })), FormatError, /lie outside the file of 12 bytes/);
  refuses(() => onnx.loadSync(write("huge.onnx", { location: "w.bin", length: String(2 ** 52) })), FormatError, /tensor w: external data holds 4503599627370496 bytes, 2 float32 values need 8/);
  refuses(() => onnx.loadSync(write("neg.onnx", { location: "w.bin", offset: "-4" })), FormatError, /offset "-4" is not a byte count/);
  refuses(() => onnx.loadSync(write("rest.onnx", { location: "w.bin" })), FormatError, /rest\.onnx: tensor w: external data holds 12 bytes, 2 float32 values need 8/);
  refuses(() => onnx.loadSync(write("gone.onnx", { location: "missing.bin" })), FormatError, /missing\.bin: cannot open external data file/);
  mkdirSync(join(dir, "folder.bin"));
  refuses(() => onnx.loadSync(write("dir.onnx", { location: "folder.bin" })), FormatError, /folder\.bin: external data location is not a file/);
  // A link inside the folder that leads out of it.
  const outside = mkdtempSync(join(tmpdir(), "concord-outside-"));
  writeFileSync(join(outside, "secret.bin"), new Uint8Array(8));
  symlinkSync(join(outside, "secret.bin"), join(dir, "link.bin"));
  refuses(() => onnx.loadSync(write("link.onnx", { location: "link.bin" })), FormatError, /link\.bin: external data leads outside the model's folder/);
  // Bytes in memory: a file that was not given, a range outside the one that was.
  const bytes = addModelBytes({ dims: [2], data_location: 1, external_data: [{ key: "location", value: "w.bin" }, { key: "offset", value: "8" }, { key: "length", value: "8" }] });
  refuses(() => onnx.loadSync(bytes), FormatError, /^model: tensor w: stored in the external data file w\.bin, which was not given/);
  refuses(() => onnx.loadSync(bytes, { externalData: { "w.bin": new Uint8Array(12) } }), FormatError, /lie outside the file of 12 bytes/);
  refuses(() => onnx.loadSync(bytes, { externalData: { "__proto__": new Uint8Array(12) } }), FormatError, /w\.bin was not given/);
});

test("graphs that cannot compute: undefined values, cycles, outputs never made", () => {
  const run = (g: Graph) => onnx.loadSync(bytesOf(model(g))).runSync({ x: x2() });
  refuses(() => run(graph([node("Relu", ["nowhere"], ["y"])], [info("x", [2])], [info("y", [2])])), ValueError, /Relu : input nowhere is neither a graph input, an initializer nor an output of another node/);
  refuses(() => run(graph([node("Relu", ["x"], ["y"])], [info("x", [2])], [info("z", [2])])), ValueError, /output z is never computed/);
  refuses(() => run(graph([node("Relu", ["b"], ["a"]), node("Neg", ["a"], ["b"]), node("Relu", ["x"], ["y"])], [info("x", [2])], [info("y", [2])])), ValueError, /has a cycle/);
  refuses(() => run(graph([node("Add", ["x", "y"], ["y"])], [info("x", [2])], [info("y", [2])])), ValueError, /input y is neither/);
  // A loop body reading a value nothing defines.
  const body = graph([node("Identity", ["ghost"], ["c_out"]), node("Identity", ["c_out"], ["v_out"])], [info("i", []), info("c", []), info("v", [2])], [info("c_out", []), info("v_out", [2])]);
  const loop = graph([node("Loop", ["", "", "x"], ["y"], [{ name: "body", type: "graph", value: body }])], [info("x", [2])], [info("y", [2])]);
  refuses(() => run(loop), ValueError, /input ghost is neither/);
});

/** A Loop running `body` (i, cond, v -> cond, v + 1) up to `trips` times. */
function countingLoop(trips: bigint | undefined): Model {
  const one = tensorDataFromValue(tensor([1], { dtype: "float32" }), "one");
  const body = graph(
    [node("Identity", ["c"], ["c_out"]), node("Add", ["v", "one"], ["v_out"])],
    [{ name: "i", type: { kind: "tensor", elemType: "int64", shape: [] } }, { name: "c", type: { kind: "tensor", elemType: "bool", shape: [] } }, info("v", [1])],
    [{ name: "c_out" }, info("v_out", [1])],
  );
  const trip = trips === undefined ? [] : [tensorDataFromValue(tensor(BigInt64Array.of(trips)).reshape([]), "trips")];
  const cond = tensorDataFromValue(tensor([true]).reshape([]), "cond");
  return model(graph([node("Loop", [trips === undefined ? "" : "trips", "cond", "v0"], ["v"], [{ name: "body", type: "graph", value: body }])], [info("v0", [1])], [info("v", [1])], [...trip, cond, one]));
}

test("a Loop with an absurd trip count stops at maxSubgraphRuns with a ValueError", () => {
  const v0 = { v0: tensor([0], { dtype: "float32" }) };
  assert.deepEqual((onnx.loadSync(bytesOf(countingLoop(5n))).runSync(v0).v as Tensor).toArray(), [5]);
  for (const trips of [2n ** 62n, undefined]) {
    const m = onnx.loadSync(bytesOf(countingLoop(trips)));
    const start = performance.now();
    refuses(() => m.runSync(v0, { maxSubgraphRuns: 1000 }), ValueError, /Loop : more than 1000 subgraph runs/);
    assert.ok(performance.now() - start < 2000);
  }
  assert.deepEqual((onnx.loadSync(bytesOf(countingLoop(3000n))).runSync(v0, { maxSubgraphRuns: 3000 }).v as Tensor).toArray(), [3000]);
});

/** A graph of `depth` Ifs nested in then-branches, the innermost returning x. */
function nestedIfs(depth: number): Graph {
  const leaf = (d: number) => graph([node("Identity", ["x"], [`out${d}`])], [], [info(`out${d}`, [2])]);
  let inner = leaf(0);
  for (let d = 1; d <= depth; d++) {
    const attrs: Attribute[] = [{ name: "then_branch", type: "graph", value: inner }, { name: "else_branch", type: "graph", value: leaf(d) }];
    inner = graph([node("If", ["cond"], [`out${d}`], attrs)], [], [info(`out${d}`, [2])]);
  }
  return inner;
}

test("deeply nested subgraphs are refused at load (and at encoding), however deep", () => {
  const cond = tensorDataFromValue(tensor([true]).reshape([]), "cond");
  const withCond = (g: Graph) => model({ ...g, inputs: [info("x", [2])], initializers: [cond] });
  assert.deepEqual((onnx.loadSync(bytesOf(withCond(nestedIfs(20)))).runSync({ x: x2() }).out20 as Tensor).toArray(), [1, 2]);
  // protobufjs, like protoc, reads messages nested at most 100 deep (about 30 levels of subgraphs).
  refuses(() => bytesOf(withCond(nestedIfs(40))), ValueError, /the model cannot be encoded: max depth exceeded/);
  // Far deeper than any stack, written by hand: ModelProto.graph (field 7) holding GraphProto.node (1)
  // -> NodeProto.attribute (5) -> AttributeProto.g (6) -> GraphProto.node ... 30000 levels.
  const levels = 30000;
  const tags = [1, 5, 6];
  const varint = (n: number): number[] => (n < 128 ? [n] : [(n & 0x7f) | 0x80, ...varint(Math.floor(n / 128))]);
  // Sizes from the inside out, then the bytes from the outside in.
  const sizes: number[] = [0];
  for (let k = 0; k < levels * 3; k++) sizes.push(1 + varint(sizes[k]!).length + sizes[k]!);
  const deep = new Uint8Array(1 + varint(sizes.at(-1)!).length + sizes.at(-1)!);
  let at = 0;
  for (const b of [(7 << 3) | 2, ...varint(sizes.at(-1)!)]) deep[at++] = b;
  for (let k = levels * 3 - 1; k >= 0; k--) for (const b of [(tags[(levels * 3 - 1 - k) % 3]! << 3) | 2, ...varint(sizes[k]!)]) deep[at++] = b;
  refuses(() => onnx.loadSync(deep), FormatError, /^model: not a valid ModelProto: max depth exceeded/);
});

test("attributes of the wrong type, unknown ops and domains, missing opset imports", () => {
  const run = (m: Model) => onnx.loadSync(bytesOf(m)).runSync({ x: tensor([[[[1, 2], [3, 4]]]], { dtype: "float32" }) });
  const x = info("x", [1, 1, 2, 2]);
  const pool = (a: Attribute) => model(graph([node("MaxPool", ["x"], ["y"], [a])], [x], [info("y")]));
  refuses(() => run(pool({ name: "kernel_shape", type: "string", value: "2x2" })), ValueError, /MaxPool : attribute kernel_shape should be ints, found string/);
  refuses(() => run(pool({ name: "kernel_shape", type: "float", value: 2 })), ValueError, /should be ints, found float/);
  const softmax = (a: Attribute) => model(graph([node("Softmax", ["x"], ["y"], [a])], [x], [info("y")]));
  refuses(() => run(softmax({ name: "axis", type: "graph", value: graph([], [], []) })), ValueError, /Softmax : attribute axis should be int, found graph/);
  refuses(() => run(softmax({ name: "axis", type: "int", value: 2n ** 62n })), ValueError, /axis .* is out of range/);

  refuses(() => run(model(graph([node("Frobnicate", ["x"], ["y"])], [x], [info("y")]))), UnsupportedError, /ONNX operator Frobnicate \(opset 21\) is not implemented/);
  refuses(() => run(model(graph([node("Relu", ["x"], ["y"], [], "com.example.evil")], [x], [info("y")]))), UnsupportedError, /ONNX operator com\.example\.evil\.Relu \(opset 1\) is not implemented/);
  refuses(() => run(model(graph([node("Relu", ["x"], ["y"])], [x], [info("y")]), { opsetImports: [] })), ValueError, /Relu: the model imports no version of the default domain/);
  // An attribute type code ONNX does not define is dropped by the decoder (a closed proto2 enum):
  // the type is then read from the value field that is set, and with none, the op refuses it.
  const msg = ModelProto.fromObject(modelToProto(softmax({ name: "axis", type: "int", value: 1n }))) as unknown as Msg;
  const axis = (((msg.graph as Msg).node as Msg[])[0]!.attribute as Msg[])[0]!;
  axis.type = 99;
  assert.equal(onnx.loadSync(ModelProto.encode(msg).finish()).model.graph.nodes[0]!.attributes[0]!.type, "int");
  // A string attribute without its value reads as "" (the decoder's default for it is not bytes).
  const empty = ModelProto.fromObject(modelToProto(softmax({ name: "note", type: "string", value: "x" }))) as unknown as Msg;
  delete (((empty.graph as Msg).node as Msg[])[0]!.attribute as Msg[])[0]!.s;
  assert.deepEqual(onnx.loadSync(ModelProto.encode(empty).finish()).model.graph.nodes[0]!.attributes[0], { name: "note", type: "string", value: "" });
  delete axis.i;
  refuses(() => onnx.loadSync(ModelProto.encode(msg).finish()).runSync({ x: tensor([[[[1, 2], [3, 4]]]], { dtype: "float32" }) }), ValueError, /Softmax : attribute axis should be int, found undefined/);
});

test("attribute sizes no kernel can take are refused quickly: strides past 32 bits, pads, windows, LRN sizes", () => {
  const x = info("x", [1, 1, 7, 5]);
  const ints = (name: string, v: number[]): Attribute => ({ name, type: "ints", value: v.map(BigInt) });
  const run = (op: string, attrs: Attribute[], withW = false) => {
    const m = model(graph([node(op, withW ? ["x", "W"] : ["x"], ["y"], attrs)], withW ? [x, info("W", [1, 1, 3, 3])] : [x], [info("y")]));
    const feeds: Record<string, Tensor> = { x: tensor(Float32Array.from({ length: 35 }, (_, i) => i / 7), { shape: [1, 1, 7, 5] }) };
    if (withW) feeds.W = tensor(new Float32Array(9), { shape: [1, 1, 3, 3] });
    return onnx.loadSync(bytesOf(m)).runSync(feeds);
  };
  const start = performance.now();
  // A stride of 2^53 wrapped to 0 in the 32-bit kernels: a wasm "divide by zero" (found by field fuzzing).
  refuses(() => run("Conv", [ints("strides", [2, 2 ** 53])], true), ValueError, /conv: stride must be 2 32-bit integers/);
  refuses(() => run("MaxPool", [ints("kernel_shape", [3, 3]), ints("strides", [2 ** 40, 1])]), ValueError, /maxPool: stride must be 2 32-bit integers/);
  // Pads past half the window are applied explicitly: the padded tensor is refused before any kernel runs.
  refuses(() => run("MaxPool", [ints("kernel_shape", [3, 3]), ints("pads", [2 ** 31 - 1, 0, 0, 0])]), ValueError, /pad: an output of shape \[1, 1, 2147483654, 5\] has more than 2147483647 elements/);
  refuses(() => run("LpPool", [ints("kernel_shape", [1e9, 1])]), ShapeError, /window of 1000000000 .* larger than the padded input's 7/);
  // LRN over 1 channel: any window sees only the channel itself, x / (1 + 1e-4 / size * x^2)^0.75.
  const size = 2 ** 30;
  const y = (run("LRN", [{ name: "size", type: "int", value: BigInt(size) }]).y as Tensor).dataSync() as Float32Array;
  y.forEach((v, i) => assert.ok(Math.abs(v - (i / 7) / (1 + (1e-4 / size) * (i / 7) ** 2) ** 0.75) < 1e-5));
  assert.ok(performance.now() - start < 3000, `${performance.now() - start} ms`);
});
