/**
 * The small element types: every float8 / float4 code decodes and re-encodes to itself
 * (NaN to the format's NaN), rounding is to nearest even, and saturation follows ONNX Cast.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeSmall, encodeSmall } from "../../src/graph/small-floats.ts";

const FORMATS = ["float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "float4e2m1"] as const;

test("every code of every small float survives decode -> encode", () => {
  for (const t of FORMATS) {
    const n = t === "float4e2m1" ? 16 : 256;
    const codes = Uint8Array.from({ length: n }, (_, i) => i);
    const values = decodeSmall(codes, t);
    const again = encodeSmall(values, t, { saturate: false });
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(values[i]!)) {
        assert.ok(Number.isNaN(decodeSmall([again[i]!], t)[0]!), `${t} NaN code ${i}`);
        continue;
      }
      // FNUZ formats have one zero; float4 has -0 as its own code.
      if (values[i] === 0 && t.endsWith("fnuz")) assert.equal(again[i], 0);
      else assert.equal(again[i], i, `${t} code ${i} = ${values[i]}`);
    }
  }
});

test("largest finite values, rounding and saturation", () => {
  assert.deepEqual(Array.from(decodeSmall([0x7e, 0x7f, 0x01], "float8e4m3fn")), [448, NaN, 2 ** -9]);
  assert.deepEqual(Array.from(decodeSmall([0x7f, 0x80], "float8e4m3fnuz")), [240, NaN]);
  assert.deepEqual(Array.from(decodeSmall([0x7b, 0x7c, 0xfc], "float8e5m2")), [57344, Infinity, -Infinity]);
  assert.deepEqual(Array.from(decodeSmall([7, 15, 1], "float4e2m1")), [6, -6, 0.5]);
  // 0.25 lies halfway between 0 and 0.5 in float4: ties go to the even code (0).
  assert.deepEqual(Array.from(encodeSmall([0.25, 0.75, 5, 1e9, -Infinity, NaN], "float4e2m1")), [0, 2, 6, 7, 15, 8]);
  // Saturation: beyond the largest finite -> it; without, -> NaN (E4M3FN) or inf (E5M2).
  assert.deepEqual(Array.from(encodeSmall([1e6, -Infinity], "float8e4m3fn")), [0x7e, 0xfe]);
  assert.deepEqual(Array.from(encodeSmall([1e6, -Infinity], "float8e4m3fn", { saturate: false })), [0x7f, 0xff]);
  assert.deepEqual(Array.from(encodeSmall([1e6, Infinity], "float8e5m2", { saturate: false })), [0x7c, 0x7c]);
  assert.deepEqual(Array.from(encodeSmall([Infinity], "float8e5m2fnuz", { saturate: false })), [0x80]);
  // E8M0 rounds up to the next power of two by default.
  assert.deepEqual(Array.from(encodeSmall([1, 1.1, 0.124, 0], "float8e8m0")), [127, 128, 124, 0]);
  // int4 and uint2 wrap.
  assert.deepEqual(Array.from(encodeSmall([9, -9, 7.9], "int4")), [-7, 7, 7]);
  assert.deepEqual(Array.from(encodeSmall([5, -1], "uint2")), [1, 3]);
});
