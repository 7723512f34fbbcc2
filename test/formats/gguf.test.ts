// GGUF reading against files from scripts/fixtures/gen_gguf.py, whose expected values are
// ports of ggml's dequantize_row_* (checked bit for bit against ggml when generated).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FormatError, UnsupportedError } from "../../src/index.ts";
import { load, readHeader } from "../../src/formats/gguf/index.ts";
import { tensorBytes } from "../../src/formats/tensor-bytes.ts";
import type { TensorSpec } from "../helpers/fixtures.ts";

interface Case {
  file: string;
  version: number;
  alignment: number;
  metadata: { key: string; type: string; value: unknown }[];
  tensors: { name: string; type: string; shape: number[]; expected?: TensorSpec }[];
}
const DIR = new URL("../fixtures/formats/", import.meta.url);
const fixture = JSON.parse(readFileSync(new URL("gguf.json", DIR), "utf8")) as { cases: Case[] };
const fileBytes = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));
const caseOf = (file: string) => fixture.cases.find((c) => c.file === file)!;

/** JSON's stand-in for bigints ({bigint: "..."}) back to bigints. */
function revive(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revive);
  if (v !== null && typeof v === "object" && "bigint" in v) return BigInt((v as { bigint: string }).bigint);
  return v;
}

for (const file of ["tiny-v3.gguf", "tiny-v2-align64.gguf"]) {
  test(`gguf: ${file}: header, metadata of every type, tensor infos`, () => {
    const c = caseOf(file);
    const h = readHeader(fileBytes(file), file);
    assert.equal(h.version, c.version);
    assert.equal(h.alignment, c.alignment);
    assert.equal(h.dataOffset % c.alignment, 0);
    assert.deepEqual(Object.keys(h.metadata), c.metadata.map((m) => m.key));
    for (const m of c.metadata) {
      assert.deepEqual(h.metadata[m.key], revive(m.value), m.key);
      assert.equal(h.metadataTypes[m.key], m.type, m.key);
    }
    assert.deepEqual(h.tensors.map((t) => [t.name, t.type.name, [...t.shape]]), c.tensors.map((t) => [t.name, t.type, t.shape]));
    for (const t of h.tensors) assert.equal(t.offset % c.alignment, 0, t.name);
  });

  test(`gguf: ${file}: every tensor equals ggml's dequantization exactly`, () => {
    const c = caseOf(file);
    const g = load(fileBytes(file), { fileName: file });
    for (const t of c.tensors) {
      const actual = g.tensorData[t.name]!;
      const spec = t.expected!;
      assert.equal(actual.dtype, spec.dtype, t.name);
      assert.deepEqual([...actual.shape], spec.shape, t.name);
      assert.equal(Buffer.from(tensorBytes(actual)).toString("base64"), spec.data, `${t.name} (${t.type})`);
    }
  });
}

test("gguf: a type concord cannot dequantize raises UnsupportedError naming tensor and type", () => {
  const bytes = fileBytes("iq4_nl.gguf");
  assert.equal(readHeader(bytes).tensors[0]!.type.name, "IQ4_NL");
  assert.throws(() => load(bytes, { fileName: "iq4_nl.gguf" }), (e: unknown) =>
    e instanceof UnsupportedError && /tensor 'w'.*IQ4_NL/.test(e.message));
});

// ---- malformed files, built by hand ----

class Writer {
  parts: number[] = [];
  u32(v: number) { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); this.parts.push(...b); return this; }
  u64(v: bigint | number) { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(v), true); this.parts.push(...b); return this; }
  str(s: string) { const b = new TextEncoder().encode(s); this.u64(b.length); this.parts.push(...b); return this; }
  raw(...b: number[]) { this.parts.push(...b); return this; }
  pad(to: number) { while (this.parts.length % to) this.parts.push(0); return this; }
  bytes() { return Uint8Array.from(this.parts); }
}
const head = (tensors: number, kvs: number, version = 3) => new Writer().raw(0x47, 0x47, 0x55, 0x46).u32(version).u64(tensors).u64(kvs);
/** One F32 tensor info: name, dims (GGUF order), type, offset. */
const info = (w: Writer, name: string, ne: number[], type = 0, offset = 0) => {
  w.str(name).u32(ne.length);
  for (const d of ne) w.u64(d);
  return w.u32(type).u64(offset);
};

