// Fused scaled dot-product attention, forward only: out = softmax(q·kᵀ·scale + mask)·v for
// float32 operands, four query rows at a time, never materialising the L×S scores.
//
// Note: attention lanes. A unit is a block of up to four query rows of one batch entry;
// each row is one lane of every vector. For each key j (streaming over the keys of the
// batch entry), the four dot products q_r·k_j share each load of k_j and are summed
// across lanes by a 4×4 transpose, giving one vector of the block's four scores, stored in
// the thread's scratch row j (S vectors). The softmax then runs lane-wise over those
// vectors — the max, e^(s − max) and their sum — and the output takes the keys again:
// out_r = Σ_j p_rj·v_j / Σ_j p_rj, eight output columns at a time in registers. A lane
// whose scores are all −inf (every key masked) outputs 0, as ATen's _safe_softmax; a nan
// score makes its row nan, as softmax does. The causal mask keeps keys j ≤ i: keys past
// the block's last row are never visited, and the ones inside it are −inf for earlier rows.
import { expF32x4, madd } from "./math";
import { loadLanes, storeLanes } from "./elementwise";

// Parameter block (i32 slots; byte addresses, element strides), written by kernels/attention.ts.
const Q = 0;
const K = 1;
const V = 2;
const MASK = 3;
const OUT = 4;
const B2 = 5; // inner folded batch size (the outer is implied by the units)
const L = 6;
const S = 7;
const E = 8;
const EV = 9;
const Q_STRIDES = 10; // b1, b2, row
const K_STRIDES = 13; // b1, b2, row
const V_STRIDES = 16; // b1, b2, row
const MASK_STRIDES = 19; // b1, b2, row, key
const CAUSAL = 23;
const MASK_KIND = 24; // 0 none, 1 bool bytes, 2 float32
const SCALE = 25; // float32 bits

/** Keys whose exponentials are summed in float32 before each float64 flush. */
const SUM_BLOCK = 64;

const MINUS_INF = memory.data<f32>([-Infinity]);

// @ts-ignore: decorator
@inline function param(p: usize, slot: i32): i32 {
  return load<i32>(p + (<usize>slot << 2));
}

/** Where operand `base` starts for batch entry (outer, inner): its address plus batch strides (elements of `size` bytes). */
// @ts-ignore: decorator
@inline function batchStart(p: usize, base: i32, strides: i32, outer: i32, inner: i32, size: usize): usize {
  return <usize>param(p, base) + (<usize>outer * <usize>param(p, strides) + <usize>inner * <usize>param(p, strides + 1)) * size;
}

/** [Σa, Σb, Σc, Σd] of four vectors, by a 4×4 transpose. */
// @ts-ignore: decorator
@inline function sum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

/** Lane r of v in every lane. */
// @ts-ignore: decorator
@inline function lane(v: v128, r: i32): v128 {
  if (r == 0) return i32x4.shuffle(v, v, 0, 0, 0, 0);
  if (r == 1) return i32x4.shuffle(v, v, 1, 1, 1, 1);
  if (r == 2) return i32x4.shuffle(v, v, 2, 2, 2, 2);
  return i32x4.shuffle(v, v, 3, 3, 3, 3);
}

/** The dot products of four query rows (q0..q3) with one key row, e elements each. */
// @ts-ignore: decorator
@inline function dot4(q0: usize, q1: usize, q2: usize, q3: usize, key: usize, e: i32): v128 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= e; i += 4) {
    const o = <usize>i << 2;
    const kv = v128.load(key + o);
    a0 = madd(v128.load(q0 + o), kv, a0);
    a1 = madd(v128.load(q1 + o), kv, a1);
    a2 = madd(v128.load(q2 + o), kv, a2);
    a3 = madd(v128.load(q3 + o), kv, a3);
  }
  if (i < e) {
    const o = <usize>i << 2;
    const count = e - i;
    const kv = loadLanes(key + o, 4, count);
    a0 = madd(loadLanes(q0 + o, 4, count), kv, a0);
    a1 = madd(loadLanes(q1 + o, 4, count), kv, a1);
    a2 = madd(loadLanes(q2 + o, 4, count), kv, a2);
    a3 = madd(loadLanes(q3 + o, 4, count), kv, a3);
  }
  return sum4(a0, a1, a2, a3);
}

/**
 * The dot products of four query rows with two consecutive key rows (k0, and k0 + kRow):
 * each query load serves both keys. Returns the scores of key 0; key 1's are stored at `second`.
 */
