// Reductions of contiguous float32 data, seen as [M, K, N] with K reduced: "rows" when
// N = 1 (the reduced elements are consecutive), "columns" otherwise (vectorised across N).
// Each output is computed whole by one call, so results never depend on how threads split
// the outputs; a long single row is summed in fixed chunks whose partials the glue adds.
//
// Note: float32 sums. Sums accumulate in float32 vectors over short blocks and add each
// block's total into a float64 accumulator, rounding to float32 once at the end: about
// as accurate as float64 accumulation (the js kernels, and PyTorch's accumulate type for
// float32 on CPU is float too but with a cascade), at float32 speed.
import { loadLanes, storeLanes } from "./elementwise";

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

/** Float64 lanes 0-1 and 2-3 of a float32 vector, added into lo and hi. */
// @ts-ignore: decorator
@inline function widenLow(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
// @ts-ignore: decorator
@inline function widenHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0));
}

/** Stores `count` (1..4) float64 lanes of lo, hi as float32 at o. */
// @ts-ignore: decorator
@inline function storeNarrowed(o: usize, lo: v128, hi: v128, count: i32): void {
  store<f32>(o, <f32>f64x2.extract_lane(lo, 0));
  if (count > 1) store<f32>(o + 4, <f32>f64x2.extract_lane(lo, 1));
  if (count > 2) store<f32>(o + 8, <f32>f64x2.extract_lane(hi, 0));
  if (count > 3) store<f32>(o + 12, <f32>f64x2.extract_lane(hi, 1));
}

/** Column sums of 16 columns at p (one cache line per row), k rows of rowBytes. */
// @ts-ignore: decorator
@inline function sumStrip16(p: usize, k: i32, rowBytes: usize, o: usize): void {
  let l0 = f64x2.splat(0);
  let h0 = f64x2.splat(0);
  let l1 = f64x2.splat(0);
  let h1 = f64x2.splat(0);
  let l2 = f64x2.splat(0);
  let h2 = f64x2.splat(0);
  let l3 = f64x2.splat(0);
  let h3 = f64x2.splat(0);
  let r = 0;
  while (r < k) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    const blockEnd = min(k, r + COL_BLOCK);
    for (; r < blockEnd; r++, p += rowBytes) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
    }
    l0 = f64x2.add(l0, widenLow(a0));
    h0 = f64x2.add(h0, widenHigh(a0));
    l1 = f64x2.add(l1, widenLow(a1));
    h1 = f64x2.add(h1, widenHigh(a1));
    l2 = f64x2.add(l2, widenLow(a2));
    h2 = f64x2.add(h2, widenHigh(a2));
    l3 = f64x2.add(l3, widenLow(a3));
    h3 = f64x2.add(h3, widenHigh(a3));
  }
  storeNarrowed(o, l0, h0, 4);
  storeNarrowed(o + 16, l1, h1, 4);
  storeNarrowed(o + 32, l2, h2, 4);
  storeNarrowed(o + 48, l3, h3, 4);
}

/** Column sums of `count` (1..4) columns at p. */
// @ts-ignore: decorator
@inline function sumStrip4(p: usize, k: i32, rowBytes: usize, o: usize, count: i32): void {
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
    lo = f64x2.add(lo, widenLow(acc));
    hi = f64x2.add(hi, widenHigh(acc));
  }
  storeNarrowed(o, lo, hi, count);
}

/**
 * Column sums of [M, K, N]: out[m, j] = Σ_k x[m, k, j], for the strips of 16 columns
 * `unitStart..unitEnd` numbered m·⌈N/16⌉ + strip (the last strip of a row may be
 * narrower; it goes 4 columns at a time).
 */
export function sumColsF32(x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  const strips = (n + 15) >> 4;
  const rowBytes = <usize>n << 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const m = u / strips;
    const j0 = (u % strips) << 4;
    const base = x + ((<usize>m * <usize>k * <usize>n) << 2);
    const o = out + ((<usize>m * <usize>n) << 2);
    if (n - j0 >= 16) {
      sumStrip16(base + (<usize>j0 << 2), k, rowBytes, o + (<usize>j0 << 2));
    } else {
      for (let j = j0; j < n; j += 4) sumStrip4(base + (<usize>j << 2), k, rowBytes, o + (<usize>j << 2), min(4, n - j));
    }
  }
}

