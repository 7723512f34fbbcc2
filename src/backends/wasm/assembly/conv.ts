// float32 convolution kernels over NCDHW data (1-d and 2-d arrive as 3-d with size-1 dims).
//
// Note: implicit GEMM. A group of a convolution is one matrix product,
//   out[co, (b, p)] = Σ_k A[co, k] · B[k, (b, p)],   k = (ci, kd, kh, kw),
// where A is the weight as a [Co, Ci·KD·KH·KW] matrix and B[k, (b, p)] is the input value that
// tap k of output position p of image b reads (zero in the padding): the im2col matrix. The
// columns of all images form one range, which threads split between them. B is never built
// whole: for each k-block of KC rows and each block of NC columns, it is written straight
// into the NR-wide strips the micro-kernel reads (k-major: NR values of one k contiguous),
// so an im2col pass and a packing pass are one. Element (k, column) of B is
// x[colBase(column) + kOffset(k)]: the column's first tap plus the tap's offset from it,
// tabulated once per call by the JS side. The JS side also copies the input into a
// zero-padded buffer first when the convolution reads outside it, so packing never checks
// bounds. A strip whose 8 columns lie in one output row (stride 1) then reads 8 consecutive
// inputs per k, two vector copies; any other strip (strided, or across rows, as in the
// weight gradient whose output plane is tiny) gathers value by value.
// A, the weights, is packed once per call into MR-tall strips per k-block (convPackWeights).
// Dilation may be negative: a stride-1 transposed convolution is a convolution whose taps
// walk backwards (input o + pb − k·d), with the weight's channel axes swapped.
//
// The micro-kernel is GotoBLAS/BLIS's 4×8 tile (two f32x4 per row): in V8, 8 accumulators,
// 4 broadcasts and 2 B vectors fit x64's 15 usable xmm registers; larger tiles spill (the
// same measurements as gemm.ts's Note: GEMM blocking). A tile whose 8 columns lie in one
// image is stored straight into the output rows; one that straddles two images goes through
// a scratch tile. The first k-block writes acc + bias, later ones add.
//
// Nothing here keeps state in linear memory: every call gets its parameters from a
// descriptor block written by the JS side and its own scratch area (convScratchBytes()).

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const NC: i32 = 256;
/** Rows of packed weights per cache block: MC·KC floats (128 KiB) stay in L2 while the strips sweep them. */
const MC: i32 = 128;

// Descriptor fields (i32 slots). Strides are in elements, pointers are byte addresses.
const X = 0; // input [B, C, ID, IH, IW]; spatial dims contiguous
const X_BATCH = 1;
const X_CHANNEL = 2;
const IN_D = 3;
const IN_H = 4;
const IN_W = 5;
const W = 6; // weight: per (group, out channel, in channel) a contiguous [KD, KH, KW] block
const W_GROUP = 7;
const W_OUT = 8;
const W_IN = 9;
const K_D = 10;
const K_H = 11;
const K_W = 12;
const BIAS = 13; // 0 for none
const OUT = 14; // dense [B, G·Co, OD, OH, OW]
const OUT_D = 15;
const OUT_H = 16;
const OUT_W = 17;
const S_D = 18;
const S_H = 19;
const S_W = 20;
const P_D = 21; // padding before (may be negative)
const P_H = 22;
const P_W = 23;
const D_D = 24; // dilation (may be negative)
const D_H = 25;
const D_W = 26;
const GROUPS = 27;
const CIN_G = 28;
const COUT_G = 29;
const BATCH = 30;
const PACKED = 31; // packed weights, convPackedBytes() bytes
const K_OFFSETS = 32; // i32 per k = (ci, kd, kh, kw): the tap's element offset from its column's first tap
/** Number of i32 slots in a descriptor. */
const DESC_SLOTS = 33;

@inline function field(desc: usize, i: i32): i32 {
  return load<i32>(desc + (<usize>i << 2));
}

/** a·b + c: one fused instruction in the relaxed-SIMD build, a multiply then an add otherwise. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  else return f32x4.add(c, f32x4.mul(a, b));
}

export function convDescriptorSlots(): i32 {
  return DESC_SLOTS;
}

/** Bytes of per-thread scratch convGemm needs: packed B block, edge tile, a strip's column bases. */
export function convScratchBytes(): i32 {
  return KC * NC * 4 + MR * NR * 4 + NR * 4;
}

/** Depth of the k-blocks for a reduction of k values: ceil(k / KC) blocks of nearly equal depth. */
@inline function kStep(k: i32): i32 {
  const blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / blocks;
}

@inline function reduction(desc: usize): i32 {
  return field(desc, CIN_G) * field(desc, K_D) * field(desc, K_H) * field(desc, K_W);
}

@inline function paddedRows(desc: usize): i32 {
  return (field(desc, COUT_G) + MR - 1) / MR * MR;
}

/** Bytes of the packed weights of every group. */
export function convPackedBytes(desc: usize): i32 {
  return field(desc, GROUPS) * paddedRows(desc) * reduction(desc) * 4;
}

/** Number of MR-row strips of packed weights over all groups: convPackWeights splits work by them. */
export function convWeightStrips(desc: usize): i32 {
  return field(desc, GROUPS) * (paddedRows(desc) / MR);
}

/**
 * Packs weight strips [s0, s1) (numbered over groups, MR rows each; see Note: implicit
 * GEMM): per group, per k-block of depth kc starting at pc, MR-row strips of kc·MR floats
 * (for each k, MR rows), rows past Co zero. Group g starts at g·Mpad·K floats and its
 * k-block at pc·Mpad floats within it.
 */
export function convPackWeights(desc: usize, s0: i32, s1: i32): void {
  const k = reduction(desc);
  const mPad = paddedRows(desc);
  const stripsPerGroup = mPad / MR;
  const cout = field(desc, COUT_G);
  const taps = field(desc, K_D) * field(desc, K_H) * field(desc, K_W);
  const w = <usize>field(desc, W);
  const wGroup = field(desc, W_GROUP);
  const wOut = field(desc, W_OUT);
  const wIn = field(desc, W_IN);
  const packed = <usize>field(desc, PACKED);
  const step = kStep(k);
  for (let strip = s0; strip < s1; strip++) {
    const g = strip / stripsPerGroup;
    const m0 = (strip - g * stripsPerGroup) * MR;
    const rows = min(MR, cout - m0);
    const groupBase = packed + <usize>(g * mPad * k) * 4;
    const rowBase = g * wGroup + m0 * wOut;
    for (let pc = 0; pc < k; pc += step) {
      const kc = min(step, k - pc);
      let dst = groupBase + <usize>(pc * mPad + m0 * kc) * 4;
      // k = ci·taps + tap, walked with counters.
      let ci = pc / taps;
      let tap = pc - ci * taps;
      for (let kk = 0; kk < kc; kk++, dst += MR * 4) {
        const src = w + (<usize>(rowBase + ci * wIn + tap) << 2);
        for (let r = 0; r < MR; r++) store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(src + (<usize>(r * wOut) << 2)) : 0);
        if (++tap == taps) {
          tap = 0;
          ci++;
        }
      }
    }
  }
}

