// Reductions of contiguous float32 data, seen as [M, K, N] with K reduced: "rows" when
// N = 1 (the reduced elements are consecutive), "columns" otherwise (vectorised across N).
// Each output is computed whole by one call, so results never depend on how threads split
// the outputs; a long single row is summed in fixed chunks whose partials the glue adds.
//
// Note: float32 sums. Sums accumulate in float32 vectors over short blocks and add each
// block's total into a float64 accumulator, rounding to float32 once at the end: about
// as accurate as float64 accumulation (the js kernels, and PyTorch's accumulate type for
// float32 on CPU is float too but with a cascade), at float32 speed.
import { loadLanes } from "./elementwise";

/** Rows summed per float64 flush: 8 vectors of 16 elements, 8 terms per lane. */
const ROW_BLOCK = 128;
/** Rows of a column strip summed in float32 before each float64 flush. */
const COL_BLOCK = 8;

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** Σ x[0..len) (float32 data, float64 result; see Note: float32 sums). */
// @ts-ignore: decorator
@inline function sumRange(x: usize, len: i32): f64 {
  let total: f64 = 0;
  let i = 0;
  while (i + 16 <= len) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    const blockEnd = min(len, i + ROW_BLOCK);
    for (; i + 16 <= blockEnd; i += 16) {
      const p = x + (<usize>i << 2);
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
    }
    total += hsum(a0) + hsum(a1) + (hsum(a2) + hsum(a3));
  }
  for (; i < len; i++) total += <f64>load<f32>(x + (<usize>i << 2));
  return total;
}

/** out[r] = Σ_k x[r·len + k] for rows r in [rowStart, rowEnd). */
export function sumRowsF32(x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  for (let r = rowStart; r < rowEnd; r++) {
    store<f32>(out + (<usize>r << 2), <f32>sumRange(x + (<usize>r * <usize>len << 2), len));
  }
}

/**
 * Float64 partial sums of a long row in chunks of `chunk` elements: partials[c] is the sum
 * of chunk c, for c in [chunkStart, chunkEnd) (the last chunk may be short).
 */
export function sumChunksF32(x: usize, n: i32, chunk: i32, partials: usize, chunkStart: i32, chunkEnd: i32): void {
  for (let c = chunkStart; c < chunkEnd; c++) {
    const s = c * chunk;
    store<f64>(partials + (<usize>c << 3), sumRange(x + (<usize>s << 2), min(chunk, n - s)));
  }
}

/**
 * Column sums of [M, K, N]: out[m, j] = Σ_k x[m, k, j], for the strips of 4 columns
 * `unitStart..unitEnd` numbered m·⌈N/4⌉ + strip (the last strip of a row may be short).
 */
export function sumColsF32(x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  const strips = (n + 3) >> 2;
  const rowBytes = <usize>n << 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const m = u / strips;
    const j = (u % strips) << 2;
    const count = min(4, n - j);
    let p = x + ((<usize>m * <usize>k * <usize>n + <usize>j) << 2);
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    let r = 0;
    while (r < k) {
      let acc = f32x4.splat(0);
      const blockEnd = min(k, r + COL_BLOCK);
      if (count == 4) {
        for (; r < blockEnd; r++, p += rowBytes) acc = f32x4.add(acc, v128.load(p));
      } else {
        for (; r < blockEnd; r++, p += rowBytes) acc = f32x4.add(acc, loadLanes(p, 4, count));
      }
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(acc));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i64x2.shuffle(acc, acc, 1, 0)));
    }
    const o = out + ((<usize>m * <usize>n + <usize>j) << 2);
    store<f32>(o, <f32>f64x2.extract_lane(lo, 0));
    if (count > 1) store<f32>(o + 4, <f32>f64x2.extract_lane(lo, 1));
    if (count > 2) store<f32>(o + 8, <f32>f64x2.extract_lane(hi, 0));
    if (count > 3) store<f32>(o + 12, <f32>f64x2.extract_lane(hi, 1));
  }
}

// @ts-ignore: decorator
@inline function pick(largest: bool, a: v128, b: v128): v128 {
  // wasm's min/max propagate nan, as PyTorch's amax/amin.
  return largest ? f32x4.max(a, b) : f32x4.min(a, b);
}

