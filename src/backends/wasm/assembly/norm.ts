// Normalization of contiguous float32 data, one group per call unit so that a group's
// result never depends on how threads split the work.
//
// layerNorm: rows of n elements. Each row is read three times while it sits in cache: Σx
// for the mean, Σ(x − μ)² for the biased variance (two passes, as the js kernels, rather
// than E[x²] − μ², which cancels when |μ| ≫ σ), then y = (x − μ)·r·w + b with
// r = 1/√(var + eps). Its backward (dx) reads each row twice. Sums run in float32 vectors
// over short blocks flushed into float64 (see Note: float32 sums, in reduce.ts).
//
// batch norm: x is [N, C, P] (P the product of the spatial dims); channel c's elements are
// N planes of P consecutive values, planes C·P apart. Training computes each channel's
// statistics the same way and normalizes its planes; eval folds the given statistics into
// y = x·α + β per channel (α = w/√(var + eps), β = b − μ·α, as PyTorch's CPU kernel).
import { loadLanes, storeLanes } from "./elementwise";
import { madd } from "./math";

const BLOCK = 128;

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
}

/** Σ (x[i] − m)^p over [0, len) for p = 1 (m = 0: the sum) or 2 (squared deviations). */
// @ts-ignore: decorator
@inline function sumPowers(square: bool, x: usize, len: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let total: f64 = 0;
  let i = 0;
  while (i + 8 <= len) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    const blockEnd = min(len, i + BLOCK);
    for (; i + 8 <= blockEnd; i += 8) {
      const p = x + (<usize>i << 2);
      if (square) {
        const d0 = f32x4.sub(v128.load(p), mv);
        const d1 = f32x4.sub(v128.load(p, 16), mv);
        a0 = madd(d0, d0, a0);
        a1 = madd(d1, d1, a1);
      } else {
        a0 = f32x4.add(a0, v128.load(p));
        a1 = f32x4.add(a1, v128.load(p, 16));
      }
    }
    total += hsum(a0) + hsum(a1);
  }
  for (; i < len; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (square) {
      const d = v - m;
      total += <f64>(d * d);
    } else {
      total += <f64>v;
    }
  }
  return total;
}

/**
 * out[i] = (x[i] − m)·scale[i]·r + shift[i] over [0, len), where scale/shift are per
 * element (pointers; 0 means 1 and 0) — layerNorm's affine along the row.
 */
// @ts-ignore: decorator
@inline function normalizeRow(x: usize, len: i32, m: f32, r: f32, weight: usize, bias: usize, out: usize): void {
  const mv = f32x4.splat(m);
  const rv = f32x4.splat(r);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    let y = f32x4.mul(f32x4.sub(v128.load(x + o), mv), rv);
    if (weight != 0) y = f32x4.mul(y, v128.load(weight + o));
    if (bias != 0) y = f32x4.add(y, v128.load(bias + o));
    v128.store(out + o, y);
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    let y = (load<f32>(x + o) - m) * r;
    if (weight != 0) y *= load<f32>(weight + o);
    if (bias != 0) y += load<f32>(bias + o);
    store<f32>(out + o, y);
  }
}

/**
 * layerNorm of rows [rowStart, rowEnd) of n elements: y, and each row's mean and
 * 1/√(var + eps). weight and bias (n elements each) may be 0 (absent).
 */
export function layerNormRowsF32(x: usize, n: i32, weight: usize, bias: usize, eps: f64, y: usize, mean: usize, rstd: usize, rowStart: i32, rowEnd: i32): void {
  for (let row = rowStart; row < rowEnd; row++) {
    const base = <usize>row * <usize>n << 2;
    const mu = sumPowers(false, x + base, n, 0) / <f64>n;
    const m = <f32>mu;
    const variance = sumPowers(true, x + base, n, m) / <f64>n;
    const r = <f32>(1.0 / Math.sqrt(variance + eps));
    normalizeRow(x + base, n, m, r, weight, bias, y + base);
    store<f32>(mean + (<usize>row << 2), m);
    store<f32>(rstd + (<usize>row << 2), r);
  }
}

/**
 * layerNorm's dx for rows [rowStart, rowEnd) of n elements (see Note: layerNorm's
 * backward, in ops/defs/norm.ts): one pass for Σĝ and Σĝ·x̂ (x̂ = (x − μ)·r, ĝ = g·w),
 * one for dx = r·ĝ − x̂·c2 − c1. gMean, gRstd, mean and rstd hold one value per row;
 * weight may be 0 (absent).
 */
