/**
 * The wasm backend's float32 elementwise, reduction and softmax kernels
 * (src/backends/wasm/assembly/{math,unary,binary,reduce,softmax}.ts):
 *
 * - the SIMD approximations of exp, expm1, log, log1p, log2, tanh, sigmoid, erf, sin and cos against
 *   float64 references on 2^18 inputs spread over every float32 bit pattern plus the
 *   corners (nan, ±inf, ±0, denormals, overflow thresholds), in ulps; on the relaxed-SIMD
 *   build too (a child process with --experimental-wasm-relaxed-simd);
 * - every layout the strided walk folds (broadcast rows and columns, scalars of other
 *   dtypes, transposed and stepped views, many threads) bit for bit against the js kernels,
 *   and that these layouts run on wasm rather than falling back;
 * - reductions and softmax by rows, columns, several dims, long rows, nan and inf.
 *
 * Build the kernels first: `node scripts/build-wasm.mjs`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { before, describe, test } from "node:test";
import * as c from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";
import { erf as erf64 } from "../../src/core/special.ts";

const FILE = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------
// Accuracy of the SIMD approximations.

const sigmoid64 = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * Each function, its float64 reference and the largest error allowed, in ulps; `flushes`
 * when results below 2^-126 may come out as 0 (PyTorch's sigmoid gives 0 there too).
 */
const MATH: { name: string; op: (t: Tensor) => Tensor; ref: (x: number) => number; maxUlp: number; flushes?: boolean }[] = [
  { name: "exp", op: c.exp, ref: Math.exp, maxUlp: 1 },
  { name: "expm1", op: c.expm1, ref: Math.expm1, maxUlp: 1.5 },
  { name: "log", op: c.log, ref: Math.log, maxUlp: 1 },
  { name: "log1p", op: c.log1p, ref: Math.log1p, maxUlp: 1 },
  { name: "log2", op: c.log2, ref: Math.log2, maxUlp: 1.5 },
  { name: "tanh", op: c.tanh, ref: Math.tanh, maxUlp: 1.5 },
  // e^(−|x|)/(1 + e^(−|x|)): the exp's ulp, the sum's and the quotient's rounding.
  { name: "sigmoid", op: c.sigmoid, ref: sigmoid64, maxUlp: 2.5, flushes: true },
  { name: "erf", op: c.erf, ref: erf64, maxUlp: 1.5 },
  // Reduced and evaluated in float64, rounded once; huge arguments take musl's double sin/cos.
  { name: "sin", op: c.sin, ref: Math.sin, maxUlp: 1 },
  { name: "cos", op: c.cos, ref: Math.cos, maxUlp: 1 },
];

/** 2^18 float32 values spaced evenly through the bit patterns, plus the corners. */
function sweepInputs(): Float32Array {
  const bits = new Uint32Array(1 << 18);
  for (let i = 0; i < bits.length; i++) bits[i] = (i * 16384 + 8191) >>> 0;
  const corners = [
    NaN, Infinity, -Infinity, 0, -0, 1, -1, 2 ** -149, -(2 ** -149), 2 ** -126, 1.1754942e-38, 3.4028235e38, -3.4028235e38,
    88.72283, 88.72284, 89, -87.33654, -103.97208, -103.98, -104, 0.625, -0.625, 1, 4, 3.9, 3.83, 0.3466, 0.6931472,
    1e-8, -1e-8, 5.960464477539063e-8, -0.99999994, -1 + 2 ** -24, 1e30, -1e30, 17.33, -17.33, 9.01, 1e-40,
  ];
  const out = new Float32Array(bits.length + corners.length);
  out.set(new Float32Array(bits.buffer));
  out.set(corners, bits.length);
  return out;
}

