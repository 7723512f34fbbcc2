// The random generator and samplers against PyTorch: fixtures from scripts/fixtures/gen_random.py.
// Comparisons are bit for bit (float64 normals within 4 ulp, see assertWithinUlps): streams, uniforms, normals, integers,
// permutations and the state bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  DEFAULT_SEED,
  Generator,
  defaultGenerator,
  fillNormal,
  fillRandint,
  fillUniform,
  manualSeed,
  randperm,
  type FloatDType,
  type RandintArray,
  type RandintDType,
} from "../../src/core/random.ts";
import { encodeBfloat16, encodeFloat16 } from "../../src/core/half.ts";
import { fma, fmaf } from "../../src/core/fma.ts";

interface Encoded {
  dtype: string;
  shape: number[];
  data: string;
}

interface Step {
  op: "rand" | "uniform" | "randn" | "normal" | "normal_strided" | "randint" | "randperm" | "get_state" | "set_state" | "initial_seed";
  dtype?: string;
  n?: number;
  low?: number | string;
  high?: number | string;
  mean?: number;
  std?: number;
  state?: Encoded;
  value?: string;
  out?: Encoded;
}

interface Case {
  name: string;
  seed: string | null;
  object: boolean;
  steps: Step[];
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/random.json", import.meta.url), "utf8")) as {
  torch: string;
  cases: Case[];
};

function bytesOf(t: Encoded): Uint8Array {
  return new Uint8Array(Buffer.from(t.data, "base64"));
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** What one step produces, as little-endian bytes in PyTorch's layout for its dtype. */
function runStep(gen: Generator, step: Step): Uint8Array | undefined {
  const n = step.n ?? 0;
  const dtype = step.dtype ?? "float32";
  switch (step.op) {
    case "rand":
    case "uniform":
    case "randn":
    case "normal":
    case "normal_strided": {
      const floatType = dtype as FloatDType;
      const out = floatType === "float64" ? new Float64Array(n) : new Float32Array(n);
      if (step.op === "rand" || step.op === "uniform") {
        fillUniform(gen, out, Number(step.low ?? 0), Number(step.high ?? 1), floatType);
      } else {
        fillNormal(gen, out, step.mean ?? 0, step.std ?? 1, floatType, step.op !== "normal_strided");
      }
      if (floatType === "float16" || floatType === "bfloat16") {
        const bits = new Uint16Array(n);
        (floatType === "float16" ? encodeFloat16 : encodeBfloat16)(out, bits);
        return new Uint8Array(bits.buffer);
      }
      return new Uint8Array(out.buffer);
    }
    case "randint": {
      const type = dtype as RandintDType;
      const arrays: Record<RandintDType, () => RandintArray> = {
        int8: () => new Int8Array(n), uint8: () => new Uint8Array(n), bool: () => new Uint8Array(n),
        int16: () => new Int16Array(n), int32: () => new Int32Array(n), int64: () => new BigInt64Array(n),
        float16: () => new Uint16Array(n), bfloat16: () => new Uint16Array(n),
        float32: () => new Float32Array(n), float64: () => new Float64Array(n),
      };
      const out = arrays[type]();
      fillRandint(gen, out, BigInt(step.low!), BigInt(step.high!), type);
      return new Uint8Array(out.buffer);
    }
    case "randperm":
      return new Uint8Array(randperm(gen, n).buffer);
    case "get_state":
      return gen.getState();
    case "set_state":
      gen.setState(bytesOf(step.state!));
      return undefined;
    case "initial_seed":
      assert.equal(gen.initialSeed(), BigInt(step.value!));
      return undefined;
  }
}

/** Names the first differing element to make a failure readable. */
function assertSameBytes(got: Uint8Array, want: Uint8Array, dtype: string, what: string): void {
  if (hexOf(got) === hexOf(want)) return;
  const size = { float64: 8, int64: 8, float32: 4, int32: 4, float16: 2, bfloat16: 2, int16: 2 }[dtype] ?? 1;
  let first = 0;
  while (first < want.length && got[first] === want[first]) first++;
  const i = Math.floor(first / size);
  const slice = (b: Uint8Array) => hexOf(b.subarray(i * size, i * size + size));
  let count = 0;
  for (let k = 0; k < want.length; k += size) if (hexOf(got.subarray(k, k + size)) !== hexOf(want.subarray(k, k + size))) count++;
  assert.fail(`${what}: ${count} of ${want.length / size} ${dtype} elements differ, first at ${i}: got ${slice(got)} want ${slice(want)}`);
}

/**
 * float64 normals use the JS engine's sin/cos where PyTorch uses glibc's (LGPL, not
 * reproduced): those differ in the last bit for a few percent of angles, so float64
 * normals are compared within 4 ulp; everything else is bit for bit.
 */
function assertWithinUlps(got: Uint8Array, want: Uint8Array, what: string): void {
  const a = new Float64Array(got.slice().buffer);
  const b = new Float64Array(want.slice().buffer);
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < b.length; i++) {
    const ulp = Math.abs(b[i]!) * 2 ** -52;
    if (!(Math.abs(a[i]! - b[i]!) <= 4 * ulp)) assert.fail(`${what}: element ${i} is ${a[i]}, expected ${b[i]}`);
  }
}