// -- packing B ------------------------------------------------------------------------------

/**
 * Packs rows [pc, pc + kc) of B for columns [j0, j0 + nc) into NR-wide strips at pb (see Note:
 * implicit GEMM). The input is read without bounds checks: the JS side pads it first when
 * the convolution reads outside it, so element (k, column) is x[colBase(column) + kOffset[k]]
 * with colBase the column's first tap and kOffset (at K_OFFSETS) the tap's offset. A strip
 * whose 8 columns read 8 consecutive inputs (one output row at stride 1, or any 8 columns
 * of a 1×1 convolution) copies two vectors per k; a strip whose k run along an input row
 * loads four k per column and transposes; any other strip gathers one value at a time.
 */
function packB(desc: usize, group: i32, pc: i32, kc: i32, j0: i32, nc: i32, pb: usize, bases: usize): void {
  const od = field(desc, OUT_D), oh = field(desc, OUT_H), ow = field(desc, OUT_W);
  const inH = field(desc, IN_H), inW = field(desc, IN_W);
  const sD = field(desc, S_D), sH = field(desc, S_H), sW = field(desc, S_W);
  const pD = field(desc, P_D), pH = field(desc, P_H), pW = field(desc, P_W);
  const xBatch = field(desc, X_BATCH);
  const x = <usize>field(desc, X) + (<usize>(group * field(desc, CIN_G) * field(desc, X_CHANNEL)) << 2);
  const kOffsets = <usize>field(desc, K_OFFSETS) + (<usize>pc << 2);
  const plane = od * oh * ow;
  // The (image, d, h, w) of column j0, then stepped column by column (no divisions per column).
  let b = j0 / plane;
  let d = (j0 - b * plane) / (oh * ow);
  let h = (j0 - b * plane - d * oh * ow) / ow;
  let w = j0 - b * plane - d * oh * ow - h * ow;
  for (let t = 0; t < nc; t += NR) {
    const cols = min(NR, nc - t);
    // Each column's first tap, as an element offset from x.
    for (let q = 0; q < cols; q++) {
      store<i32>(bases + (<usize>q << 2), b * xBatch + ((d * sD - pD) * inH + (h * sH - pH)) * inW + (w * sW - pW));
      if (++w == ow) {
        w = 0;
        if (++h == oh) {
          h = 0;
          if (++d == od) {
            d = 0;
            b++;
          }
        }
      }
    }
    const strip = pb + <usize>(t * kc) * 4;
    const base0 = load<i32>(bases);
    if (cols == NR && consecutive(bases)) {
      const src = x + (<usize>base0 << 2);
      for (let kk = 0; kk < kc; kk++) {
        const at = src + (<usize>load<i32>(kOffsets + (<usize>kk << 2)) << 2);
        const dst = strip + <usize>(kk * NR) * 4;
        v128.store(dst, v128.load(at));
        v128.store(dst, v128.load(at, 16), 16);
      }
      continue;
    }
    let kk = 0;
    if (cols == NR) {
      // Four consecutive k that read consecutive inputs (one kernel row, dilation 1): a
      // vector per column, transposed into the strip in two 4×4 blocks.
      const c0 = x + (<usize>load<i32>(bases) << 2), c1 = x + (<usize>load<i32>(bases, 4) << 2);
      const c2 = x + (<usize>load<i32>(bases, 8) << 2), c3 = x + (<usize>load<i32>(bases, 12) << 2);
      const c4 = x + (<usize>load<i32>(bases, 16) << 2), c5 = x + (<usize>load<i32>(bases, 20) << 2);
      const c6 = x + (<usize>load<i32>(bases, 24) << 2), c7 = x + (<usize>load<i32>(bases, 28) << 2);
      while (kk < kc) {
        const off = load<i32>(kOffsets + (<usize>kk << 2));
        const dst = strip + <usize>(kk * NR) * 4;
        if (kk + 4 <= kc && load<i32>(kOffsets + (<usize>(kk + 3) << 2)) - off == 3) {
          const o = <usize>off << 2;
          storeTransposed(v128.load(c0 + o), v128.load(c1 + o), v128.load(c2 + o), v128.load(c3 + o), dst);
          storeTransposed(v128.load(c4 + o), v128.load(c5 + o), v128.load(c6 + o), v128.load(c7 + o), dst + 16);
          kk += 4;
          continue;
        }
        const o = <usize>off << 2;
        v128.store(dst, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(c0 + o)), 1, load<f32>(c1 + o)), 2, load<f32>(c2 + o)), 3, load<f32>(c3 + o)));
        v128.store(dst, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(c4 + o)), 1, load<f32>(c5 + o)), 2, load<f32>(c6 + o)), 3, load<f32>(c7 + o)), 16);
        kk++;
      }
      continue;
    }
    for (; kk < kc; kk++) {
      const off = load<i32>(kOffsets + (<usize>kk << 2));
      const dst = strip + <usize>(kk * NR) * 4;
      for (let q = 0; q < NR; q++) {
        store<f32>(dst + (<usize>q << 2), q < cols ? load<f32>(x + (<usize>(load<i32>(bases + (<usize>q << 2)) + off) << 2)) : 0);
      }
    }
  }
}

/**
 * Rows r0..r3 hold four consecutive k of four columns; stores them as four k-rows of the
 * strip (4 columns each, NR floats apart) at dst.
 */
