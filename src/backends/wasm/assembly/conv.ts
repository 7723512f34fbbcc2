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

/**
 * Packs the weights of groups [g0, g1) (see Note: implicit GEMM): per group, per k-block of
 * depth kc starting at pc, MR-row strips of kc·MR floats (for each k, MR rows), rows past Co
 * zero. Group g starts at g·Mpad·K floats and its k-block at pc·Mpad floats within it.
 */
export function convPackWeights(desc: usize, g0: i32, g1: i32): void {
  const k = reduction(desc);
  const mPad = paddedRows(desc);
  const cout = field(desc, COUT_G);
  const taps = field(desc, K_D) * field(desc, K_H) * field(desc, K_W);
  const w = <usize>field(desc, W);
  const wGroup = field(desc, W_GROUP);
  const wOut = field(desc, W_OUT);
  const wIn = field(desc, W_IN);
  const step = kStep(k);
  for (let g = g0; g < g1; g++) {
    const groupBase = <usize>field(desc, PACKED) + <usize>(g * mPad * k) * 4;
    for (let pc = 0; pc < k; pc += step) {
      const kc = min(step, k - pc);
      const block = groupBase + <usize>(pc * mPad) * 4;
      for (let s = 0; s < mPad; s += MR) {
        const strip = block + <usize>(s * kc) * 4;
        for (let r = 0; r < MR; r++) {
          const m = s + r;
          let dst = strip + <usize>r * 4;
          if (m >= cout) {
            for (let kk = 0; kk < kc; kk++, dst += MR * 4) store<f32>(dst, 0);
            continue;
          }
          for (let kk = 0; kk < kc; kk++, dst += MR * 4) {
            const kq = pc + kk;
            const ci = kq / taps;
            const tap = kq - ci * taps;
            store<f32>(dst, load<f32>(w + (<usize>(g * wGroup + m * wOut + ci * wIn + tap) << 2)));
          }
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
 * whose 8 columns read 8 consecutive inputs (one output row, stride 1) copies two vectors
 * per k; any other strip gathers one value at a time.
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
  for (let t = 0; t < nc; t += NR) {
    const cols = min(NR, nc - t);
    // Each column's first tap, as an element offset from x.
    for (let q = 0; q < cols; q++) {
      const j = j0 + t + q;
      const b = j / plane;
      let p = j - b * plane;
      const d = p / (oh * ow);
      p -= d * oh * ow;
      const h = p / ow;
      const w = p - h * ow;
      store<i32>(bases + (<usize>q << 2), b * xBatch + ((d * sD - pD) * inH + (h * sH - pH)) * inW + (w * sW - pW));
    }
    const strip = pb + <usize>(t * kc) * 4;
    const base0 = load<i32>(bases);
    if (cols == NR && sW == 1 && w0OfStrip(j0 + t, plane, ow) + 7 < ow) {
      const src = x + (<usize>base0 << 2);
      for (let kk = 0; kk < kc; kk++) {
        const at = src + (<usize>load<i32>(kOffsets + (<usize>kk << 2)) << 2);
        const dst = strip + <usize>(kk * NR) * 4;
        v128.store(dst, v128.load(at));
        v128.store(dst, v128.load(at, 16), 16);
      }
      continue;
    }
    for (let kk = 0; kk < kc; kk++) {
      const off = load<i32>(kOffsets + (<usize>kk << 2));
      const dst = strip + <usize>(kk * NR) * 4;
      for (let q = 0; q < NR; q++) {
        store<f32>(dst + (<usize>q << 2), q < cols ? load<f32>(x + (<usize>(load<i32>(bases + (<usize>q << 2)) + off) << 2)) : 0);
      }
    }
  }
}

/** The output column (ow) of flat column j, to tell whether a strip stays in one output row. */
@inline function w0OfStrip(j: i32, plane: i32, ow: i32): i32 {
  return (j - (j / plane) * plane) % ow;
}

/**
 * Copies planes [plane0, plane1) (numbered b·C + c) of the input into the zeroed padded
 * buffer at OUT (dense [B, C, ID', IH', IW'], sizes in OUT_D..OUT_W), each at offset
 * (P_D, P_H, P_W) inside its padded plane.
 */
export function convPadInput(desc: usize, plane0: i32, plane1: i32): void {
  const channels = field(desc, GROUPS) * field(desc, CIN_G);
  const inD = field(desc, IN_D), inH = field(desc, IN_H), inW = field(desc, IN_W);
  const od = field(desc, OUT_D), oh = field(desc, OUT_H), ow = field(desc, OUT_W);
  const pD = field(desc, P_D), pH = field(desc, P_H), pW = field(desc, P_W);
  const xBatch = field(desc, X_BATCH), xChannel = field(desc, X_CHANNEL);
  for (let pl = plane0; pl < plane1; pl++) {
    const b = pl / channels;
    const src = <usize>field(desc, X) + (<usize>(b * xBatch + (pl - b * channels) * xChannel) << 2);
    const dst = <usize>field(desc, OUT) + (<usize>(pl * od * oh * ow) << 2);
    for (let d = 0; d < inD; d++) {
      for (let h = 0; h < inH; h++) {
        const from = src + (<usize>((d * inH + h) * inW) << 2);
        const to = dst + (<usize>(((d + pD) * oh + h + pH) * ow + pW) << 2);
        let w = 0;
        for (; w + 4 <= inW; w += 4) v128.store(to + (<usize>w << 2), v128.load(from + (<usize>w << 2)));
        for (; w < inW; w++) store<f32>(to + (<usize>w << 2), load<f32>(from + (<usize>w << 2)));
      }
    }
  }
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
 * Output columns [c0, c1) of every group (see Note: implicit GEMM), columns numbered b·P + p
 * over the batch; `scratch` is this thread's convScratchBytes() bytes, 16-byte aligned.
 * The weights must be packed (convPackWeights) first.
 */
export function convGemm(desc: usize, c0: i32, c1: i32, scratch: usize): void {
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
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const j = jc + jr;
          const pb = packedB + <usize>(jr * kc) * 4;
          const b = j / plane;
          const p = j - b * plane;
          // The strip's columns lie in one image: its tiles go straight to the output rows.
          const direct = cols == NR && p + NR <= plane;
          for (let ir = 0; ir < coutG; ir += MR) {
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

// -- depthwise ------------------------------------------------------------------------------

/**
 * Direct convolution for one input channel per group (depthwise, and the stride-1
 * transposed depthwise): planes [plane0, plane1) of the output, numbered b·Cout + co. Each
 * output row starts at the bias; inside the row, where every tap of a kernel row reads the
 * input, four outputs at a time accumulate over the kernel row's taps in a vector (stride 1),
 * elsewhere one at a time.
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
  // Output columns where every tap kw reads inside the row: ow·sW − pW + kw·dW ∈ [0, inW).
  const lowTap = min(0, (kw - 1) * dW), highTap = max(0, (kw - 1) * dW);
  let lo = (pW - lowTap + sW - 1) / sW;
  if (pW - lowTap < 0) lo = 0;
  const hiNum = inW - 1 + pW - highTap;
  const hi = hiNum < 0 ? 0 : min(ow, hiNum / sW + 1);
  for (let pl = plane0; pl < plane1; pl++) {
    const b = pl / cout;
    const co = pl - b * cout;
    const g = co / coutG;
    const xPlane = x + (<usize>(b * xBatch + g * xChannel) << 2);
    const wPlane = w + (<usize>(g * wGroup + (co - g * coutG) * wOut) << 2);
    const b0: f32 = bias ? load<f32>(bias + (<usize>co << 2)) : 0;
    for (let d = 0; d < od; d++) {
      for (let h = 0; h < oh; h++) {
        const o = out + (<usize>(((pl * od + d) * oh + h) * ow) << 2);
        for (let q = 0; q < ow; q++) store<f32>(o + (<usize>q << 2), b0);
        for (let td = 0; td < kd; td++) {
          const id = d * sD - pD + td * dD;
          if (id < 0 || id >= inD) continue;
          for (let th = 0; th < kh; th++) {
            const ih = h * sH - pH + th * dH;
            if (ih < 0 || ih >= inH) continue;
            const row = xPlane + (<usize>((id * inH + ih) * inW) << 2);
            const taps = wPlane + (<usize>((td * kh + th) * kw) << 2);
            // Vector part: 4 outputs, every tap inside the row.
            let q = lo;
            if (sW == 1 && lo < hi) {
              for (; q + 4 <= hi; q += 4) {
                let acc = v128.load(o + (<usize>q << 2));
                for (let tw = 0; tw < kw; tw++) {
                  const wv = v128.load32_splat(taps + (<usize>tw << 2));
                  acc = madd(wv, v128.load(row + (<usize>(q - pW + tw * dW) << 2)), acc);
                }
                v128.store(o + (<usize>q << 2), acc);
              }
            }
            // The rest, one output at a time, checking each tap.
            for (let r = 0; r < ow; r++) {
              if (r >= lo && r < q) continue;
              let acc = load<f32>(o + (<usize>r << 2));
              for (let tw = 0; tw < kw; tw++) {
                const iw = r * sW - pW + tw * dW;
                if (iw >= 0 && iw < inW) acc += load<f32>(taps + (<usize>tw << 2)) * load<f32>(row + (<usize>iw << 2));
              }
              store<f32>(o + (<usize>r << 2), acc);
            }
          }
        }
      }
    }
  }
}
