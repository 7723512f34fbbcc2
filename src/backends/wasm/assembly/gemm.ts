// Single-precision GEMM: C = act(alpha·op(A)·op(B) + beta·C + bias), row-major, with op an
// optional transpose. Each call computes one rectangular block of C, rows [m0, m1) and columns
// [n0, n1), so the JS side can hand blocks to threads that share the memory.
//
// Note: GEMM blocking
// The loop nest is GotoBLAS/BLIS's. For each NC-wide column block of op(B) and each KC-deep
// k-block, op(B)[k-block, column block] is packed into NR-wide strips (k-major: NR values of
// one k are contiguous). For each MC-tall row block, op(A)[row block, k-block] is packed into
// MR-tall strips the same way. The micro-kernel then walks one A strip and one B strip over
// the k-block, keeping the MR×NR tile of C in registers. A B strip (KC·NR·4 = 16 KiB) stays in
// L1 while every A strip of the row block streams past it from L2 (MC·KC·4 = 128 KiB); the
// packed B block (KC·NC·4 = 1 MiB) stays in L2 (2 MiB per core here) across row blocks.
// Packing zero-pads strips to MR and NR, so the micro-kernel never branches on edges; an edge
// tile is computed into a scratch tile and merged into C by a scalar loop. A deep k-block
// matters most: each one ends with a load and store of the C tile, and KC = 512 ran 10-15 %
// faster than 256 at n = 2048 (MC and NC then sized to keep the blocks above in cache).
//
// Why 4×8 (MR×NR): V8's TurboFan (Node 20) issues every load of a loop iteration before the
// arithmetic that uses it, so an iteration holds all its broadcast A values and B vectors in
// registers at once, next to the accumulators. x64 gives wasm 15 usable xmm registers: 4×8 needs 8
// accumulators + 4 broadcasts + 2 B vectors + 1 product temporary = 15; 6×8 or 4×12 spill
// accumulators to the stack on every iteration and run 30-40 % slower (measured), and so does
// unrolling the k loop (twice the loads in flight). At 4×8 the plain variant runs at the
// mul+add port limit (the simdPeak figure), the relaxed one at about 80 % of its FMA peak: its 8
// accumulators are just enough to cover the FMA latency (4 cycles × 2 per cycle), and 3×12
// (9 accumulators, 15 registers) measured no better.
//
// Nothing here keeps state in linear memory: instances on several threads share the memory,
// and each thread passes its own scratch area (sgemmScratchBytes() bytes, 16-byte aligned).

/** Rows of C per micro-tile. */
const MR: i32 = 4;
/** Columns of C per micro-tile: two f32x4 vectors. */
const NR: i32 = 8;
/** Depth of a k-block. */
const KC: i32 = 512;
/** Rows of op(A) packed at a time (a multiple of MR). */
const MC: i32 = 64;
/** Columns of op(B) packed at a time (a multiple of NR). */
const NC: i32 = 512;

const PACK_A_BYTES: i32 = MC * KC * 4;
const PACK_B_BYTES: i32 = KC * NC * 4;
const TILE_BYTES: i32 = MR * NR * 4;

/** Epilogue activations (the `activation` argument of sgemm). */
const ACTIVATION_RELU: i32 = 1;

/** Bytes of per-thread scratch that sgemm needs: packed A block, packed B block, edge tile. */
export function sgemmScratchBytes(): i32 {
  return PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES;
}

/** a·b + c: one fused instruction in the relaxed-SIMD build, a multiply then an add otherwise. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  else return f32x4.add(c, f32x4.mul(a, b));
}

/** Writes one f32x4 of a full tile: c = act(alpha·acc + betaK·c + bias); c is not read when betaK is 0. */
@inline function storeTileVector(
  acc: v128, c: usize, alpha: v128, betaK: f32, beta: v128, bias: v128, relu: bool,
): void {
  let v = f32x4.mul(acc, alpha);
  if (betaK != 0) v = madd(beta, v128.load(c), v);
  v = f32x4.add(v, bias);
  if (relu) v = f32x4.max(v, f32x4.splat(0));
  v128.store(c, v);
}

