/**
 * The wasm sgemm kernel (src/backends/wasm/assembly/gemm.ts) against a float64 reference:
 * every shape edge of the 4×8 micro-tile and of the cache blocks (MC = 64 rows, KC = 512
 * deep, NC = 512 columns), every transpose case, alpha/beta, bias and relu epilogues, padded
 * leading dimensions, and C computed in two blocks with separate scratch areas, as two threads
 * would. Error bound per element: 1e-5 × (|alpha|·Σ|a||b| + |beta·c| + |bias|).
 *
 * The relaxed-SIMD build needs `--experimental-wasm-relaxed-simd` on Node 20, so it runs in a
 * child process: this same file with GEMM_RELAXED_CHILD=1, which checks the same cases against
 * the reference and against the plain build, and prints a JSON summary instead of registering
 * tests.
 *
 * Build the kernels first: `node scripts/build-wasm.mjs`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { RELAXED_WASM, SIMD_WASM } from "../../src/backends/wasm/generated/binaries.ts";

const RTOL = 1e-5;
const SIZES = [1, 2, 3, 5, 7, 13, 16, 17, 31, 64, 65, 127, 129, 300];

interface GemmExports {
  sgemm(
    transA: number, transB: number, m0: number, m1: number, n0: number, n1: number, k: number,
    alpha: number, a: number, lda: number, b: number, ldb: number,
    beta: number, c: number, ldc: number, bias: number, activation: number, scratch: number,
  ): void;
  sgemmScratchBytes(): number;
}

interface GemmCase {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  bias: boolean;
  relu: boolean;
  /** Extra elements per row beyond the stored width, for every matrix. */
  pad: number;
  /** Compute C in two blocks (two scratch areas), split at this row or column. */
  split?: { rows: number } | { cols: number };
}

interface CaseResult {
  name: string;
  /** max over C of |got − ref| / bound; ≤ 1 passes. */
  worst: number;
  /** Elements outside C's block, in A or B, or past a buffer's end that changed, or NaN let through from C. */
  corrupted: number;
  /** C's elements in the block, and each one's error bound, for comparing two builds. */
  values: number[];
  bounds: number[];
}

/** mulberry32: a small seeded generator, so every run checks the same numbers. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One module instance on its own shared memory, with a bump allocator that `reset` rewinds. */
class Kernel {
  readonly memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  readonly gemm: GemmExports;
  private top = 1 << 16;
  private guards: number[] = [];

  constructor(base64: string) {
    const module = new WebAssembly.Module(Buffer.from(base64, "base64"));
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.gemm = instance.exports as unknown as GemmExports;
    if (typeof this.gemm.sgemm !== "function") throw new Error("no sgemm export: rebuild with node scripts/build-wasm.mjs");
  }

  /** Allocates 64-byte aligned, followed by a 64-byte guard band that `guardsIntact` checks. */
  alloc(floats: number): number {
    const at = this.top;
    const guard = at + Math.ceil((floats * 4) / 64) * 64;
    this.top = guard + 64;
    const short = this.top - this.memory.buffer.byteLength;
    if (short > 0) this.memory.grow(Math.ceil(short / 65536));
    this.floats(guard, 16).fill(GUARD);
    this.guards.push(guard);
    return at;
  }

  guardsIntact(): boolean {
    return this.guards.every((g) => this.floats(g, 16).every((x) => x === GUARD));
  }

  floats(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length);
  }

  reset(): void {
    this.top = 1 << 16;
    this.guards = [];
  }
}

/** Fills padding columns of A, B and C, which the kernel must neither use nor write. */
const SENTINEL = -12345.5;
/** Fills the bands between buffers, which the kernel must not write (a too-small scratch would). */
const GUARD = 98765.25;