for (const c of fixture.cases) {
  test(`${c.name} matches torch ${fixture.torch}`, () => {
    const gen = c.seed === null ? new Generator() : new Generator(BigInt(c.seed));
    c.steps.forEach((step, k) => {
      const got = runStep(gen, step);
      if (step.out !== undefined) {
        assert.ok(got !== undefined);
        const what = `step ${k} (${step.op} ${step.dtype ?? ""} n=${step.n ?? ""})`;
        const normal = step.op === "randn" || step.op === "normal" || step.op === "normal_strided";
        if (normal && step.out.dtype === "float64") assertWithinUlps(got, bytesOf(step.out), what);
        else assertSameBytes(got, bytesOf(step.out), step.out.dtype, what);
      }
    });
  });
}

test("the default generator and manualSeed", () => {
  assert.equal(new Generator().initialSeed(), DEFAULT_SEED);
  assert.equal(manualSeed(42), defaultGenerator);
  const a = new Float32Array(20);
  fillNormal(defaultGenerator, a, 0, 1, "float32");
  const b = new Float32Array(20);
  fillNormal(new Generator(42), b, 0, 1, "float32");
  assert.deepEqual(a, b);
  assert.equal(new Generator(-1).initialSeed(), 2n ** 64n - 1n);
});

test("setState restores the exact stream, cached normal included", () => {
  const g = new Generator(5);
  fillNormal(g, new Float64Array(1), 0, 1, "float64"); // leaves the second Box-Muller sample cached
  assert.notEqual(g.nextDoubleNormalSample(), undefined);
  const saved = g.getState();
  const first = new Float64Array(7);
  fillNormal(g, first, 0, 1, "float64");
  const words = [g.random(), g.random()];
  g.setState(saved);
  const again = new Float64Array(7);
  fillNormal(g, again, 0, 1, "float64");
  assert.deepEqual(again, first);
  assert.deepEqual([g.random(), g.random()], words);
  const copy = g.clone();
  assert.equal(copy.random64(), g.random64());
  assert.throws(() => g.setState(new Uint8Array(10)), RangeError);
  const broken = g.getState();
  new DataView(broken.buffer).setInt32(8, 0, true); // left = 0 is not a valid mt19937 state
  assert.throws(() => g.setState(broken), /Invalid mt19937 state/);
});

test("argument checks", () => {
  const g = new Generator(0);
  assert.throws(() => fillNormal(g, new Float32Array(3), 0, -1, "float32"), RangeError);
  assert.throws(() => fillUniform(g, new Float32Array(3), 2, 1, "float32"), RangeError);
  assert.throws(() => fillRandint(g, new Int32Array(3), 5n, 5n), RangeError);
  assert.throws(() => fillRandint(g, new Uint16Array(3), 0n, 5n), TypeError);
  assert.throws(() => randperm(g, -1), RangeError);
  assert.throws(() => new Generator(1.5), RangeError);
});

test("fma and fmaf round once, like C's fma and fmaf", () => {
  assert.equal(fma(0.1, 10, -1), 2 ** -54); // while 0.1 * 10 - 1 === 0: the product rounds to 1 first
  assert.equal(fmaf(Math.fround(0.1), 10, -1), 2 ** -26);
  // 65281 * 257 * 2^-24 = 1 + 2^-24 is the float32 midpoint between 1 and 1 + 2^-23; a tiny c
  // decides the side, but rounding to a double first would land on the midpoint (a tie).
  assert.equal(fmaf(65281, 257 * 2 ** -24, 2 ** -60), 1 + 2 ** -23);
  assert.equal(fmaf(65281, 257 * 2 ** -24, -(2 ** -60)), 1);
  assert.equal(Math.fround(65281 * 257 * 2 ** -24 + 2 ** -60), 1);
  // Random operands on a 2^-100 grid, so that BigInt gives a·b + c exactly; every third c
  // cancels the product, which leaves only the product's rounding error.
  const g = new Generator(2024);
  const operand = () =>
    (g.random() * 2 ** 21 + (g.random() >>> 11)) * 2 ** (-60 - (g.random() % 40)) * (g.random() & 1 ? -1 : 1);
  const scaled = (x: number, e: number) => BigInt(x * 2 ** e); // exact: x lies on the 2^-e grid
  const exact = (a: number, b: number, c: number, bits: number) =>
    roundScaled(scaled(a, 100) * scaled(b, 100) * 2n ** 100n + scaled(c, 300), 300, bits);
  for (let i = 0; i < 3000; i++) {
    const a = operand();
    const b = operand();
    const c = i % 3 === 0 ? -(a * b) : i % 3 === 1 ? operand() : a * b * (1 + 2 ** -30);
    assert.equal(fma(a, b, c), exact(a, b, c, 53), `fma(${a}, ${b}, ${c})`);
    const af = Math.fround(a);
    const bf = Math.fround(b);
    const cf = i % 3 === 0 ? -Math.fround(af * bf) : Math.fround(c);
    assert.equal(fmaf(af, bf, cf), exact(af, bf, cf, 24), `fmaf(${af}, ${bf}, ${cf})`);
  }
});

/** v / 2^scale rounded to `bits` significant bits, to nearest with ties to even. */
function roundScaled(v: bigint, scale: number, bits: number): number {
  if (v === 0n) return 0;
  const magnitude = v < 0n ? -v : v;
  const shift = Math.max(magnitude.toString(2).length - bits, 0);
  let q = magnitude >> BigInt(shift);
  const rest = magnitude - (q << BigInt(shift));
  const half = shift > 0 ? 1n << BigInt(shift - 1) : 1n;
  if (shift > 0 && (rest > half || (rest === half && (q & 1n) === 1n))) q += 1n;
  const r = Number(q) * 2 ** (shift - scale);
  return v < 0n ? -r : r;
}
