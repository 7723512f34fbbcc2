// softmax and logSoftmax of contiguous float32 data along one dim, fused: per line, one
// pass for the max (nan wins, as in amax), one for e^(x − max) and its sum (see Note:
// float32 sums, in reduce.ts), one to normalise: y = e·(1/Σ) as PyTorch's vectorised
// softmax, or (x − max) − log Σ for logSoftmax. Lines are rows (the dim is last) or
// columns of [M, K, N] (vectorised across N, strips of 8 columns).
import { loadLanes, storeLanes } from "./elementwise";
import { expNonPositiveF32x4 } from "./math";

const BLOCK = 128;

/** The row's max, nan if any element is nan; four accumulators hide max's latency. */
// @ts-ignore: decorator
@inline function rowMax(x: usize, len: i32): f32 {
  let best: f32 = -Infinity;
  let i = 0;
  if (len >= 16) {
    let a0 = v128.load(x);
    let a1 = v128.load(x, 16);
    let a2 = v128.load(x, 32);
    let a3 = v128.load(x, 48);
    // pmax is one instruction, max several: track nan lanes apart (as amax in reduce.ts).
    let nan = v128.or(v128.or(f32x4.ne(a0, a0), f32x4.ne(a1, a1)), v128.or(f32x4.ne(a2, a2), f32x4.ne(a3, a3)));
    for (i = 16; i + 16 <= len; i += 16) {
      const p = x + (<usize>i << 2);
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      const v2 = v128.load(p, 32);
      const v3 = v128.load(p, 48);
      a0 = f32x4.pmax(a0, v0);
      a1 = f32x4.pmax(a1, v1);
      a2 = f32x4.pmax(a2, v2);
      a3 = f32x4.pmax(a3, v3);
      nan = v128.or(nan, v128.or(v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)), v128.or(f32x4.ne(v2, v2), f32x4.ne(v3, v3))));
    }
    const acc = v128.or(f32x4.pmax(f32x4.pmax(a0, a1), f32x4.pmax(a2, a3)), nan);
    best = max(max(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), max(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  }
  for (; i < len; i++) best = max(best, load<f32>(x + (<usize>i << 2)));
  return best;
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
}

/**
 * Σ e^(x − m) over the row; when `keep`, the exponentials are stored at out (the tail's
 * lanes go through the same vector exp, so every element is computed alike).
 */
// @ts-ignore: decorator
@inline function rowExpSum(keep: bool, x: usize, len: i32, m: v128, out: usize): f64 {
  let total: f64 = 0;
  let i = 0;
  // Two vectors per step: two independent exp chains (see unary.ts).
  while (i + 8 <= len) {
    let acc0 = f32x4.splat(0);
    let acc1 = f32x4.splat(0);
    const blockEnd = min(len, i + BLOCK);
    for (; i + 8 <= blockEnd; i += 8) {
      const o = <usize>i << 2;
      const e0 = expNonPositiveF32x4(f32x4.sub(v128.load(x + o), m));
      const e1 = expNonPositiveF32x4(f32x4.sub(v128.load(x + o, 16), m));
      if (keep) {
        v128.store(out + o, e0);
        v128.store(out + o, e1, 16);
      }
      acc0 = f32x4.add(acc0, e0);
      acc1 = f32x4.add(acc1, e1);
    }
    total += hsum(acc0) + hsum(acc1);
  }
  if (i + 4 <= len) {
    const o = <usize>i << 2;
    const e = expNonPositiveF32x4(f32x4.sub(v128.load(x + o), m));
    if (keep) v128.store(out + o, e);
    total += hsum(e);
    i += 4;
  }
  if (i < len) {
    const count = len - i;
    const o = <usize>i << 2;
    const e = expNonPositiveF32x4(f32x4.sub(loadLanes(x + o, 4, count), m));
    if (keep) storeLanes(out + o, e, count);
    // The unused lanes hold e^(0 − m): sum only the real ones.
    total += <f64>f32x4.extract_lane(e, 0);
    if (count > 1) total += <f64>f32x4.extract_lane(e, 1);
    if (count > 2) total += <f64>f32x4.extract_lane(e, 2);
  }
  return total;
}