const bad: [string, () => Uint8Array, RegExp][] = [
  ["bad magic", () => Uint8Array.of(0x47, 0x47, 0x4a, 0x46, 3, 0, 0, 0), /magic/],
  ["truncated magic", () => Uint8Array.of(0x47, 0x47), /truncated/],
  ["unknown version", () => head(0, 0, 7).bytes(), /unknown GGUF version 7/],
  ["absurd tensor count", () => head(0, 0).bytes().map((b, i) => (i >= 8 && i < 16 ? 0xff : b)), /tensor count .* larger than the file allows/],
  ["absurd metadata count", () => { const w = head(0, 0); w.parts[16] = 0xff; w.parts[20] = 0xff; return w.bytes(); }, /metadata count/],
  ["string length past the end", () => head(0, 1).u64(1000).raw(...new Array(40).fill(65)).bytes(), /length of metadata key 0 1000 is larger/],
  ["array length past the end", () => head(0, 1).str("k").u32(9).u32(4).u64(2n ** 40n).bytes(), /length of metadata 'k'/],
  ["unknown value type", () => head(0, 1).str("k").u32(13).bytes(), /unknown value type 13/],
  ["nesting too deep", () => { const w = head(0, 1).str("k").u32(9); for (let i = 0; i < 10; i++) w.u32(9).u64(1); return w.bytes(); }, /nested deeper/],
  ["truncated value", () => head(0, 1).str("k").u32(10).raw(1, 2).bytes(), /truncated: metadata 'k' needs 8 bytes/],
  ["duplicate key", () => head(0, 2).str("k").u32(0).raw(1).str("k").u32(0).raw(1).bytes(), /duplicate metadata key 'k'/],
  ["bad alignment", () => head(0, 1).str("general.alignment").u32(4).u32(48).bytes(), /power of 2/],
  ["alignment not uint32", () => head(0, 1).str("general.alignment").u32(5).u32(32).bytes(), /must be a uint32/],
  ["too many dims", () => info(head(1, 0), "w", [1, 1, 1, 1, 1]).pad(32).raw(...new Array(4).fill(0)).bytes(), /tensor 'w' has 5 dims/],
  ["unknown ggml type", () => info(head(1, 0), "w", [1], 99).pad(32).raw(0, 0, 0, 0).bytes(), /unknown ggml type 99/],
  ["row not a multiple of the block", () => info(head(1, 0), "w", [31], 8).pad(32).raw(...new Array(34).fill(0)).bytes(), /31 elements per row, not a multiple of the block size 32/],
  ["misaligned offset", () => info(head(1, 0), "w", [1], 0, 4).pad(32).raw(...new Array(8).fill(0)).bytes(), /not a multiple of the alignment/],
  ["data past the end", () => info(head(1, 0), "w", [4]).pad(32).raw(0, 0, 0, 0).bytes(), /tensor 'w': 16 bytes of F32 data at \d+ run past the end/],
  ["overlapping tensors", () => info(info(head(2, 0), "a", [16]), "b", [1], 0, 32).pad(32).raw(...new Array(64).fill(0)).bytes(), /tensor 'b'.*overlaps tensor 'a'/],
  ["duplicate tensor names", () => info(info(head(2, 0), "a", [1]), "a", [1], 0, 32).pad(32).raw(...new Array(64).fill(0)).bytes(), /duplicate tensor name 'a'/],
  ["huge dims", () => info(head(1, 0), "w", [2 ** 40, 2 ** 20]).pad(32).bytes(), /larger than the file/],
];
for (const [what, make, message] of bad) {
  test(`gguf: refuses ${what} with a FormatError naming the file`, () => {
    assert.throws(() => load(make(), { fileName: "bad.gguf" }), (e: unknown) => {
      assert.ok(e instanceof FormatError, String(e));
      assert.match(e.message, /^bad\.gguf: /);
      assert.match(e.message, message);
      return true;
    });
  });
}

test("gguf: version 1 is refused as unsupported; '__proto__' is an ordinary key", () => {
  assert.throws(() => load(head(0, 0, 1).bytes()), UnsupportedError);
  const g = load(head(0, 1).str("__proto__").u32(8).str("x").bytes());
  assert.equal(Object.getPrototypeOf(g.metadata), Object.prototype);
  assert.deepEqual(Object.entries(g.metadata), [["__proto__", "x"]]);
});

test("gguf: every truncation of a valid file is refused with a FormatError", () => {
  const bytes = fileBytes("tiny-v2-align64.gguf");
  // The writer pads after the last tensor too: cutting only padding leaves a valid file.
  const end = Math.max(...readHeader(bytes).tensors.map((t) => t.offset + t.byteLength));
  assert.doesNotThrow(() => load(bytes.subarray(0, end)));
  for (let n = 0; n < end; n++) {
    assert.throws(() => load(bytes.subarray(0, n)), FormatError, `truncated to ${n} bytes`);
  }
});