export function layerNormBackwardRowsF32(
  g: usize, gMean: usize, gRstd: usize, x: usize, mean: usize, rstd: usize, weight: usize, n: i32, dx: usize, rowStart: i32, rowEnd: i32,
): void {
  const count = <f64>n;
  for (let row = rowStart; row < rowEnd; row++) {
    const base = <usize>row * <usize>n << 2;
    const at = <usize>row << 2;
    const m = f32x4.splat(load<f32>(mean + at));
    const r = load<f32>(rstd + at);
    const rv = f32x4.splat(r);
    let sumGh: f64 = 0;
    let sumGhXhat: f64 = 0;
    let i = 0;
    while (i + 4 <= n) {
      let a = f32x4.splat(0);
      let b = f32x4.splat(0);
      const blockEnd = min(n, i + BLOCK);
      for (; i + 4 <= blockEnd; i += 4) {
        const o = <usize>i << 2;
        const xh = f32x4.mul(f32x4.sub(v128.load(x + base + o), m), rv);
        let gh = v128.load(g + base + o);
        if (weight != 0) gh = f32x4.mul(gh, v128.load(weight + o));
        a = f32x4.add(a, gh);
        b = madd(gh, xh, b);
      }
      sumGh += hsum(a);
      sumGhXhat += hsum(b);
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const xh = (load<f32>(x + base + o) - f32x4.extract_lane(m, 0)) * r;
      let gh = load<f32>(g + base + o);
      if (weight != 0) gh *= load<f32>(weight + o);
      sumGh += <f64>gh;
      sumGhXhat += <f64>(gh * xh);
    }
    const r64 = <f64>r;
    const c1 = <f32>((r64 * sumGh - <f64>load<f32>(gMean + at)) / count);
    const c2 = <f32>((r64 * sumGhXhat + <f64>load<f32>(gRstd + at) * r64 * r64) / count);
    const c1v = f32x4.splat(c1);
    const c2v = f32x4.splat(c2);
    i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(x + base + o), m), rv);
      let gh = v128.load(g + base + o);
      if (weight != 0) gh = f32x4.mul(gh, v128.load(weight + o));
      v128.store(dx + base + o, f32x4.sub(f32x4.sub(f32x4.mul(gh, rv), c1v), f32x4.mul(xh, c2v)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const xh = (load<f32>(x + base + o) - f32x4.extract_lane(m, 0)) * r;
      let gh = load<f32>(g + base + o);
      if (weight != 0) gh *= load<f32>(weight + o);
      store<f32>(dx + base + o, gh * r - c1 - xh * c2);
    }
  }
}

/**
 * layerNorm's dw = Σ g·x̂ and db = Σ g down the `rows` rows of n elements, for the column
 * groups of four [unitStart, unitEnd) (each column summed whole by one call, in row order:
 * float32 over short blocks, flushed into float64). dw or db may be 0 (not wanted).
 */
export function layerNormParamGradsF32(
  g: usize, x: usize, mean: usize, rstd: usize, rows: i32, n: i32, dw: usize, db: usize, unitStart: i32, unitEnd: i32,
): void {
  const rowBytes = <usize>n << 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const c = u << 2;
    const count = min(4, n - c);
    const off = <usize>c << 2;
    let wLo = f64x2.splat(0);
    let wHi = f64x2.splat(0);
    let bLo = f64x2.splat(0);
    let bHi = f64x2.splat(0);
    let row = 0;
    while (row < rows) {
      let aw = f32x4.splat(0);
      let ab = f32x4.splat(0);
      const blockEnd = min(rows, row + COLUMN_BLOCK);
      for (; row < blockEnd; row++) {
        const o = <usize>row * rowBytes + off;
        const at = <usize>row << 2;
        const gv = loadChannels(g + o, count);
        const xh = f32x4.mul(f32x4.sub(loadChannels(x + o, count), v128.load32_splat(mean + at)), v128.load32_splat(rstd + at));
        aw = madd(gv, xh, aw);
        ab = f32x4.add(ab, gv);
      }
      wLo = f64x2.add(wLo, f64x2.promote_low_f32x4(aw));
      wHi = f64x2.add(wHi, f64x2.promote_low_f32x4(i64x2.shuffle(aw, aw, 1, 0)));
      bLo = f64x2.add(bLo, f64x2.promote_low_f32x4(ab));
      bHi = f64x2.add(bHi, f64x2.promote_low_f32x4(i64x2.shuffle(ab, ab, 1, 0)));
    }
    if (dw != 0) storeChannels(dw + off, narrow(wLo, wHi), count);
    if (db != 0) storeChannels(db + off, narrow(bLo, bHi), count);
  }
}