/**
 * The 4×8 micro-kernel: acc = packed A strip (kc × 4) times packed B strip (kc × 8), then
 * c[r][q] = act(alpha·acc[r][q] + betaK·c[r][q] + bias[q]) for the 4 rows at c, ldc bytes apart.
 * `bias` is 0 for none.
 */
function microKernel4x8(
  kc: i32, pa: usize, pb: usize, c: usize, ldc: usize,
  alpha: f32, betaK: f32, bias: usize, relu: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + <usize>kc * (NR * 4);
  while (pb < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load32_splat(pa, 4);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load32_splat(pa, 8);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load32_splat(pa, 12);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    pa += MR * 4;
    pb += NR * 4;
  }
  const alphaV = f32x4.splat(alpha);
  const betaV = f32x4.splat(betaK);
  const bias0 = bias ? v128.load(bias) : f32x4.splat(0);
  const bias1 = bias ? v128.load(bias, 16) : f32x4.splat(0);
  storeTileVector(c00, c, alphaV, betaK, betaV, bias0, relu);
  storeTileVector(c01, c + 16, alphaV, betaK, betaV, bias1, relu);
  storeTileVector(c10, c + ldc, alphaV, betaK, betaV, bias0, relu);
  storeTileVector(c11, c + ldc + 16, alphaV, betaK, betaV, bias1, relu);
  storeTileVector(c20, c + 2 * ldc, alphaV, betaK, betaV, bias0, relu);
  storeTileVector(c21, c + 2 * ldc + 16, alphaV, betaK, betaV, bias1, relu);
  storeTileVector(c30, c + 3 * ldc, alphaV, betaK, betaV, bias0, relu);
  storeTileVector(c31, c + 3 * ldc + 16, alphaV, betaK, betaV, bias1, relu);
}

