// .npy and .npz against files numpy wrote (scripts/fixtures/gen_formats.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FormatError, UnsupportedError, tensor, arange } from "../../src/index.ts";
import { load, save, loadNpz, saveNpz, readNpyHeader } from "../../src/formats/npy/index.ts";
import { tensorBytes } from "../../src/formats/tensor-bytes.ts";
import type { TensorSpec } from "../helpers/fixtures.ts";

interface Case {
  file: string;
  expected?: TensorSpec;
  numpyWritesSame?: boolean;
  error?: string;
  members?: Record<string, TensorSpec>;
}
const DIR = new URL("../fixtures/formats/", import.meta.url);
const fixture = JSON.parse(readFileSync(new URL("npy.json", DIR), "utf8")) as { cases: Case[] };
const fileBytes = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));

function assertSame(actual: ReturnType<typeof tensor>, spec: TensorSpec, what: string): void {
  assert.equal(actual.dtype, spec.dtype, `${what}: dtype`);
  assert.deepEqual([...actual.shape], spec.shape, `${what}: shape`);
  assert.equal(Buffer.from(tensorBytes(actual)).toString("base64"), spec.data, `${what}: values`);
}

for (const c of fixture.cases.filter((c) => c.expected)) {
  test(`npy: reads ${c.file}`, () => {
    const t = load(fileBytes(c.file), { fileName: c.file });
    assertSame(t, c.expected!, c.file);
    if (c.numpyWritesSame) assert.deepEqual(save(t), fileBytes(c.file), "save() gives numpy's bytes");
  });
}

for (const c of fixture.cases.filter((c) => c.error)) {
  test(`npy: ${c.file} raises ${c.error}`, () => {
    assert.throws(() => load(fileBytes(c.file), { fileName: c.file }), (e: unknown) =>
      e instanceof UnsupportedError && e.message.startsWith(c.file));
  });
}

for (const c of fixture.cases.filter((c) => c.members)) {
  test(`npz: reads ${c.file} and round-trips`, () => {
    const arrays = loadNpz(fileBytes(c.file), { fileName: c.file });
    assert.deepEqual(Object.keys(arrays).sort(), Object.keys(c.members!).sort());
    for (const [name, spec] of Object.entries(c.members!)) assertSame(arrays[name]!, spec, name);
    for (const compress of [false, true]) {
      const again = loadNpz(saveNpz(arrays, { compress }));
      for (const [name, spec] of Object.entries(c.members!)) assertSame(again[name]!, spec, name);
    }
  });
}

test("npy: headers of versions 1, 2 and 3 and Fortran order are recognised", () => {
  assert.equal(readNpyHeader(fileBytes("npy_v2.npy")).version, 2);
  assert.equal(readNpyHeader(fileBytes("npy_v3.npy")).version, 3);
  const h = readNpyHeader(fileBytes("npy_fortran_f4.npy"));
  assert.equal(h.fortranOrder, true);
  assert.deepEqual(h.shape, [2, 3, 4]);
  assert.equal(h.dataOffset % 64, 0);
});

test("npy: save writes views densely and refuses bfloat16", () => {
  const a = arange(6, undefined, 1, { dtype: "int32" }).reshape([2, 3]);
  assert.deepEqual(load(save(a.t())).toArray(), [[0, 3], [1, 4], [2, 5]]);
  assert.throws(() => save(tensor([1], { dtype: "bfloat16" })), UnsupportedError);
});

/** A .npy file with header text `dict` and `data`. */
function npy(dict: string, data: Uint8Array | number = 0, version = 1): Uint8Array {
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const prefix = version === 1 ? 10 : 12;
  const out = new Uint8Array(prefix + dict.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, dict.length, true);
  else v.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
  out.set(body, prefix + dict.length);
  return out;
}
const dict = (descr: string, shape: string, fortran = "False") => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

const bad: [string, () => Uint8Array, RegExp][] = [
  ["no magic", () => new Uint8Array(20), /magic/],
  ["unknown version", () => npy(dict("<f4", "(1,)"), 4, 9), /unknown .npy version 9/],
  ["header past the end", () => npy(dict("<f4", "(1,)")).subarray(0, 20), /runs past the end/],
  ["huge v2 header length", () => { const b = npy(dict("<f4", "(1,)"), 4, 2); new DataView(b.buffer).setUint32(8, 2 ** 31, true); return b; }, /exceeds/],
  ["truncated data", () => npy(dict("<f4", "(3,)"), 8), /truncated: shape \(3\) of <f4 needs 12 data bytes, the file has 8/],
  ["trailing data", () => npy(dict("<f4", "(1,)"), 8), /4 bytes after the data/],
  ["not a dict", () => npy("[1, 2]", 0), /not a dict/],
  ["code in the header", () => npy("{'descr': __import__('os'), 'fortran_order': False, 'shape': (1,)}", 4), /unexpected '_'/],
  ["missing key", () => npy("{'descr': '<f4', 'shape': (1,)}", 4), /keys must be descr, fortran_order and shape/],
  ["extra key", () => npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 4), /keys must be/],
  ["negative dim", () => npy(dict("<f4", "(-1,)"), 4), /non-negative/],
  ["bad fortran flag", () => npy(dict("<f4", "(1,)", "1"), 4), /fortran_order must be True or False/],
  ["unterminated string", () => npy("{'descr: 1}", 4), /unterminated string/],
  ["trailing text", () => npy(dict("<f4", "(1,)") + " x", 4), /unexpected text after the dict/],
  ["duplicate key", () => npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'shape': (1,)}", 4), /duplicate key 'shape'/],
  ["huge shape", () => npy(dict("<f8", "(4294967296, 4294967296)"), 8), /too large/],
];
for (const [what, make, message] of bad) {
  test(`npy: refuses ${what} with a FormatError`, () => {
    assert.throws(() => load(make(), { fileName: "bad.npy" }), (e: unknown) => {
      assert.ok(e instanceof FormatError, String(e));
      assert.match(e.message, /^bad\.npy: /);
      assert.match(e.message, message);
      return true;
    });
  });
}

test("npy: Python 2 long literals and double-quoted keys parse", () => {
  const t = load(npy(`{"descr": "<i2", "fortran_order": False, "shape": (2L, 1L)}`, Uint8Array.of(1, 0, 255, 255)));
  assert.deepEqual(t.toArray(), [[1], [-1]]);
});

test("npz: a member that is not .npy is refused naming it", async () => {
  const { writeZip } = await import("../../src/formats/zip/index.ts");
  const zip = writeZip([{ name: "a.npy", data: save(tensor([1, 2])) }, { name: "notes.txt", data: new Uint8Array(3) }]);
  assert.throws(() => loadNpz(zip, { fileName: "x.npz" }), /x\.npz: member 'notes\.txt' is not a \.npy file/);
});
