// formatTensor against repr(t) from PyTorch: fixtures from scripts/fixtures/gen_format.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { DType } from "../../src/core/dtype.ts";
import { formatTensor, type FormatInfo, type FormatOptions } from "../../src/core/format.ts";

interface Encoded {
  dtype: DType;
  shape: number[];
  data: string;
}

interface Case {
  name: string;
  tensor: Encoded;
  options: FormatOptions;
  requiresGrad?: boolean;
  gradFn?: string;
  repr: string;
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/format.json", import.meta.url), "utf8")) as { cases: Case[] };

/** IEEE half: 1 sign, 5 exponent, 10 fraction bits. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 is the top half of a float32. */
function bfloat16ToNumber(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}

function decode(t: Encoded): FormatInfo["values"] {
  const bytes = Buffer.from(t.data, "base64");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = t.shape.reduce((n, d) => n * d, 1);
  const read = (size: number, get: (offset: number) => number | bigint | boolean) =>
    Array.from({ length: count }, (_, i) => get(i * size));
  switch (t.dtype) {
    case "float32": return read(4, (o) => view.getFloat32(o, true));
    case "float64": return read(8, (o) => view.getFloat64(o, true));
    case "float16": return read(2, (o) => halfToNumber(view.getUint16(o, true)));
    case "bfloat16": return read(2, (o) => bfloat16ToNumber(view.getUint16(o, true)));
    case "int8": return read(1, (o) => view.getInt8(o));
    case "uint8": return read(1, (o) => view.getUint8(o));
    case "int16": return read(2, (o) => view.getInt16(o, true));
    case "int32": return read(4, (o) => view.getInt32(o, true));
    case "int64": return read(8, (o) => view.getBigInt64(o, true));
    case "bool": return read(1, (o) => view.getUint8(o) !== 0);
  }
}

for (const c of fixture.cases) {
  test(`format: ${c.name}`, () => {
    const info: FormatInfo = { shape: c.tensor.shape, dtype: c.tensor.dtype, values: decode(c.tensor) };
    if (c.requiresGrad) info.requiresGrad = true;
    if (c.gradFn !== undefined) info.gradFn = c.gradFn;
    assert.equal(formatTensor(info, c.options), c.repr);
  });
}

// Bools may also come as the 0/1 a Uint8Array stores.
test("format: bool from 0/1 numbers", () => {
  assert.equal(formatTensor({ shape: [2], dtype: "bool", values: new Uint8Array([1, 0]) }), "tensor([ True, False])");
});

// int64 given as plain numbers prints the same as bigint.
test("format: int64 from numbers", () => {
  assert.equal(formatTensor({ shape: [2, 2], dtype: "int64", values: [1, -20, 300, 4] }), "tensor([[  1, -20],\n        [300,   4]])");
});

test("format: too few values is an error", () => {
  assert.throws(() => formatTensor({ shape: [3], dtype: "float32", values: [1, 2] }), RangeError);
});