/**
 * The last pass over a line of len elements: softmax scales the stored exponentials by
 * 1/Σ (rounded to float32 once, as PyTorch multiplies by the reciprocal); logSoftmax
 * writes (x − max) − log Σ, in that order as PyTorch's log_softmax.
 */
// @ts-ignore: decorator
@inline function normalise(log: bool, px: usize, po: usize, len: i32, m: v128, total: f64): void {
  let i = 0;
  if (log) {
    const logTotal = f32x4.splat(<f32>Math.log(total));
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(po + o, f32x4.sub(f32x4.sub(v128.load(px + o), m), logTotal));
    }
    if (i < len) {
      const count = len - i;
      const o = <usize>i << 2;
      storeLanes(po + o, f32x4.sub(f32x4.sub(loadLanes(px + o, 4, count), m), logTotal), count);
    }
  } else {
    const scale = f32x4.splat(<f32>(1.0 / total));
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(po + o, f32x4.mul(v128.load(po + o), scale));
    }
    for (; i < len; i++) {
      const o = <usize>i << 2;
      store<f32>(po + o, load<f32>(po + o) * f32x4.extract_lane(scale, 0));
    }
  }
}

// @ts-ignore: decorator
@inline function softmaxRows(log: bool, x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const base = <usize>r * <usize>len << 2;
    const px = x + base;
    const po = out + base;
    const m = f32x4.splat(rowMax(px, len));
    normalise(log, px, po, len, m, rowExpSum(!log, px, len, m, po));
  }
}

/** softmax along rows of length len, rows [rowStart, rowEnd). */
export function softmaxRowsF32(x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  softmaxRows(false, x, len, out, rowStart, rowEnd);
}
/** logSoftmax along rows of length len, rows [rowStart, rowEnd). */
export function logSoftmaxRowsF32(x: usize, len: i32, out: usize, rowStart: i32, rowEnd: i32): void {
  softmaxRows(true, x, len, out, rowStart, rowEnd);
}

// One long line split in chunks of `chunk` elements (the last may be short), so that
// threads share it: the glue runs the three passes as three parallel calls and combines
// the partial maxima and float64 partial sums in order between them (see
// kernels/softmax.ts). The chunking depends on the length only, never on the thread count.

/** partials[c] = max of chunk c (float32, nan wins), c in [chunkStart, chunkEnd). */
export function softmaxMaxChunksF32(x: usize, n: i32, chunk: i32, partials: usize, chunkStart: i32, chunkEnd: i32): void {
  for (let c = chunkStart; c < chunkEnd; c++) {
    const s = c * chunk;
    store<f32>(partials + (<usize>c << 2), rowMax(x + (<usize>s << 2), min(chunk, n - s)));
  }
}

// @ts-ignore: decorator
@inline function expChunks(log: bool, x: usize, n: i32, chunk: i32, m: f32, out: usize, partials: usize, chunkStart: i32, chunkEnd: i32): void {
  for (let c = chunkStart; c < chunkEnd; c++) {
    const s = <usize>(c * chunk) << 2;
    store<f64>(partials + (<usize>c << 3), rowExpSum(!log, x + s, min(chunk, n - c * chunk), f32x4.splat(m), out + s));
  }
}

/** softmax's second pass by chunks: e^(x − m) stored at out, partials[c] = Σ (float64). */
export function softmaxExpChunksF32(x: usize, n: i32, chunk: i32, m: f32, out: usize, partials: usize, chunkStart: i32, chunkEnd: i32): void {
  expChunks(false, x, n, chunk, m, out, partials, chunkStart, chunkEnd);
}
/** logSoftmax's second pass by chunks: partials[c] = Σ e^(x − m) (float64), nothing stored. */
export function logSoftmaxExpChunksF32(x: usize, n: i32, chunk: i32, m: f32, out: usize, partials: usize, chunkStart: i32, chunkEnd: i32): void {
  expChunks(true, x, n, chunk, m, out, partials, chunkStart, chunkEnd);
}