/** Stores the 4×4 transpose of rows r0..r3 at out, out + stride, out + 2·stride, out + 3·stride. */
@inline function storeTransposed4x4(r0: v128, r1: v128, r2: v128, r3: v128, out: usize, stride: usize): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
  const t1 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(out, f32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(out + stride, f32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(out + 2 * stride, f32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(out + 3 * stride, f32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs op(A)[i0 : i0+mc, p0 : p0+kc] into MR-row strips: strip s holds, for each k, the MR
 * values op(A)[i0 + s·MR + r, p0 + k] (r < MR) contiguously; rows past mc are zeros.
 * op(A)[i, k] is a[i·lda + k], or a[k·lda + i] when transA.
 */
function packA(transA: bool, a: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  const ldaBytes = <usize>lda * 4;
  for (let s = 0; s < mc; s += MR) {
    const rows = min(MR, mc - s);
    const out = dst + <usize>(s * kc) * 4;
    if (transA) {
      // The MR values of one k are contiguous in a.
      let src = a + <usize>p0 * ldaBytes + <usize>(i0 + s) * 4;
      for (let k = 0; k < kc; k++, src += ldaBytes) {
        const o = out + <usize>(k * MR) * 4;
        if (rows == MR) v128.store(o, v128.load(src));
        else for (let r = 0; r < MR; r++) store<f32>(o + r * 4, r < rows ? load<f32>(src + r * 4) : 0);
      }
    } else {
      const src = a + <usize>(i0 + s) * ldaBytes + <usize>p0 * 4;
      let k = 0;
      if (rows == MR) {
        for (; k + 4 <= kc; k += 4) {
          const at = src + <usize>k * 4;
          storeTransposed4x4(
            v128.load(at), v128.load(at + ldaBytes), v128.load(at + 2 * ldaBytes), v128.load(at + 3 * ldaBytes),
            out + <usize>(k * MR) * 4, MR * 4,
          );
        }
      }
      for (; k < kc; k++) {
        const o = out + <usize>(k * MR) * 4;
        for (let r = 0; r < MR; r++) {
          store<f32>(o + r * 4, r < rows ? load<f32>(src + <usize>r * ldaBytes + <usize>k * 4) : 0);
        }
      }
    }
  }
}

/**
 * Packs op(B)[p0 : p0+kc, j0 : j0+nc] into NR-column strips: strip t holds, for each k, the NR
 * values op(B)[p0 + k, j0 + t·NR + q] (q < NR) contiguously; columns past nc are zeros.
 * op(B)[k, j] is b[k·ldb + j], or b[j·ldb + k] when transB.
 */
function packB(transB: bool, b: usize, ldb: i32, j0: i32, nc: i32, p0: i32, kc: i32, dst: usize): void {
  const ldbBytes = <usize>ldb * 4;
  for (let t = 0; t < nc; t += NR) {
    const cols = min(NR, nc - t);
    const out = dst + <usize>(t * kc) * 4;
    if (!transB) {
      // The NR values of one k are contiguous in b.
      let src = b + <usize>p0 * ldbBytes + <usize>(j0 + t) * 4;
      for (let k = 0; k < kc; k++, src += ldbBytes) {
        const o = out + <usize>(k * NR) * 4;
        if (cols == NR) {
          v128.store(o, v128.load(src));
          v128.store(o, v128.load(src, 16), 16);
        } else {
          for (let q = 0; q < NR; q++) store<f32>(o + q * 4, q < cols ? load<f32>(src + q * 4) : 0);
        }
      }
    } else {
      const src = b + <usize>(j0 + t) * ldbBytes + <usize>p0 * 4;
      let k = 0;
      if (cols == NR) {
        for (; k + 4 <= kc; k += 4) {
          const at = src + <usize>k * 4;
          const o = out + <usize>(k * NR) * 4;
          storeTransposed4x4(
            v128.load(at), v128.load(at + ldbBytes), v128.load(at + 2 * ldbBytes), v128.load(at + 3 * ldbBytes),
            o, NR * 4,
          );
          const at4 = at + 4 * ldbBytes;
          storeTransposed4x4(
            v128.load(at4), v128.load(at4 + ldbBytes), v128.load(at4 + 2 * ldbBytes), v128.load(at4 + 3 * ldbBytes),
            o + 16, NR * 4,
          );
        }
      }
      for (; k < kc; k++) {
        const o = out + <usize>(k * NR) * 4;
        for (let q = 0; q < NR; q++) {
          store<f32>(o + q * 4, q < cols ? load<f32>(src + <usize>q * ldbBytes + <usize>k * 4) : 0);
        }
      }
    }
  }
}

/** The same epilogue as storeTileVector, one element at a time, for edge tiles. */
function mergeEdgeTile(
  tile: usize, rows: i32, cols: i32, c: usize, ldc: usize, betaK: f32, bias: usize, relu: bool,
): void {
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const at = c + <usize>r * ldc + <usize>q * 4;
      let v = load<f32>(tile + <usize>(r * NR + q) * 4);
      if (betaK != 0) v += betaK * load<f32>(at);
      if (bias) v += load<f32>(bias + <usize>q * 4);
      if (relu) v = max(v, <f32>0);
      store<f32>(at, v);
    }
  }
}

/** C block without a product (k = 0 or alpha = 0, where BLAS reads neither A nor B): C = act(beta·C + bias). */
function scaleBlock(
  m0: i32, m1: i32, n0: i32, n1: i32, beta: f32, c: usize, ldc: i32, bias: usize, relu: bool,
): void {
  for (let i = m0; i < m1; i++) {
    for (let j = n0; j < n1; j++) {
      const at = c + (<usize>i * ldc + j) * 4;
      let v: f32 = beta == 0 ? 0 : beta * load<f32>(at);
      if (bias) v += load<f32>(bias + <usize>j * 4);
      if (relu) v = max(v, <f32>0);
      store<f32>(at, v);
    }
  }
}

/**
 * One block of C = act(alpha·op(A)·op(B) + beta·C + bias): rows [m0, m1), columns [n0, n1).
 *
 * Row-major with leading dimensions in elements: op(A) is M×k, stored as a[i·lda + p], or
 * a[p·lda + i] when transA ≠ 0; op(B) is k×N, stored as b[p·ldb + j], or b[j·ldb + p] when
 * transB ≠ 0; C is c[i·ldc + j]. Pointers are byte addresses in the shared memory. When beta is
 * 0, C is only written (NaN in C does not propagate, as in BLAS). `bias` points at N floats
 * added per column (indexed by the global column j), or is 0 for none. `activation` is 0 for
 * none or 1 for relu (max(x, 0), NaN stays NaN). `scratch` is this thread's sgemmScratchBytes()
 * bytes, 16-byte aligned.
 *
 * Blocks computed by different threads must not overlap in C; for the thread split, any cut
 * is correct, and cuts at multiples of 4 rows or 8 columns waste no work on edge tiles.
 */
export function sgemm(
  transA: i32, transB: i32,
  m0: i32, m1: i32, n0: i32, n1: i32, k: i32,
  alpha: f32, a: usize, lda: i32,
  b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32,
  bias: usize, activation: i32,
  scratch: usize,
): void {
  if (m1 <= m0 || n1 <= n0) return;
  const relu = activation == ACTIVATION_RELU;
  if (k <= 0 || alpha == 0) {
    scaleBlock(m0, m1, n0, n1, beta, c, ldc, bias, relu);
    return;
  }
  const packedA = scratch;
  const packedB = scratch + PACK_A_BYTES;
  const tile = packedB + PACK_B_BYTES;
  const ldcBytes = <usize>ldc * 4;
  // ceil(k / KC) k-blocks of nearly equal depth, so no block is left a few steps deep.
  const kBlocks = (k + KC - 1) / KC;
  const kcStep = (k + kBlocks - 1) / kBlocks;
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < k; pc += kcStep) {
      const kc = min(kcStep, k - pc);
      // beta applies once, on the first k-block; bias and activation once C is complete.
      const betaK: f32 = pc == 0 ? beta : 1;
      const last = pc + kc >= k;
      const tileRelu = last && relu;
      packB(transB != 0, b, ldb, jc, nc, pc, kc, packedB);
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = min(MC, m1 - ic);
        packA(transA != 0, a, lda, ic, mc, pc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const pb = packedB + <usize>(jr * kc) * 4;
          const tileBias: usize = last && bias ? bias + <usize>(jc + jr) * 4 : 0;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const pa = packedA + <usize>(ir * kc) * 4;
            const at = c + <usize>(ic + ir) * ldcBytes + <usize>(jc + jr) * 4;
            if (rows == MR && cols == NR) {
              microKernel4x8(kc, pa, pb, at, ldcBytes, alpha, betaK, tileBias, tileRelu);
            } else {
              microKernel4x8(kc, pa, pb, tile, NR * 4, alpha, 0, 0, false);
              mergeEdgeTile(tile, rows, cols, at, ldcBytes, betaK, tileBias, tileRelu);
            }
          }
        }
      }
    }
  }
}