/** The float32 ulp at |v| (the spacing just above it; below 2^-126 the denormal spacing). */
function ulp(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** The largest error in ulps of `name` on the sweep, and the first special value it gets wrong. */
function measure(entry: (typeof MATH)[number]): { maxUlp: number; at: number; wrong: string | null } {
  const xs = sweepInputs();
  const ys = entry.op(c.tensor(xs)).dataSync() as Float32Array;
  let maxUlp = 0;
  let at = 0;
  let wrong: string | null = null;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    const r = entry.ref(x);
    const rounded = Math.fround(r);
    const exactlyRight = Object.is(y, rounded) || (Number.isNaN(r) && Number.isNaN(y));
    if (entry.flushes && y === 0 && Math.abs(r) < 2 ** -126) continue;
    if (Number.isNaN(r) || !Number.isFinite(rounded) || r === 0) {
      // nan, overflow and zeros (with their sign) must come out exactly.
      if (!exactlyRight) wrong ??= `${entry.name}(${x}) = ${y}, expected ${rounded}`;
      continue;
    }
    if (!Number.isFinite(y)) {
      wrong ??= `${entry.name}(${x}) = ${y}, expected ${rounded}`;
      continue;
    }
    const e = Math.abs(y - r) / ulp(r);
    if (e > maxUlp) [maxUlp, at] = [e, x];
  }
  return { maxUlp, at, wrong };
}

if (process.env.WASM_ELEMENTWISE_CHILD === "1") {
  // The relaxed-SIMD child: report, the parent asserts.
  c.setBackend("wasm");
  const report = Object.fromEntries(MATH.map((m) => [m.name, measure(m)]));
  console.log(JSON.stringify({ simd: c.backendInfo().simd, report }));
} else {
  registerTests();
}

function registerTests(): void {
  describe("wasm float32 math", () => {
    before(() => c.setBackend("wasm"));
    for (const m of MATH) {
      test(`${m.name} within ${m.maxUlp} ulp, exact at nan/inf/0/overflow`, (t) => {
        const { maxUlp, at, wrong } = measure(m);
        t.diagnostic(`${m.name}: max ${maxUlp.toFixed(3)} ulp at x = ${at}`);
        assert.equal(wrong, null);
        assert.ok(maxUlp <= m.maxUlp, `${m.name}: ${maxUlp} ulp at x = ${at}`);
      });
    }
    test("the relaxed-SIMD build is as accurate", { timeout: 120_000 }, (t) => {
      const run = spawnSync(process.execPath, ["--experimental-wasm-relaxed-simd", "--import", "tsx", FILE], {
        encoding: "utf8",
        env: { ...process.env, WASM_ELEMENTWISE_CHILD: "1" },
      });
      assert.equal(run.status, 0, run.stderr);
      const { simd, report } = JSON.parse(run.stdout.trim().split("\n").pop()!) as {
        simd: string;
        report: Record<string, ReturnType<typeof measure>>;
      };
      assert.equal(simd, "relaxed");
      for (const m of MATH) {
        const r = report[m.name]!;
        t.diagnostic(`relaxed ${m.name}: max ${r.maxUlp.toFixed(3)} ulp at x = ${r.at}`);
        assert.equal(r.wrong, null);
        assert.ok(r.maxUlp <= m.maxUlp, `relaxed ${m.name}: ${r.maxUlp} ulp at x = ${r.at}`);
      }
    });
  });

  describe("wasm elementwise layouts against the js kernels", () => {
    layoutTests();
  });

  describe("wasm reductions and softmax against the js kernels", () => {
    reductionTests();
  });
}

// ---------------------------------------------------------------------------------------
// Layouts: the same computation on both backends.

/** Deterministic float32 data with a few specials. */
function data(n: number, seed: number, specials = true): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 8 - 4;
  }
  if (specials && n >= 8) out.set([NaN, Infinity, -Infinity, -0, 0, 1e-40], 1);
  return out;
}

type Build = (make: (values: ArrayLike<number>, shape: number[], dtype?: c.DType) => Tensor) => Tensor;

/** Runs `build` on each backend (inputs made on that backend) and returns both results. */
function onBoth(build: Build): { wasm: Tensor; js: Tensor; fellBack: boolean } {
  const make = (values: ArrayLike<number>, shape: number[], dtype: c.DType = "float32") =>
    c.tensor(dtype === "float32" ? Float32Array.from(values) : Array.from(values), { dtype }).reshape(shape);
  c.setBackend("wasm");
  const before = total(c.fallbackCounts());
  const wasm = build(make);
  const fellBack = total(c.fallbackCounts()) > before;
  c.setBackend("js");
  const js = build(make);
  c.setBackend("wasm");
  return { wasm, js, fellBack };
}

function total(counts: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}

