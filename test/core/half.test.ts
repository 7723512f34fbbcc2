// float16 / bfloat16 conversions against PyTorch: fixtures from scripts/fixtures/gen_half.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  decodeBfloat16,
  decodeFloat16,
  encodeBfloat16,
  encodeFloat16,
  fromBfloat16Bits,
  fromFloat16Bits,
  toBfloat16Bits,
  toFloat16Bits,
} from "../../src/core/half.ts";

interface Encoded {
  dtype: string;
  shape: number[];
  data: string;
}

interface Case {
  name: string;
  input: Encoded;
  float16: Encoded;
  bfloat16: Encoded;
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/half.json", import.meta.url), "utf8")) as {
  torch: string;
  cases: Case[];
};

function bytesOf(t: Encoded): Uint8Array {
  const b = Buffer.from(t.data, "base64");
  // Copy into a fresh, aligned buffer so typed views can be made on it.
  return new Uint8Array(b);
}

function float64s(t: Encoded): Float64Array {
  assert.equal(t.dtype, "float64");
  return new Float64Array(bytesOf(t).buffer);
}

function uint16s(t: Encoded): Uint16Array {
  return new Uint16Array(bytesOf(t).buffer);
}

const hex = (b: number) => "0x" + b.toString(16).padStart(4, "0");

/** Compares bit patterns and reports the first few inputs that differ. */
function assertBits(name: string, input: Float64Array, got: Uint16Array, want: Uint16Array): void {
  assert.equal(got.length, want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) bad.push(`${input[i]}: got ${hex(got[i]!)} want ${hex(want[i]!)}`);
  }
  assert.deepEqual(bad.slice(0, 10), [], `${name}: ${bad.length} of ${want.length} differ`);
}

for (const c of fixture.cases) {
  const input = float64s(c.input);
  const want16 = uint16s(c.float16);
  const wantBf = uint16s(c.bfloat16);

  test(`float16 ${c.name}: scalar and bulk encoders match torch ${fixture.torch} bit for bit`, () => {
    const scalar = Uint16Array.from(input, (x) => toFloat16Bits(x));
    assertBits("toFloat16Bits", input, scalar, want16);
    const bulk = new Uint16Array(input.length);
    encodeFloat16(input, bulk);
    assertBits("encodeFloat16", input, bulk, want16);
  });

  test(`bfloat16 ${c.name}: scalar and bulk encoders match torch ${fixture.torch} bit for bit`, () => {
    // Known difference: PyTorch's vectorized copy kernel (tensors of more than a few
    // elements, from float32 or float64) writes NaN as 0xffff, its scalar conversion
    // (c10::BFloat16) as 0x7fc0; we always write 0x7fc0. Both are NaN.
    const want = wantBf.map((b, i) => {
      if (!Number.isNaN(input[i])) return b;
      assert.ok(b === 0x7fc0 || b === 0xffff, `torch wrote NaN as ${hex(b)}`);
      return 0x7fc0;
    });
    const scalar = Uint16Array.from(input, (x) => toBfloat16Bits(x));
    assertBits("toBfloat16Bits", input, scalar, want);
    const bulk = new Uint16Array(input.length);
    encodeBfloat16(input, bulk);
    assertBits("encodeBfloat16", input, bulk, want);
  });
}

test("the fixture covers ties, subnormals, overflow and specials", () => {
  const input = float64s(fixture.cases[0]!.input);
  const want16 = uint16s(fixture.cases[0]!.float16);
  const seen = new Set(want16);
  for (const bits of [0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x7c00, 0xfc00, 0x7e00]) {
    assert.ok(seen.has(bits), `no input converts to ${hex(bits)}`);
  }
  assert.ok(input.some((x) => Object.is(x, -0)));
});

test("decodeFloat16 is exact for all 65536 patterns", () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const f64 = new Float64Array(65536);
  const f32 = new Float32Array(65536);
  decodeFloat16(all, f64);
  decodeFloat16(all, f32);
  for (let bits = 0; bits < 65536; bits++) {
    // (-1)^s 2^(e-15) (1 + m/1024) for normals, (-1)^s 2^-14 (m/1024) for subnormals.
    const s = bits >> 15;
    const e = (bits >> 10) & 31;
    const m = bits & 1023;
    const want =
      e === 31 ? (m === 0 ? (s ? -Infinity : Infinity) : NaN)
      : (s ? -1 : 1) * (e === 0 ? 2 ** -14 * (m / 1024) : 2 ** (e - 15) * (1 + m / 1024));
    assert.ok(Object.is(f64[bits], want), `${hex(bits)}: ${f64[bits]} vs ${want}`);
    assert.ok(Object.is(f32[bits], want), `${hex(bits)} (float32)`);
    assert.ok(Object.is(fromFloat16Bits(bits), want), `${hex(bits)} (scalar)`);
    // Every non-NaN half survives a round trip; NaNs come back as the quiet NaN.
    const back = toFloat16Bits(want);
    assert.equal(back, Number.isNaN(want) ? 0x7e00 : bits);
  }
});

test("decodeBfloat16 is exact for all 65536 patterns", () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const f64 = new Float64Array(65536);
  decodeBfloat16(all, f64);
  const view = new DataView(new ArrayBuffer(4));
  for (let bits = 0; bits < 65536; bits++) {
    view.setUint32(0, bits << 16);
    const want = view.getFloat32(0);
    assert.ok(Object.is(f64[bits], want) || (Number.isNaN(want) && Number.isNaN(f64[bits])));
    assert.ok(Object.is(fromBfloat16Bits(bits), f64[bits]) || Number.isNaN(want));
    if (!Number.isNaN(want)) assert.equal(toBfloat16Bits(want), bits);
  }
});

test("hand-picked roundings", () => {
  // 1 + 2^-11 is a float16 tie and goes to even (1); 2^-40 more is lost in float32 first,
  // so PyTorch also gives 1 (see "Note: double to half rounds twice").
  assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00);
  assert.equal(toFloat16Bits(1 + 2 ** -11 + 2 ** -40), 0x3c00);
  assert.equal(toFloat16Bits(1 + 2 ** -11 + 2 ** -20), 0x3c01);
  assert.equal(toFloat16Bits(65519), 0x7bff);
  assert.equal(toFloat16Bits(65520), 0x7c00);
  assert.equal(toFloat16Bits(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal
  assert.equal(toFloat16Bits(-(2 ** -25) * 1.5), 0x8001);
  assert.equal(toFloat16Bits(NaN), 0x7e00);
  assert.equal(toBfloat16Bits(1 + 2 ** -8), 0x3f80); // tie, to even
  assert.equal(toBfloat16Bits(1 + 3 * 2 ** -8), 0x3f82); // tie, to even (up)
  assert.equal(toBfloat16Bits(3.4e38), 0x7f80); // past the largest finite bfloat16
  assert.equal(toBfloat16Bits(NaN), 0x7fc0);
  assert.throws(() => encodeFloat16([1, 2], new Uint16Array(1)), RangeError);
});