/** Runs one case on `kernel`, checks it against float64, returns the worst error ratio. */
function runCase(kernel: Kernel, c: GemmCase, seed: number): CaseResult {
  kernel.reset();
  const next = random(seed);
  const { m, n, k, transA, transB, alpha, beta, pad } = c;
  // Stored shapes: op(A) is m×k, op(B) is k×n.
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
  const aAt = kernel.alloc(aRows * lda), bAt = kernel.alloc(bRows * ldb), cAt = kernel.alloc(m * ldc);
  const biasAt = c.bias ? kernel.alloc(n) : 0;
  const scratch = [kernel.alloc(kernel.gemm.sgemmScratchBytes() / 4), kernel.alloc(kernel.gemm.sgemmScratchBytes() / 4)];
  const a = kernel.floats(aAt, aRows * lda), b = kernel.floats(bAt, bRows * ldb), cm = kernel.floats(cAt, m * ldc);
  const bias = c.bias ? kernel.floats(biasAt, n) : new Float32Array(n);
  for (let i = 0; i < a.length; i++) a[i] = i % lda < aCols ? next() * 2 - 1 : SENTINEL;
  for (let i = 0; i < b.length; i++) b[i] = i % ldb < bCols ? next() * 2 - 1 : SENTINEL;
  // beta = 0 must not read C (BLAS): fill it with NaN to catch a read.
  for (let i = 0; i < cm.length; i++) cm[i] = i % ldc >= n ? SENTINEL : beta === 0 ? NaN : next() * 2 - 1;
  for (let j = 0; j < n; j++) bias[j] = next() * 2 - 1;
  const a0 = a.slice(), b0 = b.slice(), c0 = cm.slice();

  const call = (m0: number, m1: number, n0: number, n1: number, scratchAt: number) =>
    kernel.gemm.sgemm(
      transA ? 1 : 0, transB ? 1 : 0, m0, m1, n0, n1, k, alpha, aAt, lda, bAt, ldb,
      beta, cAt, ldc, biasAt, c.relu ? 1 : 0, scratchAt,
    );
  if (!c.split) call(0, m, 0, n, scratch[0]!);
  else if ("rows" in c.split) {
    call(0, c.split.rows, 0, n, scratch[0]!);
    call(c.split.rows, m, 0, n, scratch[1]!);
  } else {
    call(0, m, 0, c.split.cols, scratch[0]!);
    call(0, m, c.split.cols, n, scratch[1]!);
  }

  let worst = 0, corrupted = 0;
  const values: number[] = [], bounds: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const got = cm[i * ldc + j]!;
      if (j >= n) {
        if (got !== SENTINEL) corrupted++;
        continue;
      }
      let sum = 0, magnitude = 0;
      for (let p = 0; p < k; p++) {
        const x = a0[transA ? p * lda + i : i * lda + p]! * b0[transB ? j * ldb + p : p * ldb + j]!;
        sum += x;
        magnitude += Math.abs(x);
      }
      const cOld = beta === 0 ? 0 : beta * c0[i * ldc + j]!;
      let ref = alpha * sum + cOld + (c.bias ? bias[j]! : 0);
      if (c.relu) ref = Math.max(ref, 0);
      const bound = RTOL * (Math.abs(alpha) * magnitude + Math.abs(cOld) + (c.bias ? Math.abs(bias[j]!) : 0)) + 1e-30;
      if (Number.isNaN(got)) corrupted++;
      else worst = Math.max(worst, Math.abs(got - ref) / bound);
      values.push(got);
      bounds.push(bound);
    }
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== a0[i]) corrupted++;
  for (let i = 0; i < b.length; i++) if (b[i] !== b0[i]) corrupted++;
  if (!kernel.guardsIntact()) corrupted++;
  return { name: caseName(c), worst, corrupted, values, bounds };
}

function caseName(c: GemmCase): string {
  const split = !c.split ? "" : "rows" in c.split ? ` split rows@${c.split.rows}` : ` split cols@${c.split.cols}`;
  return (
    `${c.m}x${c.n}x${c.k} ${c.transA ? "At" : "A"}${c.transB ? "Bt" : "B"} alpha=${c.alpha} beta=${c.beta}` +
    `${c.bias ? " bias" : ""}${c.relu ? " relu" : ""} pad=${c.pad}${split}`
  );
}