/**
 * Peak probe for the benchmark: 12 independent f32x4 chains acc = acc·m + c (a fused
 * multiply-add in the relaxed build, a multiply and an add otherwise), `iterations` times,
 * 96 flops per iteration. Pass m = 0.5, c = 1 (the chains converge to 2: no overflow, no
 * subnormals). m and c are arguments so that no compiler can fold them or rebuild them inside
 * the loop. Returns a sum of the lanes so the work is not dead code.
 */
export function simdPeak(iterations: i32, m: f32, c: f32): f32 {
  const mv = f32x4.splat(m);
  const cv = f32x4.splat(c);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(1), a2 = f32x4.splat(2), a3 = f32x4.splat(3);
  let a4 = f32x4.splat(4), a5 = f32x4.splat(5), a6 = f32x4.splat(6), a7 = f32x4.splat(7);
  let a8 = f32x4.splat(8), a9 = f32x4.splat(9), a10 = f32x4.splat(10), a11 = f32x4.splat(11);
  for (let i = 0; i < iterations; i++) {
    a0 = madd(a0, mv, cv); a1 = madd(a1, mv, cv); a2 = madd(a2, mv, cv); a3 = madd(a3, mv, cv);
    a4 = madd(a4, mv, cv); a5 = madd(a5, mv, cv); a6 = madd(a6, mv, cv); a7 = madd(a7, mv, cv);
    a8 = madd(a8, mv, cv); a9 = madd(a9, mv, cv); a10 = madd(a10, mv, cv); a11 = madd(a11, mv, cv);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)),
    f32x4.add(f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)), f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