/** out = x·α + β over one plane of len elements (α, β splat). */
// @ts-ignore: decorator
@inline function affinePlane(x: usize, len: i32, alpha: f32, beta: f32, out: usize): void {
  const av = f32x4.splat(alpha);
  const bv = f32x4.splat(beta);
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    const o = <usize>i << 2;
    v128.store(out + o, madd(v128.load(x + o), av, bv));
    v128.store(out + o, madd(v128.load(x + o, 16), av, bv), 16);
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(x + o) * alpha + beta);
  }
}

/** out = (x − m)·scale + shift over one plane of len elements. */
// @ts-ignore: decorator
@inline function centeredAffinePlane(x: usize, len: i32, m: f32, scale: f32, shift: f32, out: usize): void {
  const mv = f32x4.splat(m);
  const sv = f32x4.splat(scale);
  const bv = f32x4.splat(shift);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, madd(f32x4.sub(v128.load(x + o), mv), sv, bv));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, (load<f32>(x + o) - m) * scale + shift);
  }
}

/**
 * Batch norm with batch statistics, channels [cStart, cEnd) of x [n, channels, plane]:
 * y, and each channel's mean and biased variance. weight and bias may be 0 (absent).
 */
export function batchNormTrainingF32(
  x: usize, n: i32, channels: i32, plane: i32, weight: usize, bias: usize, eps: f64, y: usize, mean: usize, variance: usize, cStart: i32, cEnd: i32,
): void {
  const stride = <usize>channels * <usize>plane << 2;
  const count = <f64>n * <f64>plane;
  for (let c = cStart; c < cEnd; c++) {
    const first = <usize>c * <usize>plane << 2;
    let total: f64 = 0;
    for (let i = 0; i < n; i++) total += sumPowers(false, x + first + <usize>i * stride, plane, 0);
    const m = <f32>(total / count);
    let squares: f64 = 0;
    for (let i = 0; i < n; i++) squares += sumPowers(true, x + first + <usize>i * stride, plane, m);
    const v = squares / count;
    const r = 1.0 / Math.sqrt(v + eps);
    const scale = <f32>(weight != 0 ? r * <f64>load<f32>(weight + (<usize>c << 2)) : r);
    const shift = bias != 0 ? load<f32>(bias + (<usize>c << 2)) : <f32>0;
    for (let i = 0; i < n; i++) {
      const p = first + <usize>i * stride;
      centeredAffinePlane(x + p, plane, m, scale, shift, y + p);
    }
    store<f32>(mean + (<usize>c << 2), m);
    store<f32>(variance + (<usize>c << 2), <f32>v);
  }
}

/**
 * Batch norm with given statistics over planes [unitStart, unitEnd) of x [n, channels,
 * plane] (unit u is sample u / channels, channel u % channels).
 */
export function batchNormInferenceF32(
  x: usize, channels: i32, plane: i32, mean: usize, variance: usize, weight: usize, bias: usize, eps: f64, y: usize, unitStart: i32, unitEnd: i32,
): void {
  for (let u = unitStart; u < unitEnd; u++) {
    const c = u % channels;
    const at = <usize>c << 2;
    const r = 1.0 / Math.sqrt(<f64>load<f32>(variance + at) + eps);
    const alpha = weight != 0 ? r * <f64>load<f32>(weight + at) : r;
    const beta = (bias != 0 ? <f64>load<f32>(bias + at) : 0) - <f64>load<f32>(mean + at) * alpha;
    const p = <usize>u * <usize>plane << 2;
    affinePlane(x + p, plane, <f32>alpha, <f32>beta, y + p);
  }
}

// Batch norm of [N, C] input (plane 1): a channel's values are a column, so channels go
// four to a vector and each call unit is a group of four channels walked down the rows.

// @ts-ignore: decorator
@inline function loadChannels(p: usize, count: i32): v128 {
  return count == 4 ? v128.load(p) : loadLanes(p, 4, count);
}