@inline function storeTransposed(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + NR * 4, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * NR * 4, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * NR * 4, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/** Whether a strip's 8 column bases are consecutive elements (one output row at stride 1, or a 1×1 convolution's plane). */
@inline function consecutive(bases: usize): bool {
  const b0 = load<i32>(bases);
  return load<i32>(bases, 4) == b0 + 1 && load<i32>(bases, 8) == b0 + 2 && load<i32>(bases, 12) == b0 + 3 &&
    load<i32>(bases, 16) == b0 + 4 && load<i32>(bases, 20) == b0 + 5 && load<i32>(bases, 24) == b0 + 6 && load<i32>(bases, 28) == b0 + 7;
}

/**
 * Writes planes [plane0, plane1) (numbered b·C + c) of the padded input buffer at OUT (dense
 * [B, C, ID', IH', IW'], sizes in OUT_D..OUT_W, and 16 floats of slack after the last
 * plane): the input at offset (P_D, P_H, P_W) inside its padded plane, zeros around it.
 * When `infinities` is not 0, stores 1 there if a copied value is ±inf (see Note: Winograd
 * F(2x2, 3x3): infinities make it take the implicit GEMM).
 */
export function convPadInput(desc: usize, plane0: i32, plane1: i32, infinities: usize): void {
  const channels = field(desc, GROUPS) * field(desc, CIN_G);
  const inD = field(desc, IN_D), inH = field(desc, IN_H), inW = field(desc, IN_W);
  const od = field(desc, OUT_D), oh = field(desc, OUT_H), ow = field(desc, OUT_W);
  const pD = field(desc, P_D), pH = field(desc, P_H), pW = field(desc, P_W);
  const xBatch = field(desc, X_BATCH), xChannel = field(desc, X_CHANNEL);
  const x = <usize>field(desc, X), out = <usize>field(desc, OUT);
  const last = field(desc, BATCH) * channels - 1;
  const inf = f32x4.splat(Infinity);
  let seen = f32x4.splat(0);
  for (let pl = plane0; pl < plane1; pl++) {
    const b = pl / channels;
    const src = x + (<usize>(b * xBatch + (pl - b * channels) * xChannel) << 2);
    const dst = out + (<usize>(pl * od * oh * ow) << 2);
    for (let d = 0; d < od; d++) {
      for (let h = 0; h < oh; h++) {
        const to = dst + (<usize>((d * oh + h) * ow) << 2);
        const sd = d - pD, sh = h - pH;
        if (sd < 0 || sd >= inD || sh < 0 || sh >= inH) {
          zero(to, ow);
          continue;
        }
        const from = src + (<usize>((sd * inH + sh) * inW) << 2);
        zero(to, pW);
        const mid = to + (<usize>pW << 2);
        let w = 0;
        for (; w + 4 <= inW; w += 4) {
          const v = v128.load(from + (<usize>w << 2));
          seen = v128.or(seen, f32x4.eq(f32x4.abs(v), inf));
          v128.store(mid + (<usize>w << 2), v);
        }
        for (; w < inW; w++) {
          const v = load<f32>(from + (<usize>w << 2));
          if (abs(v) == Infinity) seen = f32x4.splat(1);
          store<f32>(mid + (<usize>w << 2), v);
        }
        zero(mid + (<usize>inW << 2), ow - pW - inW);
      }
    }
    if (pl == last) zero(dst + (<usize>(od * oh * ow) << 2), 16);
  }
  if (infinities && v128.any_true(seen)) store<i32>(infinities, 1);
}

/** Zeroes n floats at p. */
@inline function zero(p: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(p + (<usize>i << 2), 0);
}

// -- the micro-kernel -----------------------------------------------------------------------

/** Stores one f32x4 of a tile: c = acc + bias (first k-block) or c += acc. */
@inline function storeVector(acc: v128, c: usize, first: bool, bias: v128): void {
  v128.store(c, first ? f32x4.add(acc, bias) : f32x4.add(v128.load(c), acc));
}

/**
 * acc = packed A strip (kc × 4) · packed B strip (kc × 8), stored to 4 rows ldc bytes apart
 * at c as acc + bias (per row, `bias` = 0 for none) on the first k-block, else added.
 */
function kernel4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool, bias: usize): void {
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
  const z = f32x4.splat(0);
  const bias0 = bias ? v128.load32_splat(bias) : z;
  const bias1 = bias ? v128.load32_splat(bias, 4) : z;
  const bias2 = bias ? v128.load32_splat(bias, 8) : z;
  const bias3 = bias ? v128.load32_splat(bias, 12) : z;
  storeVector(c00, c, first, bias0);
  storeVector(c01, c + 16, first, bias0);
  storeVector(c10, c + ldc, first, bias1);
  storeVector(c11, c + ldc + 16, first, bias1);
  storeVector(c20, c + 2 * ldc, first, bias2);
  storeVector(c21, c + 2 * ldc + 16, first, bias2);
  storeVector(c30, c + 3 * ldc, first, bias3);
  storeVector(c31, c + 3 * ldc + 16, first, bias3);
}

/**
 * Merges a tile computed into scratch (rows × cols of it valid) into the output, one value
 * at a time: column q of the tile is output column j + q, row r output channel co + r.
 */
function mergeTile(desc: usize, tile: usize, rows: i32, cols: i32, j: i32, co: i32, first: bool): void {
  const plane = field(desc, OUT_D) * field(desc, OUT_H) * field(desc, OUT_W);
  const cout = field(desc, GROUPS) * field(desc, COUT_G);
  const out = <usize>field(desc, OUT);
  const bias = <usize>field(desc, BIAS);
  for (let q = 0; q < cols; q++) {
    const b = (j + q) / plane;
    const p = j + q - b * plane;
    for (let r = 0; r < rows; r++) {
      const at = out + (<usize>((b * cout + co + r) * plane + p) << 2);
      const v = load<f32>(tile + <usize>(r * NR + q) * 4);
      if (first) store<f32>(at, v + (bias ? load<f32>(bias + (<usize>(co + r) << 2)) : 0));
      else store<f32>(at, load<f32>(at) + v);
    }
  }
}

/**
 * Output columns [c0, c1) and output channels [r0, r1) within each group (r0 a multiple of
 * MR) of every group (see Note: implicit GEMM), columns numbered b·P + p over the batch;
 * `scratch` is this thread's convScratchBytes() bytes, 16-byte aligned.
 * The weights must be packed (convPackWeights) first.
 */
export function convGemm(desc: usize, c0: i32, c1: i32, scratch: usize, r0: i32, r1: i32): void {
  const k = reduction(desc);
  const mPad = paddedRows(desc);
  const coutG = field(desc, COUT_G);
  const groups = field(desc, GROUPS);
  const plane = field(desc, OUT_D) * field(desc, OUT_H) * field(desc, OUT_W);
  const cout = groups * coutG;
  const out = <usize>field(desc, OUT);
  const bias = <usize>field(desc, BIAS);
  const packedB = scratch;
  const tile = packedB + <usize>(KC * NC) * 4;
  const bases = tile + <usize>(MR * NR) * 4;
  const step = kStep(k);
  for (let jc = c0; jc < c1; jc += NC) {
    const nc = min(NC, c1 - jc);
    for (let g = 0; g < groups; g++) {
      const packedA = <usize>field(desc, PACKED) + <usize>(g * mPad * k) * 4;
      for (let pc = 0; pc < k; pc += step) {
        const kc = min(step, k - pc);
        const first = pc == 0;
        packB(desc, g, pc, kc, jc, nc, packedB, bases);
        const blockA = packedA + <usize>(pc * mPad) * 4;
        // MC rows of the packed weights at a time, so the block of A the strips sweep stays in cache.
        for (let ic = r0; ic < r1; ic += MC) {
          const icEnd = min(r1, ic + MC);
          for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const j = jc + jr;
          const pb = packedB + <usize>(jr * kc) * 4;
          const b = j / plane;
          const p = j - b * plane;
          // The strip's columns lie in one image: its tiles go straight to the output rows.
          const direct = cols == NR && p + NR <= plane;
          for (let ir = ic; ir < icEnd; ir += MR) {
            const rows = min(MR, coutG - ir);
            const pa = blockA + <usize>(ir * kc) * 4;
            const co = g * coutG + ir;
            if (direct && rows == MR) {
              const at = out + (<usize>((b * cout + co) * plane + p) << 2);
              kernel4x8(kc, pa, pb, at, <usize>plane << 2, first, bias ? bias + (<usize>co << 2) : 0);
            } else {
              kernel4x8(kc, pa, pb, tile, NR * 4, true, 0);
              mergeTile(desc, tile, rows, cols, j, co, first);
            }
          }
          }
        }
      }
    }
  }
}