/** Bitwise equality (nan matches nan), or within atol + rtol·|js| when either is given. */
function assertSame(wasm: Tensor, js: Tensor, rtol = 0, what = "", atol = 0): void {
  assert.deepEqual(wasm.shape, js.shape, `${what}: shape`);
  assert.equal(wasm.dtype, js.dtype, `${what}: dtype`);
  const a = wasm.dataSync();
  const b = js.dataSync();
  for (let i = 0; i < b.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if ((rtol === 0 && atol === 0) || !Number.isFinite(y)) {
      if (!(x === y)) assert.fail(`${what}: element ${i} is ${x} on wasm, ${y} on js`);
    } else if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      assert.fail(`${what}: element ${i} is ${x} on wasm, ${y} on js (rtol ${rtol}, atol ${atol})`);
    }
  }
}

function layoutTests(): void {
  const binaries: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ["add", c.add], ["sub", c.sub], ["mul", c.mul], ["div", c.div], ["maximum", c.maximum], ["minimum", c.minimum],
    ["eq", c.eq], ["ne", c.ne], ["lt", c.lt], ["le", c.le], ["gt", c.gt], ["ge", c.ge],
  ];
  const layouts: [string, Build[]][] = [
    ["same shape, long (several threads)", [(m) => m(data(100_003, 1), [100_003]), (m) => m(data(100_003, 2), [100_003])]],
    ["row broadcast (bias)", [(m) => m(data(37 * 19, 3), [37, 19]), (m) => m(data(19, 4), [19])]],
    ["column broadcast", [(m) => m(data(37 * 19, 5), [37, 19]), (m) => m(data(37, 6), [37, 1])]],
    ["outer product broadcast", [(m) => m(data(13, 7), [13, 1]), (m) => m(data(11, 8), [1, 11])]],
    ["0-d operand", [(m) => m(data(30, 9), [5, 6]), (m) => m([1.5], [])]],
    ["transposed operand", [(m) => m(data(7 * 9, 10), [7, 9]).t(), (m) => m(data(9 * 7, 11), [9, 7])]],
    ["stepped slice", [(m) => m(data(8 * 10, 12), [8, 10]).slice(1, 1, null, 3), (m) => m(data(8 * 3, 13), [8, 3])]],
    ["expanded 4-d", [(m) => m(data(2 * 3 * 1 * 5, 14), [2, 3, 1, 5]).expand([2, 3, 4, 5]), (m) => m(data(4 * 5, 15), [4, 5])]],
    ["empty", [(m) => m([], [0, 3]), (m) => m(data(3, 16), [3])]],
  ];
  for (const [layout, [makeA, makeB]] of layouts) {
    test(`binary ops, ${layout}: bit for bit, on wasm`, () => {
      for (const [name, f] of binaries) {
        const r = onBoth((m) => f(makeA!(m), makeB!(m)));
        assertSame(r.wasm, r.js, 0, `${name} (${layout})`);
        assert.equal(r.fellBack, false, `${name} (${layout}) fell back to js`);
      }
    });
  }
  test("JS numbers and one-element tensors of other dtypes convert as the js kernels do", () => {
    const cases: [string, Build][] = [
      ["x.mul(2)", (m) => m(data(100, 17), [10, 10]).mul(2)],
      ["x.add(0.1)", (m) => m(data(100, 18), [10, 10]).add(0.1)],
      ["x.add(true)", (m) => m(data(100, 19), [10, 10]).add(true)],
      ["x.div(3n)", (m) => m(data(100, 20), [10, 10]).div(3n)],
      ["x.gt(0.5)", (m) => m(data(100, 21), [10, 10]).gt(0.5)],
      ["x times an int64 column", (m) => m(data(100, 22), [10, 10]).mul(m(Array.from({ length: 10 }, (_, i) => i - 5), [10, 1], "int64"))],
      ["x times a bool mask", (m) => m(data(100, 23), [10, 10]).mul(m(data(100, 24).map((v) => (v > 0 ? 1 : 0)), [10, 10], "bool"))],
    ];
    for (const [what, build] of cases) {
      const r = onBoth(build);
      assertSame(r.wasm, r.js, 0, what);
      assert.equal(r.fellBack, false, `${what} fell back to js`);
    }
  });
  test("float32 times a bool mask, read in place (mulMaskF32): nan and inf times false give nan", () => {
    const mask = (m: Parameters<Build>[0], n: number, seed: number, shape: number[]) =>
      m(data(n, seed).map((v) => (v > 0 ? 1 : 0)), shape, "bool");
    const cases: [string, Build][] = [
      ["long, several threads", (m) => m(data(100_003, 40), [100_003]).mul(mask(m, 100_003, 41, [100_003]))],
      ["mask first, column broadcast", (m) => mask(m, 37, 42, [37, 1]).mul(m(data(37 * 19, 43), [37, 19]))],
      ["transposed mask", (m) => m(data(7 * 9, 44), [7, 9]).mul(mask(m, 9 * 7, 45, [9, 7]).t())],
      ["specials", (m) => m([Infinity, -Infinity, Number.NaN, -0, 1, Infinity, Number.NaN, 2, 3], [9]).mul(m([0, 0, 0, 1, 0, 1, 1, 1, 0], [9], "bool"))],
    ];
    for (const [what, build] of cases) {
      const r = onBoth(build);
      assertSame(r.wasm, r.js, 0, what);
      assert.equal(r.fellBack, false, `${what} fell back to js`);
    }
  });
  test("where: bool conditions broadcast against float32 values", () => {
    const r = onBoth((m) => {
      const x = m(data(12 * 7, 25), [12, 7]);
      return c.where(x.gt(0), x, m(data(7, 26), [7]));
    });
    assertSame(r.wasm, r.js, 0, "where");
    assert.equal(r.fellBack, false);
    const big = onBoth((m) => {
      const x = m(data(70_001, 27), [70_001]);
      return c.where(x.lt(1), m([2.5], []), x);
    });
    assertSame(big.wasm, big.js, 0, "where, scalar branch");
  });
  test("exact unary ops and clamp: bit for bit; rsqrt and reciprocal within 1 ulp", () => {
    const unaries: [string, (x: Tensor) => Tensor, number][] = [
      ["neg", c.neg, 0], ["abs", c.abs, 0], ["relu", c.relu, 0], ["sign", c.sign, 0], ["floor", c.floor, 0], ["ceil", c.ceil, 0],
      ["trunc", c.trunc, 0], ["round", (x) => c.round(x), 0], ["sqrt", c.sqrt, 0], ["rsqrt", c.rsqrt, 1.2e-7],
      ["reciprocal", c.reciprocal, 0], ["clamp", (x) => c.clamp(x, -0.5, 2), 0], ["clamp min > max", (x) => c.clamp(x, 1, -1), 0],
      // x·x·x and 1/(x·x) round twice, as PyTorch computes them; js's pow rounds once.
      ["square", (x) => x.pow(2), 0], ["cube", (x) => x.pow(3), 2.4e-7], ["pow -2", (x) => x.pow(-2), 2.4e-7], ["pow 1", (x) => x.pow(1), 0],
      ["pow 0", (x) => x.pow(0), 0],
    ];
    for (const [name, f, rtol] of unaries) {
      for (const [layout, build] of [
        ["contiguous", (m) => f(m(data(50_017, 28), [50_017]))],
        ["transposed", (m) => f(m(data(33 * 17, 29), [33, 17]).t())],
      ] as [string, Build][]) {
        const r = onBoth(build);
        assertSame(r.wasm, r.js, rtol, `${name} (${layout})`);
        assert.equal(r.fellBack, false, `${name} (${layout}) fell back to js`);
      }
    }
  });
  test("a layout that does not fold to four dims falls back and still agrees", () => {
    const r = onBoth((m) => m(data(2 * 3 * 4 * 5 * 6, 30), [2, 3, 4, 5, 6]).permute([4, 3, 2, 1, 0]).exp());
    assertSame(r.wasm, r.js, 4e-6, "exp of a 5-d permutation");
    assert.equal(r.fellBack, true);
  });
}