// @ts-ignore: decorator
@inline function pick(largest: bool, a: v128, b: v128): v128 {
  // pmax/pmin are one instruction (min/max several on x64); they drop a nan b, so callers
  // track nan lanes apart (`nanLanes`) and apply them at the end: a nan wins, as in
  // PyTorch's amax/amin.
  return largest ? f32x4.pmax(a, b) : f32x4.pmin(a, b);
}

/** `seen` with the lanes of v that are nan set to all ones. */
// @ts-ignore: decorator
@inline function nanLanes(seen: v128, v: v128): v128 {
  return v128.or(seen, f32x4.ne(v, v));
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
    let nan = f32x4.splat(0);
    for (; i + 16 <= len; i += 16) {
      const p = x + (<usize>i << 2);
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      const v2 = v128.load(p, 32);
      const v3 = v128.load(p, 48);
      a0 = pick(largest, a0, v0);
      a1 = pick(largest, a1, v1);
      a2 = pick(largest, a2, v2);
      a3 = pick(largest, a3, v3);
      nan = nanLanes(nanLanes(nan, v0), v1);
      nan = nanLanes(nanLanes(nan, v2), v3);
    }
    // All-ones lanes are nans: or-ing the flags in makes those lanes (and the result) nan.
    const v = v128.or(pick(largest, pick(largest, a0, a1), pick(largest, a2, a3)), nan);
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

/** Column extrema of `count` (1..4) columns at p, k >= 1 rows. */
// @ts-ignore: decorator
@inline function extremumStrip4(largest: bool, p: usize, k: i32, rowBytes: usize, o: usize, count: i32): void {
  let acc = loadLanes(p, 4, count);
  let nan = f32x4.ne(acc, acc);
  for (let r = 1; r < k; r++) {
    const v = loadLanes(p + <usize>r * rowBytes, 4, count);
    acc = pick(largest, acc, v);
    nan = nanLanes(nan, v);
  }
  storeLanes(o, v128.or(acc, nan), count);
}

/** Column extrema of 16 columns at p (one cache line per row). */
// @ts-ignore: decorator
@inline function extremumStrip16(largest: bool, p: usize, k: i32, rowBytes: usize, o: usize): void {
  let a0 = v128.load(p);
  let a1 = v128.load(p, 16);
  let a2 = v128.load(p, 32);
  let a3 = v128.load(p, 48);
  let n0 = f32x4.ne(a0, a0);
  let n1 = f32x4.ne(a1, a1);
  let n2 = f32x4.ne(a2, a2);
  let n3 = f32x4.ne(a3, a3);
  for (let r = 1; r < k; r++) {
    const q = p + <usize>r * rowBytes;
    const v0 = v128.load(q);
    const v1 = v128.load(q, 16);
    const v2 = v128.load(q, 32);
    const v3 = v128.load(q, 48);
    a0 = pick(largest, a0, v0);
    a1 = pick(largest, a1, v1);
    a2 = pick(largest, a2, v2);
    a3 = pick(largest, a3, v3);
    n0 = nanLanes(n0, v0);
    n1 = nanLanes(n1, v1);
    n2 = nanLanes(n2, v2);
    n3 = nanLanes(n3, v3);
  }
  v128.store(o, v128.or(a0, n0));
  v128.store(o, v128.or(a1, n1), 16);
  v128.store(o, v128.or(a2, n2), 32);
  v128.store(o, v128.or(a3, n3), 48);
}

// @ts-ignore: decorator
@inline function extremumCols(largest: bool, x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  const strips = (n + 15) >> 4;
  const rowBytes = <usize>n << 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const m = u / strips;
    const j0 = (u % strips) << 4;
    const base = x + ((<usize>m * <usize>k * <usize>n) << 2);
    const o = out + ((<usize>m * <usize>n) << 2);
    if (n - j0 >= 16) {
      extremumStrip16(largest, base + (<usize>j0 << 2), k, rowBytes, o + (<usize>j0 << 2));
    } else {
      for (let j = j0; j < n; j += 4) extremumStrip4(largest, base + (<usize>j << 2), k, rowBytes, o + (<usize>j << 2), min(4, n - j));
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
/** Column maxima of [M, K, N], K >= 1, by strips of 16 as sumColsF32. */
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

/** Stores `count` (1..4) int32 lanes of v as int64 at o. */
// @ts-ignore: decorator
@inline function storeIndices(o: usize, v: v128, count: i32): void {
  store<i64>(o, <i64>i32x4.extract_lane(v, 0));
  if (count > 1) store<i64>(o + 8, <i64>i32x4.extract_lane(v, 1));
  if (count > 2) store<i64>(o + 16, <i64>i32x4.extract_lane(v, 2));
  if (count > 3) store<i64>(o + 24, <i64>i32x4.extract_lane(v, 3));
}

/** Column argmax (argmin) of `count` (1..4) columns at p: a running best and its row per lane. */
// @ts-ignore: decorator
@inline function argStrip4(largest: bool, p: usize, k: i32, rowBytes: usize, o: usize, count: i32): void {
  let bv = loadLanes(p, 4, count);
  let bi = i32x4.splat(0);
  for (let r = 1; r < k; r++) {
    const v = loadLanes(p + <usize>r * rowBytes, 4, count);
    const mask = beats(largest, v, bv);
    bv = v128.bitselect(v, bv, mask);
    bi = v128.bitselect(i32x4.splat(r), bi, mask);
  }
  storeIndices(o, bi, count);
}

/** Column argmax (argmin) of 16 columns at p. */
// @ts-ignore: decorator
@inline function argStrip16(largest: bool, p: usize, k: i32, rowBytes: usize, o: usize): void {
  let v0 = v128.load(p);
  let v1 = v128.load(p, 16);
  let v2 = v128.load(p, 32);
  let v3 = v128.load(p, 48);
  let i0 = i32x4.splat(0);
  let i1 = i0;
  let i2 = i0;
  let i3 = i0;
  for (let r = 1; r < k; r++) {
    const q = p + <usize>r * rowBytes;
    const row = i32x4.splat(r);
    let v = v128.load(q);
    let mask = beats(largest, v, v0);
    v0 = v128.bitselect(v, v0, mask);
    i0 = v128.bitselect(row, i0, mask);
    v = v128.load(q, 16);
    mask = beats(largest, v, v1);
    v1 = v128.bitselect(v, v1, mask);
    i1 = v128.bitselect(row, i1, mask);
    v = v128.load(q, 32);
    mask = beats(largest, v, v2);
    v2 = v128.bitselect(v, v2, mask);
    i2 = v128.bitselect(row, i2, mask);
    v = v128.load(q, 48);
    mask = beats(largest, v, v3);
    v3 = v128.bitselect(v, v3, mask);
    i3 = v128.bitselect(row, i3, mask);
  }
  storeIndices(o, i0, 4);
  storeIndices(o + 32, i1, 4);
  storeIndices(o + 64, i2, 4);
  storeIndices(o + 96, i3, 4);
}

// @ts-ignore: decorator
@inline function argCols(largest: bool, x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  const strips = (n + 15) >> 4;
  const rowBytes = <usize>n << 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const m = u / strips;
    const j0 = (u % strips) << 4;
    const base = x + ((<usize>m * <usize>k * <usize>n) << 2);
    const o = out + ((<usize>m * <usize>n) << 3);
    if (n - j0 >= 16) {
      argStrip16(largest, base + (<usize>j0 << 2), k, rowBytes, o + (<usize>j0 << 3));
    } else {
      for (let j = j0; j < n; j += 4) argStrip4(largest, base + (<usize>j << 2), k, rowBytes, o + (<usize>j << 3), min(4, n - j));
    }
  }
}

/** int64 out[r] = index of the first maximum of row r (nan counts as the maximum). */
export function argmaxRowsF32(x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  argRows(true, x, len, out, rowStart, rowEnd);
}
export function argminRowsF32(x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  argRows(false, x, len, out, rowStart, rowEnd);
}
/** int64 column argmax of [M, K, N] by strips of 16 as sumColsF32. */
export function argmaxColsF32(x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  argCols(true, x, k, n, out, unitStart, unitEnd);
}
export function argminColsF32(x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  argCols(false, x, k, n, out, unitStart, unitEnd);
}