// -- depthwise ------------------------------------------------------------------------------

/** Four values of a row at p, p + s, p + 2s, p + 3s (elements); `slack`: p + 8 elements are readable. */
@inline function rowVector(p: usize, s: i32, slack: bool): v128 {
  if (s == 1) return v128.load(p);
  if (s == 2 && slack) return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + (<usize>s << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(p + (<usize>(2 * s) << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(p + (<usize>(3 * s) << 2)));
}

/**
 * Direct convolution for one input channel per group and few outputs per group (depthwise,
 * and the stride-1 transposed depthwise): planes [plane0, plane1) of the output, numbered
 * b·Cout + co. Where every tap of a row reads inside the input row, four outputs at a time
 * accumulate all taps in one vector from the bias and are stored once; the edges go one
 * output at a time, checking each tap (the JS side pads the input first, so there are
 * none but the rows' last outputs, which run as a partial vector).
 */
export function depthwiseConv(desc: usize, plane0: i32, plane1: i32): void {
  const kd = field(desc, K_D), kh = field(desc, K_H), kw = field(desc, K_W);
  const inD = field(desc, IN_D), inH = field(desc, IN_H), inW = field(desc, IN_W);
  const od = field(desc, OUT_D), oh = field(desc, OUT_H), ow = field(desc, OUT_W);
  const sD = field(desc, S_D), sH = field(desc, S_H), sW = field(desc, S_W);
  const pD = field(desc, P_D), pH = field(desc, P_H), pW = field(desc, P_W);
  const dD = field(desc, D_D), dH = field(desc, D_H), dW = field(desc, D_W);
  const coutG = field(desc, COUT_G);
  const cout = field(desc, GROUPS) * coutG;
  const x = <usize>field(desc, X), w = <usize>field(desc, W), out = <usize>field(desc, OUT), bias = <usize>field(desc, BIAS);
  const xBatch = field(desc, X_BATCH), xChannel = field(desc, X_CHANNEL);
  const wGroup = field(desc, W_GROUP), wOut = field(desc, W_OUT);
  // PACKED (unused here) is nonzero when 16 floats past the input's end may be read, and
  // the stride is at most 4: the row's last outputs then run as a partial vector.
  const tail = field(desc, PACKED) != 0 && sW <= 4;
  // Output columns where every tap reads inside the row: ow·sW − pW + kw·dW ∈ [0, inW).
  const lowTap = min(0, (kw - 1) * dW), highTap = max(0, (kw - 1) * dW);
  const lo = pW - lowTap <= 0 ? 0 : (pW - lowTap + sW - 1) / sW;
  const hiNum = inW - 1 + pW - highTap;
  const hi = hiNum < 0 ? 0 : min(ow, hiNum / sW + 1);
  // 3×3 at stride 1 or 2 on a padded input: every tap inside, the weights held in registers.
  const flat3x3 = tail && kd == 1 && od == 1 && kh == 3 && kw == 3 && pH == 0 && pW == 0 && dH == 1 && dW == 1 && sH == sW && (sW == 1 || sW == 2);
  for (let pl = plane0; pl < plane1; pl++) {
    const b = pl / cout;
    const co = pl - b * cout;
    const g = co / coutG;
    const xPlane = x + (<usize>(b * xBatch + g * xChannel) << 2);
    const wPlane = w + (<usize>(g * wGroup + (co - g * coutG) * wOut) << 2);
    const b0: f32 = bias ? load<f32>(bias + (<usize>co << 2)) : 0;
    if (flat3x3) {
      depthwise3x3Plane(xPlane, out + (<usize>(pl * oh * ow) << 2), wPlane, b0, inW, oh, ow, sW);
      continue;
    }
    for (let d = 0; d < od; d++) {
      for (let h = 0; h < oh; h++) {
        const o = out + (<usize>(((pl * od + d) * oh + h) * ow) << 2);
        // Eight outputs at a time (two vectors share each tap's weight), then four, then
        // (with slack) the last one to three as a vector whose extra lanes are not stored.
        let q = lo;
        for (; q + 4 <= hi || (tail && q < hi); ) {
          const two = q + 8 <= hi;
          let acc0 = f32x4.splat(b0);
          let acc1 = acc0;
          for (let td = 0; td < kd; td++) {
            const id = d * sD - pD + td * dD;
            if (id < 0 || id >= inD) continue;
            for (let th = 0; th < kh; th++) {
              const ih = h * sH - pH + th * dH;
              if (ih < 0 || ih >= inH) continue;
              const row = xPlane + (<usize>((id * inH + ih) * inW) << 2);
              const taps = wPlane + (<usize>((td * kh + th) * kw) << 2);
              // Each kernel row sums into its own accumulators: the rows' chains of
              // dependent multiply-adds overlap instead of running one after another.
              let row0 = f32x4.splat(0), row1 = row0;
              for (let tw = 0; tw < kw; tw++) {
                const wv = v128.load32_splat(taps + (<usize>tw << 2));
                const iw = q * sW - pW + tw * dW;
                row0 = madd(wv, rowVector(row + (<usize>iw << 2), sW, iw + 8 <= inW), row0);
                if (two) {
                  const iw1 = iw + 4 * sW;
                  row1 = madd(wv, rowVector(row + (<usize>iw1 << 2), sW, iw1 + 8 <= inW), row1);
                }
              }
              acc0 = f32x4.add(acc0, row0);
              if (two) acc1 = f32x4.add(acc1, row1);
            }
          }
          if (q + 4 <= hi) v128.store(o + (<usize>q << 2), acc0);
          else for (let lane = 0; q + lane < hi; lane++) store<f32>(o + (<usize>(q + lane) << 2), laneOf(acc0, lane));
          if (two) v128.store(o + (<usize>q << 2), acc1, 16);
          q += two ? 8 : 4;
        }
        // The edges, one output at a time.
        for (let r = 0; r < min(lo, ow); r++) depthwiseOne(xPlane, wPlane, o, r, b0, d, h, desc);
        for (let r = max(min(q, hi), lo); r < ow; r++) depthwiseOne(xPlane, wPlane, o, r, b0, d, h, desc);
      }
    }
  }
}

/** Inputs x[i], x[i + s], x[i + 2s], x[i + 3s] for taps 0, 1, 2 of a 3×3 row at p (stride s of 1 or 2). */
@inline function tapRow(p: usize, s: i32, w0: v128, w1: v128, w2: v128, acc: v128): v128 {
  if (s == 1) return madd(w2, v128.load(p, 8), madd(w1, v128.load(p, 4), madd(w0, v128.load(p), acc)));
  const a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 32);
  const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  return madd(w2, v128.shuffle<f32>(even, c, 1, 2, 3, 4), madd(w1, odd, madd(w0, even, acc)));
}

/**
 * One output plane of a 3×3 depthwise convolution at stride s (1 or 2) over a padded input
 * plane (every tap inside; reads up to 12 floats past a row's last tap, and the input has
 * 16 floats of slack): four outputs per vector, each kernel row into its own accumulator.
 */
function depthwise3x3Plane(xPlane: usize, o: usize, wPlane: usize, b0: f32, inW: i32, oh: i32, ow: i32, s: i32): void {
  const w00 = v128.load32_splat(wPlane), w01 = v128.load32_splat(wPlane, 4), w02 = v128.load32_splat(wPlane, 8);
  const w10 = v128.load32_splat(wPlane, 12), w11 = v128.load32_splat(wPlane, 16), w12 = v128.load32_splat(wPlane, 20);
  const w20 = v128.load32_splat(wPlane, 24), w21 = v128.load32_splat(wPlane, 28), w22 = v128.load32_splat(wPlane, 32);
  const bv = f32x4.splat(b0);
  const z = f32x4.splat(0);
  const rowBytes = <usize>inW << 2;
  for (let h = 0; h < oh; h++, o += <usize>ow << 2) {
    const r0 = xPlane + <usize>(h * s) * rowBytes;
    for (let q = 0; q < ow; q += 4) {
      const at = r0 + (<usize>(q * s) << 2);
      const a0 = tapRow(at, s, w00, w01, w02, bv);
      const a1 = tapRow(at + rowBytes, s, w10, w11, w12, z);
      const a2 = tapRow(at + 2 * rowBytes, s, w20, w21, w22, z);
      const acc = f32x4.add(a0, f32x4.add(a1, a2));
      if (q + 4 <= ow) v128.store(o + (<usize>q << 2), acc);
      else for (let lane = 0; q + lane < ow; lane++) store<f32>(o + (<usize>(q + lane) << 2), laneOf(acc, lane));
    }
  }
}

/** Output column r of row (d, h) of a depthwise plane, checking every tap against the input's bounds. */
function depthwiseOne(xPlane: usize, wPlane: usize, o: usize, r: i32, b0: f32, d: i32, h: i32, desc: usize): void {
  const kd = field(desc, K_D), kh = field(desc, K_H), kw = field(desc, K_W);
  const inD = field(desc, IN_D), inH = field(desc, IN_H), inW = field(desc, IN_W);
  let acc = b0;
  for (let td = 0; td < kd; td++) {
    const id = d * field(desc, S_D) - field(desc, P_D) + td * field(desc, D_D);
    if (id < 0 || id >= inD) continue;
    for (let th = 0; th < kh; th++) {
      const ih = h * field(desc, S_H) - field(desc, P_H) + th * field(desc, D_H);
      if (ih < 0 || ih >= inH) continue;
      const row = xPlane + (<usize>((id * inH + ih) * inW) << 2);
      const taps = wPlane + (<usize>((td * kh + th) * kw) << 2);
      for (let tw = 0; tw < kw; tw++) {
        const iw = r * field(desc, S_W) - field(desc, P_W) + tw * field(desc, D_W);
        if (iw >= 0 && iw < inW) acc += load<f32>(taps + (<usize>tw << 2)) * load<f32>(row + (<usize>iw << 2));
      }
    }
  }
  store<f32>(o + (<usize>r << 2), acc);
}

// -- Winograd F(2×2, 3×3) -------------------------------------------------------------------
//
// Note: Winograd F(2x2, 3x3). For a 3×3 kernel at stride 1, each 2×2 output tile is
//   Y = Aᵀ [ Σ_ci (G g Gᵀ) ⊙ (Bᵀ d B) ] A
// with d the 4×4 input patch of the tile, g the 3×3 weights, and
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
//   Aᵀ = [1 1 1 0; 0 1 −1 −1]   (Lavin & Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016). The sum over input channels is, for each of the 16 positions ξ of the
// 4×4 transformed tile, a matrix product M_ξ[co, tile] = Σ_ci U_ξ[co, ci] · V_ξ[ci, tile],
// so the 36 multiplies per tile and channel pair of the direct method become 16 (2.25×
// fewer); the transforms are additions and halvings. U (the weights) is transformed and
// packed once per call; for each block of tiles, a thread transforms the input straight
// into packed B strips (four tiles per vector: lane q is tile t + q, whose patch starts two
// columns further), runs the 16 products with the same micro-kernel into a scratch M, and
// transforms M into the output (adding the bias). The input comes padded so that every
// tile's patch, including the overhang of odd output sizes, is inside it.
// The transforms add and subtract inputs of one window, so a nan reaches exactly the outputs
// whose windows hold it, as in the direct sum; but an infinity can meet one of the opposite
// sign (inf − inf = nan) where the direct sum gives ±inf. So infinities in the input (seen
// while it is copied into the padded buffer) or in the weights send the call to the
// implicit GEMM instead.

// Extra descriptor slots of the Winograd path (after the implicit GEMM's).
const WINO_TILES_H = 33;
const WINO_TILES_W = 34;
const WINO_BLOCK = 35; // tiles per block, a multiple of 8
const WINO_FLIP = 36; // 1: taps reversed (a stride-1 transposed convolution)
const WINO_SLOTS = 37;

export function winogradDescriptorSlots(): i32 {
  return WINO_SLOTS;
}

/** Bytes of per-thread scratch: the block's transformed input (packed) and its 16 products. */
export function winogradScratchBytes(desc: usize): i32 {
  const block = field(desc, WINO_BLOCK);
  return 16 * field(desc, CIN_G) * block * 4 + 16 * paddedRows(desc) * block * 4;
}

/** Bytes of the transformed, packed weights. */
export function winogradPackedBytes(desc: usize): i32 {
  return 16 * paddedRows(desc) * field(desc, CIN_G) * 4;
}

/**
 * U_ξ = G g Gᵀ for every (co, ci), packed per ξ like convPackWeights packs A (MR-row strips
 * per k-block over ci). With WINO_FLIP the 3×3 taps are read reversed.
 */
export function winogradPackWeights(desc: usize): void {
  const cin = field(desc, CIN_G);
  const cout = field(desc, COUT_G);
  const mPad = paddedRows(desc);
  const w = <usize>field(desc, W);
  const wOut = field(desc, W_OUT), wIn = field(desc, W_IN);
  const flip = field(desc, WINO_FLIP) != 0;
  const packed = <usize>field(desc, PACKED);
  const step = kStep(cin);
  for (let co = 0; co < mPad; co++) {
    for (let ci = 0; ci < cin; ci++) {
      // Element (co, ci) of U_ξ in packed form: k-block of ci, strip of co.
      const pc = ci / step * step;
      const kc = min(step, cin - pc);
      const s = co / MR * MR;
      const at = packed + <usize>(pc * mPad + s * kc + (ci - pc) * MR + (co - s)) * 4;
      const xiStride = <usize>(mPad * cin) * 4;
      if (co >= cout) {
        for (let xi = 0; xi < 16; xi++) store<f32>(at + <usize>xi * xiStride, 0);
        continue;
      }
      const g = w + (<usize>(co * wOut + ci * wIn) << 2);
      // Tap (r, c) of g, reversed for a transposed convolution.
      let g00 = load<f32>(g), g01 = load<f32>(g, 4), g02 = load<f32>(g, 8);
      let g10 = load<f32>(g, 12), g11 = load<f32>(g, 16), g12 = load<f32>(g, 20);
      let g20 = load<f32>(g, 24), g21 = load<f32>(g, 28), g22 = load<f32>(g, 32);
      if (flip) {
        let t = g00; g00 = g22; g22 = t;
        t = g01; g01 = g21; g21 = t;
        t = g02; g02 = g20; g20 = t;
        t = g10; g10 = g12; g12 = t;
      }
      // t = G g (rows g0, ½(g0 + g1 + g2), ½(g0 − g1 + g2), g2), column by column.
      const h: f32 = 0.5;
      const t10 = h * (g00 + g10 + g20), t11 = h * (g01 + g11 + g21), t12 = h * (g02 + g12 + g22);
      const t20 = h * (g00 - g10 + g20), t21 = h * (g01 - g11 + g21), t22 = h * (g02 - g12 + g22);
      // U = t Gᵀ: the same combination of columns, row by row; ξ = 4·row + column.
      transformRow(at, xiStride, 0, g00, g01, g02);
      transformRow(at, xiStride, 4, t10, t11, t12);
      transformRow(at, xiStride, 8, t20, t21, t22);
      transformRow(at, xiStride, 12, g20, g21, g22);
    }
  }
}

/** Stores row (a, b, c) · Gᵀ = (a, ½(a + b + c), ½(a − b + c), c) as ξ = first .. first + 3. */
@inline function transformRow(at: usize, xiStride: usize, first: i32, a: f32, b: f32, c: f32): void {
  const h: f32 = 0.5;
  store<f32>(at + <usize>first * xiStride, a);
  store<f32>(at + <usize>(first + 1) * xiStride, h * (a + b + c));
  store<f32>(at + <usize>(first + 2) * xiStride, h * (a - b + c));
  store<f32>(at + <usize>(first + 3) * xiStride, c);
}

/** The element offset in x of tile t's 4×4 patch (t numbered over the batch, row-major). */
@inline function tileBase(t: i32, tilesH: i32, tilesW: i32, xBatch: i32, inW: i32): i32 {
  const perImage = tilesH * tilesW;
  const b = t / perImage;
  const r = t - b * perImage;
  const th = r / tilesW;
  return b * xBatch + 2 * th * inW + 2 * (r - th * tilesW);
}

/** Four tiles' values at (row r, column c) of their patches: lane q from patch base q. */
@inline function gather4(x: usize, b0: i32, b1: i32, b2: i32, b3: i32, off: i32): v128 {
  let v = f32x4.splat(load<f32>(x + (<usize>(b0 + off) << 2)));
  v = f32x4.replace_lane(v, 1, load<f32>(x + (<usize>(b1 + off) << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(x + (<usize>(b2 + off) << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(x + (<usize>(b3 + off) << 2)));
}

/**
 * V = Bᵀ d B for tiles [t0, t0 + count) and every input channel, into the packed strips at
 * vp: layout [ξ][strip of 8 tiles][ci][8]. Tiles past count repeat the last one (their
 * outputs are never stored).
 */
function winogradInput(desc: usize, t0: i32, count: i32, vp: usize): void {
  const cin = field(desc, CIN_G);
  const tilesH = field(desc, WINO_TILES_H), tilesW = field(desc, WINO_TILES_W);
  const block = field(desc, WINO_BLOCK);
  const inW = field(desc, IN_W);
  const xBatch = field(desc, X_BATCH), xChannel = field(desc, X_CHANNEL);
  const x = <usize>field(desc, X);
  const strips = block / NR;
  for (let q = 0; q < block; q += 4) {
    const last = t0 + count - 1;
    const b0 = tileBase(min(t0 + q, last), tilesH, tilesW, xBatch, inW);
    const b1 = tileBase(min(t0 + q + 1, last), tilesH, tilesW, xBatch, inW);
    const b2 = tileBase(min(t0 + q + 2, last), tilesH, tilesW, xBatch, inW);
    const b3 = tileBase(min(t0 + q + 3, last), tilesH, tilesW, xBatch, inW);
    // The four patches side by side in one row: three vectors and shuffles per patch row.
    const inRow = b1 == b0 + 2 && b2 == b0 + 4 && b3 == b0 + 6;
    const dst = vp + <usize>(((q >> 3) * cin) * NR + (q & 4)) * 4;
    for (let ci = 0; ci < cin; ci++) {
      const base = ci * xChannel;
      let d00: v128, d01: v128, d02: v128, d03: v128, d10: v128, d11: v128, d12: v128, d13: v128;
      let d20: v128, d21: v128, d22: v128, d23: v128, d30: v128, d31: v128, d32: v128, d33: v128;
      if (inRow) {
        let p = x + (<usize>(b0 + base) << 2);
        let a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 32);
        let ab = v128.shuffle<f32>(a, b, 2, 3, 4, 5), bc = v128.shuffle<f32>(b, c, 2, 3, 4, 5);
        d00 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); d01 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        d02 = v128.shuffle<f32>(ab, bc, 0, 2, 4, 6); d03 = v128.shuffle<f32>(ab, bc, 1, 3, 5, 7);
        p += <usize>inW << 2;
        a = v128.load(p); b = v128.load(p, 16); c = v128.load(p, 32);
        ab = v128.shuffle<f32>(a, b, 2, 3, 4, 5); bc = v128.shuffle<f32>(b, c, 2, 3, 4, 5);
        d10 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); d11 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        d12 = v128.shuffle<f32>(ab, bc, 0, 2, 4, 6); d13 = v128.shuffle<f32>(ab, bc, 1, 3, 5, 7);
        p += <usize>inW << 2;
        a = v128.load(p); b = v128.load(p, 16); c = v128.load(p, 32);
        ab = v128.shuffle<f32>(a, b, 2, 3, 4, 5); bc = v128.shuffle<f32>(b, c, 2, 3, 4, 5);
        d20 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); d21 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        d22 = v128.shuffle<f32>(ab, bc, 0, 2, 4, 6); d23 = v128.shuffle<f32>(ab, bc, 1, 3, 5, 7);
        p += <usize>inW << 2;
        a = v128.load(p); b = v128.load(p, 16); c = v128.load(p, 32);
        ab = v128.shuffle<f32>(a, b, 2, 3, 4, 5); bc = v128.shuffle<f32>(b, c, 2, 3, 4, 5);
        d30 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); d31 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        d32 = v128.shuffle<f32>(ab, bc, 0, 2, 4, 6); d33 = v128.shuffle<f32>(ab, bc, 1, 3, 5, 7);
      } else {
        d00 = gather4(x, b0, b1, b2, b3, base); d01 = gather4(x, b0, b1, b2, b3, base + 1);
        d02 = gather4(x, b0, b1, b2, b3, base + 2); d03 = gather4(x, b0, b1, b2, b3, base + 3);
        d10 = gather4(x, b0, b1, b2, b3, base + inW); d11 = gather4(x, b0, b1, b2, b3, base + inW + 1);
        d12 = gather4(x, b0, b1, b2, b3, base + inW + 2); d13 = gather4(x, b0, b1, b2, b3, base + inW + 3);
        d20 = gather4(x, b0, b1, b2, b3, base + 2 * inW); d21 = gather4(x, b0, b1, b2, b3, base + 2 * inW + 1);
        d22 = gather4(x, b0, b1, b2, b3, base + 2 * inW + 2); d23 = gather4(x, b0, b1, b2, b3, base + 2 * inW + 3);
        d30 = gather4(x, b0, b1, b2, b3, base + 3 * inW); d31 = gather4(x, b0, b1, b2, b3, base + 3 * inW + 1);
        d32 = gather4(x, b0, b1, b2, b3, base + 3 * inW + 2); d33 = gather4(x, b0, b1, b2, b3, base + 3 * inW + 3);
      }
      // Bᵀ d: rows (d0 − d2, d1 + d2, d2 − d1, d1 − d3), column by column.
      const s00 = f32x4.sub(d00, d20), s01 = f32x4.sub(d01, d21), s02 = f32x4.sub(d02, d22), s03 = f32x4.sub(d03, d23);
      const s10 = f32x4.add(d10, d20), s11 = f32x4.add(d11, d21), s12 = f32x4.add(d12, d22), s13 = f32x4.add(d13, d23);
      const s20 = f32x4.sub(d20, d10), s21 = f32x4.sub(d21, d11), s22 = f32x4.sub(d22, d12), s23 = f32x4.sub(d23, d13);
      const s30 = f32x4.sub(d10, d30), s31 = f32x4.sub(d11, d31), s32 = f32x4.sub(d12, d32), s33 = f32x4.sub(d13, d33);
      // (Bᵀ d) B: the same combination of columns; ξ = 4·row + column.
      const at = dst + <usize>(ci * NR) * 4;
      const xiStride = <usize>(strips * cin * NR) * 4;
      v128.store(at, f32x4.sub(s00, s02));
      v128.store(at + xiStride, f32x4.add(s01, s02));
      v128.store(at + 2 * xiStride, f32x4.sub(s02, s01));
      v128.store(at + 3 * xiStride, f32x4.sub(s01, s03));
      v128.store(at + 4 * xiStride, f32x4.sub(s10, s12));
      v128.store(at + 5 * xiStride, f32x4.add(s11, s12));
      v128.store(at + 6 * xiStride, f32x4.sub(s12, s11));
      v128.store(at + 7 * xiStride, f32x4.sub(s11, s13));
      v128.store(at + 8 * xiStride, f32x4.sub(s20, s22));
      v128.store(at + 9 * xiStride, f32x4.add(s21, s22));
      v128.store(at + 10 * xiStride, f32x4.sub(s22, s21));
      v128.store(at + 11 * xiStride, f32x4.sub(s21, s23));
      v128.store(at + 12 * xiStride, f32x4.sub(s30, s32));
      v128.store(at + 13 * xiStride, f32x4.add(s31, s32));
      v128.store(at + 14 * xiStride, f32x4.sub(s32, s31));
      v128.store(at + 15 * xiStride, f32x4.sub(s31, s33));
    }
  }
}