// @ts-ignore: decorator
@inline function pickScalar(largest: bool, a: f32, b: f32): f32 {
  return largest ? max<f32>(a, b) : min<f32>(a, b);
}

/** The largest (or smallest) of x[0..len), len >= 1; nan if any is nan. */
// @ts-ignore: decorator
@inline function extremumRange(largest: bool, x: usize, len: i32): f32 {
  let i = 0;
  let best = load<f32>(x);
  if (len >= 16) {
    let a0 = v128.load(x);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    for (; i + 16 <= len; i += 16) {
      const p = x + (<usize>i << 2);
      a0 = pick(largest, a0, v128.load(p));
      a1 = pick(largest, a1, v128.load(p, 16));
      a2 = pick(largest, a2, v128.load(p, 32));
      a3 = pick(largest, a3, v128.load(p, 48));
    }
    const v = pick(largest, pick(largest, a0, a1), pick(largest, a2, a3));
    best = pickScalar(largest, pickScalar(largest, f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), pickScalar(largest, f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  }
  for (; i < len; i++) best = pickScalar(largest, best, load<f32>(x + (<usize>i << 2)));
  return best;
}

// @ts-ignore: decorator
@inline function extremumRows(largest: bool, x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  for (let r = rowStart; r < rowEnd; r++) {
    store<f32>(out + (<usize>r << 2), extremumRange(largest, x + (<usize>r * <usize>len << 2), len));
  }
}

// @ts-ignore: decorator
@inline function extremumCols(largest: bool, x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  const strips = (n + 3) >> 2;
  const rowBytes = <usize>n << 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const m = u / strips;
    const j = (u % strips) << 2;
    const count = min(4, n - j);
    let p = x + ((<usize>m * <usize>k * <usize>n + <usize>j) << 2);
    const o = out + ((<usize>m * <usize>n + <usize>j) << 2);
    if (count == 4) {
      let acc = v128.load(p);
      for (let r = 1; r < k; r++) {
        p += rowBytes;
        acc = pick(largest, acc, v128.load(p));
      }
      v128.store(o, acc);
    } else {
      let acc = loadLanes(p, 4, count);
      for (let r = 1; r < k; r++) {
        p += rowBytes;
        acc = pick(largest, acc, loadLanes(p, 4, count));
      }
      store<f32>(o, f32x4.extract_lane(acc, 0));
      if (count > 1) store<f32>(o + 4, f32x4.extract_lane(acc, 1));
      if (count > 2) store<f32>(o + 8, f32x4.extract_lane(acc, 2));
    }
  }
}

/** out[r] = max of row r, rows [rowStart, rowEnd) of length len >= 1. */
export function amaxRowsF32(x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  extremumRows(true, x, len, out, rowStart, rowEnd);
}
export function aminRowsF32(x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  extremumRows(false, x, len, out, rowStart, rowEnd);
}
/** Column maxima of [M, K, N], K >= 1, by strips of 4 as sumColsF32. */
export function amaxColsF32(x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  extremumCols(true, x, k, n, out, unitStart, unitEnd);
}
export function aminColsF32(x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  extremumCols(false, x, k, n, out, unitStart, unitEnd);
}

/**
 * Lanes where v replaces best in an argmax (argmin) scan: strictly greater (smaller), or
 * nan over a non-nan best; so the first extremum wins and the first nan beats everything.
 */
// @ts-ignore: decorator
@inline function beats(largest: bool, v: v128, best: v128): v128 {
  const better = largest ? f32x4.gt(v, best) : f32x4.lt(v, best);
  return v128.or(better, v128.andnot(f32x4.ne(v, v), f32x4.ne(best, best)));
}

// @ts-ignore: decorator
@inline function beatsScalar(largest: bool, v: f32, best: f32): bool {
  return (largest ? v > best : v < best) || (v != v && best == best);
}

// Constants in memory rather than v128.const (see Note: constants from memory, in math.ts).
const LANE_INDICES = memory.data<i32>([0, 1, 2, 3]);
const FOUR = memory.data<i32>([4]);

/** Whether candidate (v, j) of a lane merge replaces the one at index `at` with value b. */
// @ts-ignore: decorator
@inline function replaces(largest: bool, v: f32, j: i32, b: f32, at: i32): bool {
  const tie = v == b || (v != v && b != b);
  return beatsScalar(largest, v, b) || (tie && j < at);
}

/** The index of the first extremum of x[0..len), len >= 1 (see `beats`). */
// @ts-ignore: decorator
@inline function argRange(largest: bool, x: usize, len: i32): i32 {
  let at = 0;
  let i = 1;
  if (len >= 8) {
    // Lane l scans elements l, l + 4, ...: each keeps its own first extremum.
    let bv = v128.load(x);
    let bi = v128.load(LANE_INDICES);
    let idx = bi;
    for (i = 4; i + 4 <= len; i += 4) {
      idx = i32x4.add(idx, v128.load32_splat(FOUR));
      const v = v128.load(x + (<usize>i << 2));
      const m = beats(largest, v, bv);
      bv = v128.bitselect(v, bv, m);
      bi = v128.bitselect(idx, bi, m);
    }
    // Merge the lanes: the better value wins, the lower index among ties.
    at = i32x4.extract_lane(bi, 0);
    let j = i32x4.extract_lane(bi, 1);
    if (replaces(largest, f32x4.extract_lane(bv, 1), j, load<f32>(x + (<usize>at << 2)), at)) at = j;
    j = i32x4.extract_lane(bi, 2);
    if (replaces(largest, f32x4.extract_lane(bv, 2), j, load<f32>(x + (<usize>at << 2)), at)) at = j;
    j = i32x4.extract_lane(bi, 3);
    if (replaces(largest, f32x4.extract_lane(bv, 3), j, load<f32>(x + (<usize>at << 2)), at)) at = j;
  }
  let best = load<f32>(x + (<usize>at << 2));
  for (; i < len; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (beatsScalar(largest, v, best)) {
      best = v;
      at = i;
    }
  }
  return at;
}

// @ts-ignore: decorator
@inline function argRows(largest: bool, x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  for (let r = rowStart; r < rowEnd; r++) {
    store<i64>(out + (<usize>r << 3), <i64>argRange(largest, x + (<usize>r * <usize>len << 2), len));
  }
}

// @ts-ignore: decorator
@inline function argCols(largest: bool, x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  const strips = (n + 3) >> 2;
  const rowBytes = <usize>n << 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const m = u / strips;
    const j = (u % strips) << 2;
    const count = min(4, n - j);
    let p = x + ((<usize>m * <usize>k * <usize>n + <usize>j) << 2);
    let bv = loadLanes(p, 4, count);
    let bi = i32x4.splat(0);
    for (let r = 1; r < k; r++) {
      p += rowBytes;
      const v = loadLanes(p, 4, count);
      const mask = beats(largest, v, bv);
      bv = v128.bitselect(v, bv, mask);
      bi = v128.bitselect(i32x4.splat(r), bi, mask);
    }
    const o = out + ((<usize>m * <usize>n + <usize>j) << 3);
    store<i64>(o, <i64>i32x4.extract_lane(bi, 0));
    if (count > 1) store<i64>(o + 8, <i64>i32x4.extract_lane(bi, 1));
    if (count > 2) store<i64>(o + 16, <i64>i32x4.extract_lane(bi, 2));
    if (count > 3) store<i64>(o + 24, <i64>i32x4.extract_lane(bi, 3));
  }
}

/** int64 out[r] = index of the first maximum of row r (nan counts as the maximum). */
export function argmaxRowsF32(x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  argRows(true, x, len, out, rowStart, rowEnd);
}
export function argminRowsF32(x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  argRows(false, x, len, out, rowStart, rowEnd);
}
/** int64 column argmax of [M, K, N] by strips of 4 as sumColsF32. */
export function argmaxColsF32(x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  argCols(true, x, k, n, out, unitStart, unitEnd);
}
export function argminColsF32(x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  argCols(false, x, k, n, out, unitStart, unitEnd);
}