/** The case list: deterministic, so the plain and relaxed runs see the same cases. */
function cases(): GemmCase[] {
  const out: GemmCase[] = [];
  const alphas = [1, 0.5, -1.25], betas = [0, 1, 0.75];
  // Each size appears three times in each of m, n, k, against sizes from the other positions.
  for (let i = 0; i < 3 * SIZES.length; i++) {
    out.push({
      m: SIZES[i % SIZES.length]!,
      n: SIZES[(5 * i + 3) % SIZES.length]!,
      k: SIZES[(3 * i + 7) % SIZES.length]!,
      transA: (i & 1) === 1,
      transB: (i & 2) === 2,
      alpha: alphas[i % 3]!,
      beta: betas[Math.floor(i / 3) % 3]!,
      bias: i % 4 === 1 || i % 4 === 2,
      relu: i % 5 === 0 || i % 5 === 3,
      pad: [0, 1, 3, 8][i % 4]!,
    });
  }
  // Every transpose case on tile-unaligned shapes, with and without the full epilogue.
  for (const [m, n, k] of [[13, 17, 31], [65, 129, 300], [127, 31, 65]] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        out.push({ m, n, k, transA, transB, alpha: 1, beta: 0, bias: false, relu: false, pad: 0 });
        out.push({ m, n, k, transA, transB, alpha: -0.5, beta: 0.75, bias: true, relu: true, pad: 5 });
      }
    }
  }
  // Two blocks of C, as two threads would compute them: cuts on and off the 4×8 tile grid.
  for (const split of [{ rows: 64 }, { rows: 33 }, { rows: 1 }, { cols: 64 }, { cols: 61 }, { cols: 128 }]) {
    out.push({ m: 129, n: 300, k: 65, transA: false, transB: false, alpha: 1, beta: 0.5, bias: true, relu: true, pad: 2, split });
    out.push({ m: 129, n: 300, k: 65, transA: true, transB: true, alpha: 2, beta: 0, bias: false, relu: false, pad: 0, split });
  }
  // Several k-blocks (KC = 512), column blocks (NC = 512) and row blocks (MC = 64).
  out.push({ m: 7, n: 13, k: 1000, transA: false, transB: true, alpha: 1, beta: 1, bias: true, relu: false, pad: 1 });
  out.push({ m: 5, n: 2100, k: 17, transA: true, transB: false, alpha: 1, beta: 0, bias: true, relu: true, pad: 0 });
  out.push({ m: 300, n: 9, k: 513, transA: false, transB: false, alpha: 1, beta: 0.5, bias: false, relu: true, pad: 3 });
  // No product: k = 0 or alpha = 0 leaves C = act(beta·C + bias) and reads neither A nor B.
  out.push({ m: 17, n: 31, k: 0, transA: false, transB: false, alpha: 1, beta: 0.5, bias: true, relu: true, pad: 1 });
  out.push({ m: 17, n: 31, k: 13, transA: false, transB: false, alpha: 0, beta: 0, bias: true, relu: false, pad: 0 });
  return out;
}

function checkAll(kernel: Kernel): CaseResult[] {
  return cases().map((c, i) => runCase(kernel, c, 1000 + i));
}

function assertResults(results: CaseResult[]): void {
  for (const r of results) {
    assert.equal(r.corrupted, 0, `${r.name}: ${r.corrupted} elements outside C's block changed, or NaN leaked from C`);
    assert.ok(r.worst <= 1, `${r.name}: error ${r.worst.toFixed(2)}× the bound`);
  }
}

if (process.env.GEMM_RELAXED_CHILD) {
  // Child mode (see the file comment): the relaxed build against the reference and the plain build.
  const relaxed = checkAll(new Kernel(RELAXED_WASM));
  const plain = checkAll(new Kernel(SIMD_WASM));
  // The builds' largest difference, as a fraction of the element's bound.
  let worstDifference = 0;
  for (let i = 0; i < relaxed.length; i++) {
    const x = relaxed[i]!.values, y = plain[i]!.values, bound = relaxed[i]!.bounds;
    for (let j = 0; j < x.length; j++) worstDifference = Math.max(worstDifference, Math.abs(x[j]! - y[j]!) / bound[j]!);
  }
  const summary = relaxed.map(({ name, worst, corrupted }) => ({ name, worst, corrupted }));
  process.stdout.write(JSON.stringify({ summary, worstDifference }));
} else {
  describe("wasm sgemm, plain SIMD", () => {
    const kernel = new Kernel(SIMD_WASM);

    test("matches a float64 reference on every case", () => {
      assertResults(checkAll(kernel));
    });
  });

  describe("wasm sgemm, relaxed SIMD (child process)", () => {
    test("matches the reference and the plain build", (t) => {
      const root = fileURLToPath(new URL("../..", import.meta.url));
      const env: NodeJS.ProcessEnv = { ...process.env, GEMM_RELAXED_CHILD: "1" };
      delete env.NODE_TEST_CONTEXT;
      const run = (flags: string[]) =>
        spawnSync(process.execPath, [...flags, "--import", "tsx", fileURLToPath(import.meta.url)], {
          cwd: root, env, encoding: "utf8", maxBuffer: 64 << 20,
        });
      let child = run(["--experimental-wasm-relaxed-simd"]);
      // A Node that has shipped relaxed SIMD may no longer know the flag.
      if (child.status !== 0 && /bad option/i.test(child.stderr)) child = run([]);
      if (child.status !== 0 && /CompileError/.test(child.stderr)) {
        t.skip(`no relaxed SIMD in this node: ${child.stderr.match(/CompileError.*/)?.[0]}`);
        return;
      }
      assert.equal(child.status, 0, `child failed:\n${child.stderr}`);
      const { summary, worstDifference } = JSON.parse(child.stdout) as {
        summary: Pick<CaseResult, "name" | "worst" | "corrupted">[];
        worstDifference: number;
      };
      assert.equal(summary.length, cases().length);
      assertResults(summary.map((r) => ({ ...r, values: [], bounds: [] })));
      assert.ok(worstDifference <= 1, `relaxed and plain builds differ by ${worstDifference.toFixed(2)}× the bound`);
    });
  });
}