// ---------------------------------------------------------------------------------------
// Reductions and softmax.

function reductionTests(): void {
  const shapes: [string, number[], (number | number[] | undefined)[]][] = [
    ["rows", [33, 45], [1, -1]],
    ["columns (N not a multiple of 4)", [45, 33], [0]],
    ["middle dim", [3, 17, 10], [1]],
    ["all", [1000], [undefined, 0]],
    ["first and last of 4-d (a conv bias gradient)", [4, 5, 6, 7], [[0, 2, 3], [0, 3]]],
    ["long row (summed in chunks, several threads)", [600_001], [undefined]],
    ["many rows (several threads)", [1200, 600], [1, 0]],
  ];
  for (const [what, shape, dims] of shapes) {
    test(`sum, amax, amin over ${what}`, () => {
      for (const dim of dims) {
        const n = shape.reduce((p, q) => p * q, 1);
        const dimList = dim === undefined ? shape.map((_, i) => i) : typeof dim === "number" ? [dim] : dim;
        const reduced = dimList.reduce((p, d) => p * shape[d < 0 ? d + shape.length : d]!, 1);
        // float32 accumulation (js sums in float64): an error of a few roundings of the
        // partial sums, |x| <= 4, however much the total cancels.
        const sumAtol = 4 * reduced * 2 ** -24;
        for (const [name, f, rtol, atol] of [
          ["sum", (x: Tensor) => c.sum(x, dim), 2e-6, sumAtol],
          ["amax", (x: Tensor) => c.amax(x, dim), 0, 0],
          ["amin", (x: Tensor) => c.amin(x, dim), 0, 0],
        ] as [string, (x: Tensor) => Tensor, number, number][]) {
          const r = onBoth((m) => f(m(data(n, n + 31, false), shape)));
          assertSame(r.wasm, r.js, rtol, `${name} over ${JSON.stringify(dim)} of [${shape}]`, atol);
          assert.equal(r.fellBack, false, `${name} over ${JSON.stringify(dim)} of [${shape}] fell back`);
        }
      }
    });
  }
  test("sum of a transposed tensor reads its base in memory order", () => {
    const r = onBoth((m) => c.sum(m(data(40 * 30, 32, false), [40, 30]).t(), 1));
    assertSame(r.wasm, r.js, 2e-6, "sum of x.t() over dim 1", 4 * 40 * 2 ** -24);
    assert.equal(r.fellBack, false);
  });
  test("nan wins in amax, amin, argmax and argmin; the first extremum wins ties", () => {
    const values = data(24 * 37, 33, false);
    values[5 * 37 + 30] = NaN;
    values[7 * 37 + 2] = NaN;
    values[7 * 37 + 20] = NaN;
    for (let j = 0; j < 37; j++) values[9 * 37 + j] = j % 5 === 0 ? 3 : 1; // ties in row 9
    for (const [name, f] of [
      ["amax rows", (x: Tensor) => c.amax(x, 1)],
      ["amin cols", (x: Tensor) => c.amin(x, 0)],
      ["argmax rows", (x: Tensor) => c.argmax(x, 1)],
      ["argmin rows", (x: Tensor) => c.argmin(x, 1)],
      ["argmax cols", (x: Tensor) => c.argmax(x, 0)],
      ["argmin cols", (x: Tensor) => c.argmin(x, 0)],
      ["argmax all", (x: Tensor) => c.argmax(x)],
    ] as [string, (x: Tensor) => Tensor][]) {
      const r = onBoth((m) => f(m(values, [24, 37])));
      assertSame(r.wasm, r.js, 0, name);
      assert.equal(r.fellBack, false, `${name} fell back`);
    }
  });
  test("softmax and logSoftmax by rows and by columns, with nan and inf lines", () => {
    const values = data(40 * 51, 34, false);
    values[3 * 51 + 7] = NaN; // row 3
    values[8 * 51 + 1] = Infinity; // row 8
    for (let j = 0; j < 51; j++) values[12 * 51 + j] = -Infinity; // row 12
    for (const [shape, dim] of [[[40, 51], 1], [[40, 51], 0], [[4, 10, 51], 1], [[2040], 0]] as [number[], number][]) {
      for (const [name, f] of [["softmax", c.softmax], ["logSoftmax", c.logSoftmax]] as const) {
        const r = onBoth((m) => f(m(values, shape), dim));
        assertSame(r.wasm, r.js, 2e-6, `${name} over dim ${dim} of [${shape}]`);
        assert.equal(r.fellBack, false, `${name} over dim ${dim} of [${shape}] fell back`);
      }
    }
  });
  test("softmax and logSoftmax of one long line, split in chunks across threads", () => {
    const values = data(100_003, 35, false);
    for (const [name, f] of [["softmax", c.softmax], ["logSoftmax", c.logSoftmax]] as const) {
      const r = onBoth((m) => f(m(values, [100_003]), 0));
      assertSame(r.wasm, r.js, 2e-6, `${name} of a long line`);
      assert.equal(r.fellBack, false);
      values[77_777] = NaN;
      const withNan = onBoth((m) => f(m(values, [100_003]), 0));
      assertSame(withNan.wasm, withNan.js, 0, `${name} of a long line with a nan`);
      values[77_777] = 1;
    }
  });
}