// @ts-ignore: decorator
@inline function dot4x2(q0: usize, q1: usize, q2: usize, q3: usize, k0: usize, kRow: usize, e: i32, second: usize): v128 {
  const k1 = k0 + kRow;
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  let b3 = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= e; i += 4) {
    const o = <usize>i << 2;
    const x0 = v128.load(k0 + o);
    const x1 = v128.load(k1 + o);
    const r0 = v128.load(q0 + o);
    const r1 = v128.load(q1 + o);
    const r2 = v128.load(q2 + o);
    const r3 = v128.load(q3 + o);
    a0 = madd(r0, x0, a0);
    b0 = madd(r0, x1, b0);
    a1 = madd(r1, x0, a1);
    b1 = madd(r1, x1, b1);
    a2 = madd(r2, x0, a2);
    b2 = madd(r2, x1, b2);
    a3 = madd(r3, x0, a3);
    b3 = madd(r3, x1, b3);
  }
  if (i < e) {
    const o = <usize>i << 2;
    const count = e - i;
    const x0 = loadLanes(k0 + o, 4, count);
    const x1 = loadLanes(k1 + o, 4, count);
    const r0 = loadLanes(q0 + o, 4, count);
    const r1 = loadLanes(q1 + o, 4, count);
    const r2 = loadLanes(q2 + o, 4, count);
    const r3 = loadLanes(q3 + o, 4, count);
    a0 = madd(r0, x0, a0);
    b0 = madd(r0, x1, b0);
    a1 = madd(r1, x0, a1);
    b1 = madd(r1, x1, b1);
    a2 = madd(r2, x0, a2);
    b2 = madd(r2, x1, b2);
    a3 = madd(r3, x0, a3);
    b3 = madd(r3, x1, b3);
  }
  v128.store(second, sum4(b0, b1, b2, b3));
  return sum4(a0, a1, a2, a3);
}

/** The mask's values for `count` rows (element stride rowStride) at one key: float32, or bool as 0/−inf. */
// @ts-ignore: decorator
@inline function maskLanes(kind: i32, p: usize, rowStride: i32, count: i32): v128 {
  if (kind == 2) return loadLanes(p, rowStride << 2, count);
  let keep = i32x4.splat(0);
  keep = i32x4.replace_lane(keep, 0, load<u8>(p));
  if (count > 1) keep = i32x4.replace_lane(keep, 1, load<u8>(p + <usize>rowStride));
  if (count > 2) keep = i32x4.replace_lane(keep, 2, load<u8>(p + <usize>(2 * rowStride)));
  if (count > 3) keep = i32x4.replace_lane(keep, 3, load<u8>(p + <usize>(3 * rowStride)));
  // 0 where kept, −inf where dropped.
  return v128.andnot(v128.load32_splat(MINUS_INF), i32x4.ne(keep, i32x4.splat(0)));
}

/**
 * Attention for units [unitStart, unitEnd) (see Note: attention lanes) with the parameter
 * block at `params` and S·16 bytes of scratch for this thread.
 */
