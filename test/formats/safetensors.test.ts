// safetensors reading and writing against reference files from scripts/fixtures/gen_formats.py
// and the byte-exact vectors of the reference implementation's own tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FormatError, UnsupportedError, getBackend, setBackend, tensor, arange } from "../../src/index.ts";
import { load, save, readHeader } from "../../src/formats/safetensors/index.ts";
import { tensorBytes } from "../../src/formats/tensor-bytes.ts";
import type { TensorSpec } from "../helpers/fixtures.ts";

interface Case {
  file: string;
  order: string[];
  metadata: Record<string, string>;
  tensors: Record<string, TensorSpec>;
}
const DIR = new URL("../fixtures/formats/", import.meta.url);
const fixture = JSON.parse(readFileSync(new URL("safetensors.json", DIR), "utf8")) as { cases: Case[] };
const fileBytes = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));

function assertSameTensor(actual: ReturnType<typeof tensor>, spec: TensorSpec, what: string): void {
  assert.equal(actual.dtype, spec.dtype, `${what}: dtype`);
  assert.deepEqual([...actual.shape], spec.shape, `${what}: shape`);
  assert.deepEqual(Buffer.from(tensorBytes(actual)).toString("base64"), spec.data, `${what}: bytes`);
}

/** A safetensors file from a header object and data bytes (header unpadded). */
function build(header: unknown, data: Uint8Array | number = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

for (const c of fixture.cases) {
  test(`safetensors: reads ${c.file} exactly`, () => {
    const { tensors, metadata } = load(fileBytes(c.file), { fileName: c.file });
    assert.deepEqual(Object.keys(tensors), c.order);
    assert.deepEqual(metadata, c.metadata);
    for (const name of c.order) assertSameTensor(tensors[name]!, c.tensors[name]!, name);
  });
}

test("safetensors: writing what was read gives the reference file byte for byte", () => {
  const bytes = fileBytes("all_dtypes.safetensors");
  const { tensors, metadata } = load(bytes);
  assert.deepEqual(save(tensors, { metadata }), bytes);
});

test("safetensors: an unpadded file reads (copied) and is rewritten padded", () => {
  const c = fixture.cases.find((x) => x.file === "unaligned.safetensors")!;
  const { tensors } = load(fileBytes(c.file));
  const again = save(tensors);
  const n = Number(new DataView(again.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const back = load(again).tensors;
  for (const name of c.order) assertSameTensor(back[name]!, c.tensors[name]!, name);
});

test("safetensors: the reference implementation's serialization vectors", () => {
  // safetensors/src/tensor.rs: test_serialization, test_empty, test_serialization_forced_alignement
  const attn = tensor(new Float32Array([0, 1, 2, 3, 4, 5]), { shape: [1, 2, 3] });
  const expected = [
    64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70,
    51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102,
    102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64,
    0, 0, 128, 64, 0, 0, 160, 64,
  ];
  assert.deepEqual([...save({ "attn.0": attn })], expected);
  assert.deepEqual([...save({})], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  const withMeta = save({}, { metadata: { framework: "pt" } });
  assert.equal(new TextDecoder().decode(withMeta.subarray(8)), '{"__metadata__":{"framework":"pt"}}     ');
  assert.equal(withMeta[0], 40);
  const forced = save({ attn0: attn.reshape([1, 1, 2, 3]) });
  assert.equal(forced[0], 72);
  assert.deepEqual([...forced.subarray(8 + 65, 8 + 72)], [32, 32, 32, 32, 32, 32, 32]);
});

test("safetensors: integer-like names keep the writer's order; views are written densely", () => {
  const a = arange(6, undefined, 1, { dtype: "float32" }).reshape([2, 3]);
  const bytes = save({ "10": a.t(), "2": a });
  const { tensors } = load(bytes);
  assert.deepEqual(readHeader(bytes).entries.map((e) => e.name), ["10", "2"]);
  assert.deepEqual(tensors["10"]!.toArray(), [[0, 3], [1, 4], [2, 5]]);
});

test("safetensors: aligned data is viewed without copying on the js backend", () => {
  const previous = getBackend().name as "js" | "wasm";
  setBackend("js");
  try {
    const bytes = fileBytes("all_dtypes.safetensors");
    const t = load(bytes).tensors["fc.weight"]!;
    assert.equal((t.dataSync() as Float32Array).buffer, bytes.buffer);
    const copied = load(bytes, { copy: true }).tensors["fc.weight"]!;
    assert.notEqual((copied.dataSync() as Float32Array).buffer, bytes.buffer);
  } finally {
    setBackend(previous);
  }
});

test("safetensors: bool bytes other than 0/1 read as true", () => {
  const t = load(build({ m: { dtype: "BOOL", shape: [3], data_offsets: [0, 3] } }, Uint8Array.of(0, 1, 7))).tensors["m"]!;
  assert.deepEqual(t.toArray(), [false, true, true]);
});

const entry = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });

const bad: [string, () => Uint8Array, RegExp][] = [
  ["shorter than 8 bytes", () => Uint8Array.of(1, 2, 3), /8-byte header length/],
  ["header over the limit", () => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 100_000_001n, true); return b; }, /exceeds/],
  ["header length 2^64-1", () => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 2n ** 64n - 1n, true); return b; }, /exceeds/],
  ["header past the end", () => build({}).subarray(0, 9), /runs past the end/],
  ["invalid UTF-8", () => { const b = build({ x: 1 }); b[9] = 0xff; return b; }, /UTF-8/],
  ["not JSON", () => { const b = build({ a: 1 }); b[b.length - 1] = 0x2c; return b; }, /not valid JSON/],
  ["a JSON array", () => build([1]), /JSON object/],
  ["unknown dtype", () => build({ w: entry("F33", [1], [0, 4]) }, 4), /tensor 'w': unknown dtype "F33"/],
  ["negative dim", () => build({ w: entry("F32", [-1], [0, 4]) }, 4), /tensor 'w': shape must be a list of non-negative integers/],
  ["fractional dim", () => build({ w: entry("F32", [1.5], [0, 4]) }, 4), /tensor 'w': shape/],
  ["offsets not a pair", () => build({ w: entry("F32", [1], [0]) }, 4), /tensor 'w': data_offsets must be two/],
  ["end before begin", () => build({ w: entry("F32", [0], [4, 0]) }, 4), /tensor 'w': data_offsets \[4, 0\] end before/],
  ["size disagrees with shape", () => build({ w: entry("F32", [2], [0, 4]) }, 4), /tensor 'w': F32 of shape \[2\] needs 8 bytes/],
  ["overlap", () => build({ a: entry("F32", [2], [0, 8]), b: entry("F32", [1], [4, 8]) }, 8), /tensor 'b'.*overlap tensor 'a'/],
  ["gap", () => build({ a: entry("F32", [1], [4, 8]) }, 8), /tensor 'a': data_offsets start at 4/],
  ["past the data", () => build({ a: entry("F32", [2], [0, 8]) }, 4), /tensor 'a'.*run past the data section/],
  ["trailing bytes", () => build({ a: entry("F32", [1], [0, 4]) }, 6), /cover 4 bytes but the data section has 6/],
  ["huge shape", () => build({ a: entry("F64", [2 ** 30, 2 ** 30, 2 ** 30], [0, 8]) }, 8), /too large/],
  ["metadata not strings", () => build({ __metadata__: { a: 1 } }), /__metadata__ value of 'a' must be a string/],
];
for (const [what, make, message] of bad) {
  test(`safetensors: refuses ${what} with a FormatError naming the file`, () => {
    assert.throws(() => load(make(), { fileName: "bad.safetensors" }), (e: unknown) => {
      assert.ok(e instanceof FormatError, String(e));
      assert.match(e.message, /^bad\.safetensors: /);
      assert.match(e.message, message);
      return true;
    });
  });
}

test("safetensors: dtypes concord lacks raise UnsupportedError naming tensor and dtype", () => {
  for (const [dtype, size] of [["F8_E4M3", 1], ["F8_E5M2", 1], ["U16", 2], ["U32", 4], ["U64", 8], ["C64", 8]] as const) {
    const bytes = build({ q: entry(dtype, [2], [0, 2 * size]) }, 2 * size);
    assert.throws(() => load(bytes, { fileName: "f.safetensors" }), (e: unknown) =>
      e instanceof UnsupportedError && e.message.includes(`'q'`) && e.message.includes(dtype));
  }
  assert.throws(() => load(build({ q: entry("F4", [2], [0, 1]) }, 1)), UnsupportedError);
});

test("safetensors: save refuses a tensor named __metadata__ and non-string metadata", () => {
  assert.throws(() => save({ __metadata__: tensor([1]) }), /reserved/);
  assert.throws(() => save({}, { metadata: { a: 1 as unknown as string } }), /must be strings/);
});