/**
 * Y = Aᵀ M A + bias for tiles [t0, t0 + count) and every output channel, from the products
 * at mp (layout [ξ][co][tile of the block]) into the output, cut at the output's edges.
 */
function winogradOutput(desc: usize, t0: i32, count: i32, mp: usize): void {
  const cout = field(desc, COUT_G);
  const mPad = paddedRows(desc);
  const tilesH = field(desc, WINO_TILES_H), tilesW = field(desc, WINO_TILES_W);
  const block = field(desc, WINO_BLOCK);
  const oh = field(desc, OUT_H), ow = field(desc, OUT_W);
  const out = <usize>field(desc, OUT), bias = <usize>field(desc, BIAS);
  const perImage = tilesH * tilesW;
  const xiStride = <usize>(mPad * block) * 4;
  for (let q = 0; q < count; q += 4) {
    const t = t0 + q;
    const b = t / perImage;
    const r = t - b * perImage;
    const th = r / tilesW;
    const tw = r - th * tilesW;
    // Four tiles in one tile row, all eight columns and both rows inside the output.
    const whole = q + 4 <= count && tw + 4 <= tilesW && 2 * tw + 8 <= ow && 2 * th + 2 <= oh;
    for (let co = 0; co < cout; co++) {
      const m = mp + <usize>(co * block + q) * 4;
      const m0 = v128.load(m), m1 = v128.load(m + xiStride), m2 = v128.load(m + 2 * xiStride), m3 = v128.load(m + 3 * xiStride);
      const m4 = v128.load(m + 4 * xiStride), m5 = v128.load(m + 5 * xiStride), m6 = v128.load(m + 6 * xiStride), m7 = v128.load(m + 7 * xiStride);
      const m8 = v128.load(m + 8 * xiStride), m9 = v128.load(m + 9 * xiStride), m10 = v128.load(m + 10 * xiStride), m11 = v128.load(m + 11 * xiStride);
      const m12 = v128.load(m + 12 * xiStride), m13 = v128.load(m + 13 * xiStride), m14 = v128.load(m + 14 * xiStride), m15 = v128.load(m + 15 * xiStride);
      // Aᵀ M: rows (m0 + m1 + m2, m1 − m2 − m3), column by column.
      const u00 = f32x4.add(f32x4.add(m0, m4), m8), u01 = f32x4.add(f32x4.add(m1, m5), m9);
      const u02 = f32x4.add(f32x4.add(m2, m6), m10), u03 = f32x4.add(f32x4.add(m3, m7), m11);
      const u10 = f32x4.sub(f32x4.sub(m4, m8), m12), u11 = f32x4.sub(f32x4.sub(m5, m9), m13);
      const u12 = f32x4.sub(f32x4.sub(m6, m10), m14), u13 = f32x4.sub(f32x4.sub(m7, m11), m15);
      const bv = bias ? v128.load32_splat(bias + (<usize>co << 2)) : f32x4.splat(0);
      const y00 = f32x4.add(f32x4.add(f32x4.add(u00, u01), u02), bv);
      const y01 = f32x4.add(f32x4.sub(f32x4.sub(u01, u02), u03), bv);
      const y10 = f32x4.add(f32x4.add(f32x4.add(u10, u11), u12), bv);
      const y11 = f32x4.add(f32x4.sub(f32x4.sub(u11, u12), u13), bv);
      const plane = out + (<usize>((b * cout + co) * oh * ow) << 2);
      if (whole) {
        const row0 = plane + (<usize>(2 * th * ow + 2 * tw) << 2);
        const row1 = row0 + (<usize>ow << 2);
        v128.store(row0, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5));
        v128.store(row0, v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), 16);
        v128.store(row1, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5));
        v128.store(row1, v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), 16);
        continue;
      }
      // One value at a time: tiles past count, past the tile row or past the output's edge.
      for (let lane = 0; lane < 4 && q + lane < count; lane++) {
        const tl = t + lane;
        const bl = tl / perImage;
        const rl = tl - bl * perImage;
        const hl = rl / tilesW;
        const wl = rl - hl * tilesW;
        const p = out + (<usize>(((bl * cout + co) * oh + 2 * hl) * ow + 2 * wl) << 2);
        const a00 = laneOf(y00, lane), a01 = laneOf(y01, lane), a10 = laneOf(y10, lane), a11 = laneOf(y11, lane);
        store<f32>(p, a00);
        if (2 * wl + 1 < ow) store<f32>(p, a01, 4);
        if (2 * hl + 1 < oh) {
          store<f32>(p + (<usize>ow << 2), a10);
          if (2 * wl + 1 < ow) store<f32>(p + (<usize>ow << 2), a11, 4);
        }
      }
    }
  }
}