export function attentionF32(params: usize, scratch: usize, unitStart: i32, unitEnd: i32): void {
  const l = param(params, L);
  const s = param(params, S);
  const e = param(params, E);
  const ev = param(params, EV);
  const b2 = param(params, B2);
  const causal = param(params, CAUSAL) != 0;
  const maskKind = param(params, MASK_KIND);
  const scale = f32x4.splat(load<f32>(params + (<usize>SCALE << 2)));
  const minusInf = v128.load32_splat(MINUS_INF);
  const blocks = (l + 3) >> 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const batch = u / blocks;
    const i0 = (u % blocks) << 2;
    const rows = min(4, l - i0);
    const outer = batch / b2;
    const inner = batch % b2;
    const qRow = <usize>param(params, Q_STRIDES + 2) << 2;
    const kRow = <usize>param(params, K_STRIDES + 2) << 2;
    const vRow = <usize>param(params, V_STRIDES + 2) << 2;
    const q0 = batchStart(params, Q, Q_STRIDES, outer, inner, 4) + <usize>i0 * qRow;
    // Rows past the end repeat the last one; their lanes are computed and dropped.
    const q1 = q0 + <usize>min(1, rows - 1) * qRow;
    const q2 = q0 + <usize>min(2, rows - 1) * qRow;
    const q3 = q0 + <usize>min(3, rows - 1) * qRow;
    const keyBase = batchStart(params, K, K_STRIDES, outer, inner, 4);
    const valueBase = batchStart(params, V, V_STRIDES, outer, inner, 4);
    const keys = causal ? min(s, i0 + rows) : s;
    const maskElement: usize = maskKind == 1 ? 1 : 4;
    const maskRow = param(params, MASK_STRIDES + 2);
    const maskKey = <usize>param(params, MASK_STRIDES + 3) * maskElement;
    const maskBase = maskKind != 0 ? batchStart(params, MASK, MASK_STRIDES, outer, inner, maskElement) + <usize>i0 * <usize>maskRow * maskElement : 0;
    const rowIndex = i32x4.add(i32x4.splat(i0), i32x4(0, 1, 2, 3));

    // Scores, and their lane-wise max.
    let best = minusInf;
    let nan = i32x4.splat(0);
    for (let j = 0; j < keys; j++) {
      const slot = scratch + (<usize>j << 4);
      // Two keys' dot products at a time (the second's waits in its scratch slot).
      let dot: v128;
      if ((j & 1) == 1) dot = v128.load(slot);
      else if (j + 1 < keys) dot = dot4x2(q0, q1, q2, q3, keyBase + <usize>j * kRow, kRow, e, slot + 16);
      else dot = dot4(q0, q1, q2, q3, keyBase + <usize>j * kRow, e);
      let score = f32x4.mul(dot, scale);
      if (maskKind != 0) score = f32x4.add(score, maskLanes(maskKind, maskBase + <usize>j * maskKey, maskRow, rows));
      if (causal && j > i0) score = v128.bitselect(minusInf, score, i32x4.gt_s(i32x4.splat(j), rowIndex));
      v128.store(slot, score);
      nan = v128.or(nan, f32x4.ne(score, score));
      best = f32x4.pmax(best, score);
    }
    best = v128.or(best, nan);
    // Lanes whose scores are all −inf shift by 0 (not −inf − −inf = nan) and output 0.
    const dropped = f32x4.eq(best, minusInf);
    const shift = v128.andnot(best, dropped);

    // Exponentials in place, and their sums in float64.
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    let j = 0;
    while (j < keys) {
      let acc = f32x4.splat(0);
      const blockEnd = min(keys, j + SUM_BLOCK);
      for (; j < blockEnd; j++) {
        const p = scratch + (<usize>j << 4);
        const x = expF32x4(f32x4.sub(v128.load(p), shift));
        v128.store(p, x);
        acc = f32x4.add(acc, x);
      }
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(acc));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i64x2.shuffle(acc, acc, 1, 0)));
    }
    const one = f64x2.splat(1);
    const inverse = i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.div(one, lo)), f32x4.demote_f64x2_zero(f64x2.div(one, hi)), 0, 2);
    const inv = v128.andnot(inverse, dropped);

    // out_r = Σ_j p_rj·v_j · inv_r, eight columns at a time.
    const outBase = <usize>param(params, OUT) + ((<usize>batch * <usize>l + <usize>i0) * <usize>ev << 2);
    const outRow = <usize>ev << 2;
    for (let c = 0; c < ev; c += 8) {
      const width = min(8, ev - c);
      const co = <usize>c << 2;
      let a00 = f32x4.splat(0);
      let a01 = f32x4.splat(0);
      let a10 = f32x4.splat(0);
      let a11 = f32x4.splat(0);
      let a20 = f32x4.splat(0);
      let a21 = f32x4.splat(0);
      let a30 = f32x4.splat(0);
      let a31 = f32x4.splat(0);
      for (let k = 0; k < keys; k++) {
        const vp = valueBase + <usize>k * vRow + co;
        const v0 = width >= 4 ? v128.load(vp) : loadLanes(vp, 4, width);
        const v1 = width == 8 ? v128.load(vp, 16) : width > 4 ? loadLanes(vp + 16, 4, width - 4) : f32x4.splat(0);
        const p = v128.load(scratch + (<usize>k << 4));
        const p0 = lane(p, 0);
        const p1 = lane(p, 1);
        const p2 = lane(p, 2);
        const p3 = lane(p, 3);
        a00 = madd(p0, v0, a00);
        a01 = madd(p0, v1, a01);
        a10 = madd(p1, v0, a10);
        a11 = madd(p1, v1, a11);
        a20 = madd(p2, v0, a20);
        a21 = madd(p2, v1, a21);
        a30 = madd(p3, v0, a30);
        a31 = madd(p3, v1, a31);
      }
      for (let r = 0; r < rows; r++) {
        const ir = lane(inv, r);
        const o = outBase + <usize>r * outRow + co;
        const x0 = f32x4.mul(r == 0 ? a00 : r == 1 ? a10 : r == 2 ? a20 : a30, ir);
        const x1 = f32x4.mul(r == 0 ? a01 : r == 1 ? a11 : r == 2 ? a21 : a31, ir);
        if (width == 8) {
          v128.store(o, x0);
          v128.store(o, x1, 16);
        } else {
          storeLanes(o, x0, min(4, width));
          if (width > 4) storeLanes(o + 16, x1, width - 4);
        }
      }
    }
  }
}