/** softmax's last pass by chunks, given the line's max m and total Σ. */
export function softmaxNormChunksF32(x: usize, n: i32, chunk: i32, m: f32, total: f64, out: usize, chunkStart: i32, chunkEnd: i32): void {
  for (let c = chunkStart; c < chunkEnd; c++) {
    const s = <usize>(c * chunk) << 2;
    normalise(false, x + s, out + s, min(chunk, n - c * chunk), f32x4.splat(m), total);
  }
}
/** logSoftmax's last pass by chunks, given the line's max m and total Σ. */
export function logSoftmaxNormChunksF32(x: usize, n: i32, chunk: i32, m: f32, total: f64, out: usize, chunkStart: i32, chunkEnd: i32): void {
  for (let c = chunkStart; c < chunkEnd; c++) {
    const s = <usize>(c * chunk) << 2;
    normalise(true, x + s, out + s, min(chunk, n - c * chunk), f32x4.splat(m), total);
  }
}

// @ts-ignore: decorator
@inline function loadColumns(p: usize, count: i32): v128 {
  return count == 4 ? v128.load(p) : loadLanes(p, 4, count);
}

// @ts-ignore: decorator
@inline function storeColumns(p: usize, v: v128, count: i32): void {
  if (count == 4) v128.store(p, v);
  else storeLanes(p, v, count);
}

/** Float32 lanes from two float64x2 halves. */
// @ts-ignore: decorator
@inline function narrow(lo: v128, hi: v128): v128 {
  return i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2);
}

/** Rows of a column strip summed in float32 before each float64 flush. */
const COL_BLOCK = 8;

/** Rows of a column strip whose exponentials are summed in float32 before each float64 flush. */
// @ts-ignore: decorator
@inline function widen(acc: v128, lo: v128): v128 {
  return f64x2.add(lo, f64x2.promote_low_f32x4(acc));
}
// @ts-ignore: decorator
@inline function widenHigh(acc: v128, hi: v128): v128 {
  return f64x2.add(hi, f64x2.promote_low_f32x4(i64x2.shuffle(acc, acc, 1, 0)));
}

/** log of each float64 lane of lo, hi as float32 lanes. */
// @ts-ignore: decorator
@inline function logLanes(lo: v128, hi: v128): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, <f32>Math.log(f64x2.extract_lane(lo, 0)));
  v = f32x4.replace_lane(v, 1, <f32>Math.log(f64x2.extract_lane(lo, 1)));
  v = f32x4.replace_lane(v, 2, <f32>Math.log(f64x2.extract_lane(hi, 0)));
  return f32x4.replace_lane(v, 3, <f32>Math.log(f64x2.extract_lane(hi, 1)));
}

/** 1/x of each float64 lane of lo, hi as float32 lanes. */
// @ts-ignore: decorator
@inline function reciprocalLanes(lo: v128, hi: v128): v128 {
  const one = f64x2.splat(1.0);
  return narrow(f64x2.div(one, lo), f64x2.div(one, hi));
}

/**
 * softmax down a strip of two column vectors, a (countA lanes) and b (countB lanes, 1..4),
 * k rows of rowBytes: the two exponentials of a row are independent chains.
 */
