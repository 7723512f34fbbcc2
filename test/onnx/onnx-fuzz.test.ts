/**
 * Fuzzing the ONNX reader. Two kinds of mutants of small suite models: their bytes mutated
 * (mostly stopped by the protobuf decoder), and their fields mutated (names swapped, so
 * values go undefined or cycle; numbers, dims, types, attributes and opsets set to hostile
 * values; repeated fields shortened or lengthened; bytes cut), which reach the IR builder
 * and the interpreter. Each mutant is decoded into an OnnxModel and, when that works, run
 * once with the case's own inputs (fed by position, so a renamed input still gets its
 * value) under a small subgraph-run limit. Mutated TensorProto files are decoded into
 * values. Each must succeed or throw a ConcordError, within the harness's time and memory
 * budgets. `node scripts/fuzz.mjs 5000 onnx-fuzz` runs more; FUZZ_STATS=1 prints what each target
 * accepted and refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeModel, decodeTensor } from "../../src/formats/onnx/codec.ts";
import { ModelProto, type Msg } from "../../src/formats/onnx/proto.ts";
import { OnnxModel } from "../../src/formats/onnx/model.ts";
import { valueFromTensorData } from "../../src/graph/tensor-data.ts";
import type { GraphValue } from "../../src/graph/value.ts";
import { toGraphValue } from "./conformance-lib.ts";
import { fuzz } from "../helpers/fuzz.ts";
import { suiteRoot, testSets } from "./suite.ts";

const MODELS = [
  "node/test_add",
  "node/test_conv_with_strides_padding",
  "node/test_loop11",
  "simple/test_sequence_model1",
  "simple/test_expand_shape_model1",
  "simple/test_strnorm_model_monday_casesensintive_lower",
];

/** A parse function for mutants of the model `id`: decode, build, run with the case's inputs. */
function loadAndRun(id: string): { valid: Uint8Array; parse: (bytes: Uint8Array) => unknown } {
  const dir = join(suiteRoot(), id);
  const valid = new Uint8Array(readFileSync(join(dir, "model.onnx")));
  const original = new OnnxModel(decodeModel(valid));
  const first = testSets({ id, dir }, original.inputs.map((v) => v.type), original.outputs.map((v) => v.type)).next();
  if (first.done) throw new Error(`${id} has no test data`);
  const set = first.value;
  const feeds = set.inputs.map((v) => (v === undefined ? undefined : toGraphValue(v)));
  const parse = (bytes: Uint8Array) => {
    const model = new OnnxModel(decodeModel(bytes, { source: "fuzz.onnx" }));
    const given: Record<string, GraphValue> = {};
    model.inputs.forEach((input, k) => {
      if (feeds[k] !== undefined) given[input.name] = feeds[k]!;
    });
    return model.runSync(given, { maxSubgraphRuns: 1000 });
  };
  return { valid, parse };
}

/** Where a mutation can land: a scalar, a byte string, or a repeated field. */
interface Leaf {
  parent: Record<string | number, unknown>;
  key: string | number;
}

function leavesOf(o: Record<string | number, unknown>, out: Leaf[] = []): Leaf[] {
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (v instanceof Uint8Array || typeof v !== "object" || v === null) out.push({ parent: o, key });
    else {
      if (Array.isArray(v)) out.push({ parent: o, key });
      leavesOf(v as Record<string, unknown>, out);
    }
  }
  return out;
}

const NUMBERS = [0, 1, -1, 2, 3, 7, 13, 255, 1000, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, 2 ** 53, -(2 ** 53), 0.5, 1e30];

/**
 * Applies the mutations a program describes (three bytes each: which leaf, high and low
 * byte; what to do) to a decoded model, re-encoded. Strings become other strings of the
 * model, so names collide, go undefined or form cycles.
 */
function mutateFields(model: Msg, program: Uint8Array): Uint8Array | undefined {
  const m = structuredClone(model) as Record<string, unknown>;
  const strings = [...new Set(JSON.stringify(model).match(/"[^"\\]*"/g) ?? [])].map((q) => q.slice(1, -1));
  for (let at = 0; at + 3 <= program.length && at < 24; at += 3) {
    const leaves = leavesOf(m);
    const { parent, key } = leaves[((program[at]! << 8) | program[at + 1]!) % leaves.length]!;
    const op = program[at + 2]!;
    const v = parent[key];
    if (Array.isArray(v)) {
      if (op % 3 === 0) v.splice(op % Math.max(v.length, 1), 1);
      else if (op % 3 === 1 && v.length) v.push(structuredClone(v[op % v.length]));
      else v.length = 0;
    } else if (v instanceof Uint8Array) parent[key] = op % 2 ? v.subarray(0, v.length >> 1) : Uint8Array.from([...v, ...v]);
    else if (typeof v === "number") parent[key] = NUMBERS[op % NUMBERS.length];
    else if (typeof v === "string") parent[key] = op % 8 === 0 ? "" : op % 8 === 1 ? "com.microsoft" : strings[op % strings.length];
    else if (typeof v === "boolean") parent[key] = !v;
  }
  try {
    return ModelProto.encode(ModelProto.fromObject(m)).finish();
  } catch {
    return undefined; // a mutant protobufjs itself cannot write: not the reader's business
  }
}

for (const id of MODELS) {
  test(`fuzz: ${id} with mutated bytes loads and runs, or fails with a ConcordError`, { timeout: 600_000 }, () => {
    const { valid, parse } = loadAndRun(id);
    const stats = fuzz(id, valid, parse);
    if (process.env.FUZZ_STATS) console.log(id, "bytes", JSON.stringify(stats));
    assert.ok(stats.rejected > 0 && stats.accepted > 0, JSON.stringify(stats));
  });

  test(`fuzz: ${id} with mutated fields loads and runs, or fails with a ConcordError`, { timeout: 600_000 }, () => {
    const { valid, parse } = loadAndRun(id);
    const decoded = ModelProto.toObject(ModelProto.decode(valid), { longs: Number }) as Msg;
    // The harness mutates this program; each program says which fields to change and how.
    const program = Uint8Array.from({ length: 12 }, (_, i) => (i * 97 + 31) & 0xff);
    const stats = fuzz(`${id} fields`, program, (p) => {
      const bytes = mutateFields(decoded, p);
      return bytes && parse(bytes);
    });
    if (process.env.FUZZ_STATS) console.log(id, "fields", JSON.stringify(stats));
    assert.ok(stats.rejected > 0 && stats.accepted > 0, JSON.stringify(stats));
  });
}

test("fuzz: mutated TensorProto files decode or fail with a ConcordError", { timeout: 600_000 }, () => {
  const valid = new Uint8Array(readFileSync(join(suiteRoot(), "node/test_conv_with_strides_padding/test_data_set_0/input_0.pb")));
  const stats = fuzz("TensorProto", valid, (bytes) => valueFromTensorData(decodeTensor(bytes, { source: "input_0.pb" })));
  assert.ok(stats.rejected > 0 && stats.accepted > 0, JSON.stringify(stats));
});