// @ts-ignore: decorator
@inline function storeChannels(p: usize, v: v128, count: i32): void {
  if (count == 4) v128.store(p, v);
  else storeLanes(p, v, count);
}

/** Float32 lanes of two float64x2 halves. */
// @ts-ignore: decorator
@inline function narrow(lo: v128, hi: v128): v128 {
  return i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2);
}

/** Rows of a column group summed in float32 before each float64 flush. */
const COLUMN_BLOCK = 8;

/**
 * Column means (square: of squared deviations from m) of four channels at p down n rows,
 * summed as in Note: float32 sums (reduce.ts) and divided in float64.
 */
// @ts-ignore: decorator
@inline function columnMeans(square: bool, p: usize, n: i32, rowBytes: usize, count: i32, m: v128): v128 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let r = 0;
  while (r < n) {
    let acc = f32x4.splat(0);
    const blockEnd = min(n, r + COLUMN_BLOCK);
    for (; r < blockEnd; r++) {
      const v = loadChannels(p + <usize>r * rowBytes, count);
      if (square) {
        const d = f32x4.sub(v, m);
        acc = madd(d, d, acc);
      } else {
        acc = f32x4.add(acc, v);
      }
    }
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(acc));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i64x2.shuffle(acc, acc, 1, 0)));
  }
  const count64 = f64x2.splat(<f64>n);
  return narrow(f64x2.div(lo, count64), f64x2.div(hi, count64));
}

/** 1/√(v + eps) of four float32 lanes, computed in float64. */
// @ts-ignore: decorator
@inline function inverseRoot(v: v128, eps: f64): v128 {
  const e = f64x2.splat(eps);
  const one = f64x2.splat(1);
  const lo = f64x2.div(one, f64x2.sqrt(f64x2.add(f64x2.promote_low_f32x4(v), e)));
  const hi = f64x2.div(one, f64x2.sqrt(f64x2.add(f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0)), e)));
  return narrow(lo, hi);
}

/**
 * Batch norm with batch statistics of x [n, channels], channel groups of four
 * [unitStart, unitEnd): y, and the channels' mean and biased variance.
 */
export function batchNormTrainingColumnsF32(
  x: usize, n: i32, channels: i32, weight: usize, bias: usize, eps: f64, y: usize, mean: usize, variance: usize, unitStart: i32, unitEnd: i32,
): void {
  const rowBytes = <usize>channels << 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const c = u << 2;
    const count = min(4, channels - c);
    const off = <usize>c << 2;
    const m = columnMeans(false, x + off, n, rowBytes, count, f32x4.splat(0));
    const v = columnMeans(true, x + off, n, rowBytes, count, m);
    let scale = inverseRoot(v, eps);
    if (weight != 0) scale = f32x4.mul(scale, loadChannels(weight + off, count));
    const shift = bias != 0 ? loadChannels(bias + off, count) : f32x4.splat(0);
    for (let row = 0; row < n; row++) {
      const o = <usize>row * rowBytes + off;
      storeChannels(y + o, madd(f32x4.sub(loadChannels(x + o, count), m), scale, shift), count);
    }
    storeChannels(mean + off, m, count);
    storeChannels(variance + off, v, count);
  }
}

/** Batch norm with given statistics of x [n, channels], channel groups of four [unitStart, unitEnd): y = x·α + β. */
export function batchNormInferenceColumnsF32(
  x: usize, n: i32, channels: i32, mean: usize, variance: usize, weight: usize, bias: usize, eps: f64, y: usize, unitStart: i32, unitEnd: i32,
): void {
  const rowBytes = <usize>channels << 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const c = u << 2;
    const count = min(4, channels - c);
    const off = <usize>c << 2;
    let alpha = inverseRoot(loadChannels(variance + off, count), eps);
    if (weight != 0) alpha = f32x4.mul(alpha, loadChannels(weight + off, count));
    let beta = f32x4.neg(f32x4.mul(loadChannels(mean + off, count), alpha));
    if (bias != 0) beta = f32x4.add(beta, loadChannels(bias + off, count));
    for (let row = 0; row < n; row++) {
      const o = <usize>row * rowBytes + off;
      storeChannels(y + o, madd(loadChannels(x + o, count), alpha, beta), count);
    }
  }
}