// @ts-ignore: decorator
@inline function softmaxStrip8(log: bool, px: usize, po: usize, k: i32, rowBytes: usize, countA: i32, countB: i32): void {
  let ma = loadColumns(px, countA);
  let mb = loadColumns(px + 16, countB);
  for (let r = 1; r < k; r++) {
    const q = px + <usize>r * rowBytes;
    ma = f32x4.max(ma, loadColumns(q, countA));
    mb = f32x4.max(mb, loadColumns(q + 16, countB));
  }
  let loA = f64x2.splat(0);
  let hiA = f64x2.splat(0);
  let loB = f64x2.splat(0);
  let hiB = f64x2.splat(0);
  let r = 0;
  while (r < k) {
    let accA = f32x4.splat(0);
    let accB = f32x4.splat(0);
    const blockEnd = min(k, r + COL_BLOCK);
    for (; r < blockEnd; r++) {
      const o = <usize>r * rowBytes;
      const ea = expNonPositiveF32x4(f32x4.sub(loadColumns(px + o, countA), ma));
      const eb = expNonPositiveF32x4(f32x4.sub(loadColumns(px + o + 16, countB), mb));
      if (!log) {
        storeColumns(po + o, ea, countA);
        storeColumns(po + o + 16, eb, countB);
      }
      accA = f32x4.add(accA, ea);
      accB = f32x4.add(accB, eb);
    }
    loA = widen(accA, loA);
    hiA = widenHigh(accA, hiA);
    loB = widen(accB, loB);
    hiB = widenHigh(accB, hiB);
  }
  if (log) {
    const la = logLanes(loA, hiA);
    const lb = logLanes(loB, hiB);
    for (let r = 0; r < k; r++) {
      const o = <usize>r * rowBytes;
      storeColumns(po + o, f32x4.sub(f32x4.sub(loadColumns(px + o, countA), ma), la), countA);
      storeColumns(po + o + 16, f32x4.sub(f32x4.sub(loadColumns(px + o + 16, countB), mb), lb), countB);
    }
  } else {
    const sa = reciprocalLanes(loA, hiA);
    const sb = reciprocalLanes(loB, hiB);
    for (let r = 0; r < k; r++) {
      const o = <usize>r * rowBytes;
      storeColumns(po + o, f32x4.mul(loadColumns(po + o, countA), sa), countA);
      storeColumns(po + o + 16, f32x4.mul(loadColumns(po + o + 16, countB), sb), countB);
    }
  }
}

/** softmax down one column vector of `count` lanes. */
// @ts-ignore: decorator
@inline function softmaxStrip4(log: bool, px: usize, po: usize, k: i32, rowBytes: usize, count: i32): void {
  let mx = loadColumns(px, count);
  for (let r = 1; r < k; r++) mx = f32x4.max(mx, loadColumns(px + <usize>r * rowBytes, count));
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let r = 0;
  while (r < k) {
    let acc = f32x4.splat(0);
    const blockEnd = min(k, r + COL_BLOCK);
    for (; r < blockEnd; r++) {
      const o = <usize>r * rowBytes;
      const e = expNonPositiveF32x4(f32x4.sub(loadColumns(px + o, count), mx));
      if (!log) storeColumns(po + o, e, count);
      acc = f32x4.add(acc, e);
    }
    lo = widen(acc, lo);
    hi = widenHigh(acc, hi);
  }
  if (log) {
    const logTotal = logLanes(lo, hi);
    for (let r = 0; r < k; r++) {
      const o = <usize>r * rowBytes;
      storeColumns(po + o, f32x4.sub(f32x4.sub(loadColumns(px + o, count), mx), logTotal), count);
    }
  } else {
    const scale = reciprocalLanes(lo, hi);
    for (let r = 0; r < k; r++) {
      const o = <usize>r * rowBytes;
      storeColumns(po + o, f32x4.mul(loadColumns(po + o, count), scale), count);
    }
  }
}

// @ts-ignore: decorator
@inline function softmaxCols(log: bool, x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  const strips = (n + 7) >> 3;
  const rowBytes = <usize>n << 2;
  for (let u = unitStart; u < unitEnd; u++) {
    const m = u / strips;
    const j = (u % strips) << 3;
    const width = min(8, n - j);
    const base = ((<usize>m * <usize>k * <usize>n + <usize>j) << 2);
    if (width > 4) softmaxStrip8(log, x + base, out + base, k, rowBytes, 4, width - 4);
    else softmaxStrip4(log, x + base, out + base, k, rowBytes, width);
  }
}

/** softmax along the columns of [M, K, N] (over K), by strips of 8 columns numbered m·⌈N/8⌉ + strip. */
export function softmaxColsF32(x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  softmaxCols(false, x, k, n, out, unitStart, unitEnd);
}
/** logSoftmax along the columns of [M, K, N], as softmaxColsF32. */
export function logSoftmaxColsF32(x: usize, k: i32, n: i32, out: usize, unitStart: i32, unitEnd: i32): void {
  softmaxCols(true, x, k, n, out, unitStart, unitEnd);
}