@inline function laneOf(v: v128, lane: i32): f32 {
  return lane == 0 ? f32x4.extract_lane(v, 0) : lane == 1 ? f32x4.extract_lane(v, 1) : lane == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

/**
 * Tiles [t0, t1) of the output (see Note: Winograd F(2x2, 3x3)), in blocks of WINO_BLOCK;
 * `scratch` is this thread's winogradScratchBytes() bytes. The weights must be packed
 * (winogradPackWeights) first.
 */
export function winogradConv(desc: usize, t0: i32, t1: i32, scratch: usize): void {
  const cin = field(desc, CIN_G);
  const cout = field(desc, COUT_G);
  const mPad = paddedRows(desc);
  const block = field(desc, WINO_BLOCK);
  const packed = <usize>field(desc, PACKED);
  const vp = scratch;
  const mp = scratch + <usize>(16 * cin * block) * 4;
  const step = kStep(cin);
  const strips = block / NR;
  for (let t = t0; t < t1; t += block) {
    const count = min(block, t1 - t);
    winogradInput(desc, t, count, vp);
    const used = (count + NR - 1) / NR;
    for (let xi = 0; xi < 16; xi++) {
      const a = packed + <usize>(xi * mPad * cin) * 4;
      const b = vp + <usize>(xi * strips * cin * NR) * 4;
      const c = mp + <usize>(xi * mPad * block) * 4;
      for (let pc = 0; pc < cin; pc += step) {
        const kc = min(step, cin - pc);
        const blockA = a + <usize>(pc * mPad) * 4;
        for (let jr = 0; jr < used; jr++) {
          const pb = b + <usize>((jr * cin + pc) * NR) * 4;
          for (let ir = 0; ir < cout; ir += MR) {
            kernel4x8(kc, blockA + <usize>(ir * kc) * 4, pb, c + <usize>(ir * block + jr * NR) * 4, <usize>block << 2, pc == 0, 0);
          }
        }
      }
    }
    winogradOutput(desc, t, count, mp);
  }
}

// -- col2im: strided transposed convolutions ------------------------------------------------
//
// A transposed convolution with stride > 1 runs as columns = Wᵀ·x (one sgemm per image and
// group, gemm.ts) and then this gather: out[b, co, o] = bias[co] + Σ cols[b, co, tap, i] over
// the (tap, input position) pairs that meet at o, i·stride − padBegin + tap·dilation = o
// (Note: conv geometry in ops/defs/conv.ts). Each spatial dim is tabulated by the JS side
// as, per output position, the offsets tap·(taps after it)·P + i·(positions after it) of its
// pairs, so an element's column offset is the sum of one entry per dim.

const C2I_COLS = 0; // dense [B, G·Co, taps, P_in]
const C2I_TAPS = 1; // taps per channel (KD·KH·KW) times P_in: one channel's column block
const C2I_CHANNELS = 2; // G·Co
const C2I_OUT = 3; // dense [B, G·Co, OD, OH, OW]
const C2I_OUT_D = 4;
const C2I_OUT_H = 5;
const C2I_OUT_W = 6;
const C2I_BIAS = 7; // 0 for none
const C2I_START_D = 8; // i32 per output position + 1: where its pairs start in the offsets
const C2I_START_H = 9;
const C2I_START_W = 10;
const C2I_OFFSET_D = 11; // i32 column offset per pair
const C2I_OFFSET_H = 12;
const C2I_OFFSET_W = 13;
const C2I_SLOTS = 14;

export function col2imDescriptorSlots(): i32 {
  return C2I_SLOTS;
}

/** Output planes [plane0, plane1) (numbered b·C + c) of a strided transposed convolution, from the columns. */
export function col2im(desc: usize, plane0: i32, plane1: i32): void {
  const cols = <usize>field(desc, C2I_COLS);
  const block = field(desc, C2I_TAPS);
  const channels = field(desc, C2I_CHANNELS);
  const out = <usize>field(desc, C2I_OUT), bias = <usize>field(desc, C2I_BIAS);
  const od = field(desc, C2I_OUT_D), oh = field(desc, C2I_OUT_H), ow = field(desc, C2I_OUT_W);
  const startD = <usize>field(desc, C2I_START_D), startH = <usize>field(desc, C2I_START_H), startW = <usize>field(desc, C2I_START_W);
  const offD = <usize>field(desc, C2I_OFFSET_D), offH = <usize>field(desc, C2I_OFFSET_H), offW = <usize>field(desc, C2I_OFFSET_W);
  for (let pl = plane0; pl < plane1; pl++) {
    const src = cols + (<usize>(pl * block) << 2);
    const b0: f32 = bias ? load<f32>(bias + (<usize>(pl % channels) << 2)) : 0;
    let o = out + (<usize>(pl * od * oh * ow) << 2);
    for (let d = 0; d < od; d++) {
      const d0 = load<i32>(startD + (<usize>d << 2)), d1 = load<i32>(startD + (<usize>(d + 1) << 2));
      for (let h = 0; h < oh; h++) {
        const h0 = load<i32>(startH + (<usize>h << 2)), h1 = load<i32>(startH + (<usize>(h + 1) << 2));
        for (let w = 0; w < ow; w++, o += 4) {
          const w0 = load<i32>(startW + (<usize>w << 2)), w1 = load<i32>(startW + (<usize>(w + 1) << 2));
          let acc = b0;
          for (let i = d0; i < d1; i++) {
            const a = load<i32>(offD + (<usize>i << 2));
            for (let j = h0; j < h1; j++) {
              const ab = a + load<i32>(offH + (<usize>j << 2));
              for (let k = w0; k < w1; k++) acc += load<f32>(src + (<usize>(ab + load<i32>(offW + (<usize>k << 2))) << 2));
            }
          }
          store<f32>(o, acc);
        }
      }
    }
  }
}
