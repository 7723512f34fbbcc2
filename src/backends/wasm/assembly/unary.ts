// Unary float32 kernels: one export per op, each a strided walk (see Note: strided walks,
// in elementwise.ts) over output elements [start, end). Semantics follow the js kernels
// (src/backends/js/kernels/unary.ts) and PyTorch's CPU kernels, including nan, ±inf and
// signed zeros.
import { loadLanes, storeLanes } from "./elementwise";
import {
  absF32x4, erfF32x4, sinCosF32x4, expF32x4, expm1F32x4, log1pF32x4, log2F32x4, logF32x4, negF32x4, ones, sigmoidF32x4, tanhF32x4,
  zeros,
} from "./math";

const NEG = 0;
const ABS = 1;
const EXP = 2;
const EXPM1 = 3;
const LOG = 4;
const LOG1P = 5;
const LOG2 = 6;
const SQRT = 7;
const RSQRT = 8;
const RECIPROCAL = 9;
const SIGMOID = 10;
const TANH = 11;
const RELU = 12;
const ERF = 13;
const FLOOR = 14;
const CEIL = 15;
const TRUNC = 16;
const ROUND = 17;
const SIGN = 18;
const SQUARE = 19;
const CUBE = 20;
const INVERSE_SQUARE = 21;
const CLAMP = 22;
const SIN = 23;
const COS = 24;

// @ts-ignore: decorator
@inline function apply(op: i32, x: v128, lo: v128, hi: v128): v128 {
  switch (op) {
    case NEG: return negF32x4(x);
    case ABS: return absF32x4(x);
    case EXP: return expF32x4(x);
    case EXPM1: return expm1F32x4(x);
    case LOG: return logF32x4(x);
    case LOG1P: return log1pF32x4(x);
    case LOG2: return log2F32x4(x);
    case SQRT: return f32x4.sqrt(x);
    // PyTorch's rsqrt is 1 / sqrt(x), two roundings, as here.
    case RSQRT: return f32x4.div(ones(), f32x4.sqrt(x));
    case RECIPROCAL: return f32x4.div(ones(), x);
    case SIGMOID: return sigmoidF32x4(x);
    case TANH: return tanhF32x4(x);
    // x < 0 ? 0 : x, so nan stays nan as in PyTorch's relu (pmax: one instruction).
    case RELU: return f32x4.pmax(x, zeros());
    case ERF: return erfF32x4(x);
    case SIN: return sinCosF32x4(x, false);
    case COS: return sinCosF32x4(x, true);
    case FLOOR: return f32x4.floor(x);
    case CEIL: return f32x4.ceil(x);
    case TRUNC: return f32x4.trunc(x);
    // Round half to even, as torch.round.
    case ROUND: return f32x4.nearest(x);
    case SIGN: {
      // ±1 by sign, zeros keep their sign, nan gives 0 (PyTorch's sign).
      const zero = zeros();
      const one = v128.and(f32x4.gt(x, zero), ones());
      const minusOne = v128.and(f32x4.lt(x, zero), negF32x4(ones()));
      return v128.bitselect(x, v128.or(one, minusOne), f32x4.eq(x, zero));
    }
    // pow with exponent 2, 3 and −2, spelled as PyTorch's pow_tensor_scalar_optimized_kernel does.
    case SQUARE: return f32x4.mul(x, x);
    case CUBE: return f32x4.mul(f32x4.mul(x, x), x);
    case INVERSE_SQUARE: return f32x4.div(ones(), f32x4.mul(x, x));
    // min(max(x, lo), hi) with x first in pmax/pmin so a nan x stays nan; lo > hi gives hi.
    case CLAMP: return f32x4.pmin(f32x4.pmax(x, lo), hi);
    default: return x;
  }
}

/** One row: `len` outputs from x with element stride sx. */
// @ts-ignore: decorator
@inline function row(op: i32, x: usize, sx: i32, out: usize, len: i32, lo: v128, hi: v128): void {
  let i = 0;
  if (sx == 1) {
    // Two vectors per step: independent dependency chains the CPU overlaps (a polynomial
    // is one long chain, so one vector at a time is latency-bound; four run out of the 16
    // x64 vector registers and spill).
    for (; i + 8 <= len; i += 8) {
      const o = <usize>i << 2;
      const a = apply(op, v128.load(x + o), lo, hi);
      const b = apply(op, v128.load(x + o, 16), lo, hi);
      v128.store(out + o, a);
      v128.store(out + o, b, 16);
    }
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, apply(op, v128.load(x + o), lo, hi));
    }
  } else {
    const step = sx << 2;
    for (; i + 4 <= len; i += 4) v128.store(out + (<usize>i << 2), apply(op, loadLanes(x + <usize>(i * step), step, 4), lo, hi));
  }
  if (i < len) {
    const count = len - i;
    storeLanes(out + (<usize>i << 2), apply(op, loadLanes(x + <usize>(i * (sx << 2)), sx << 2, count), lo, hi), count);
  }
}

/** The walk of Note: strided walks with one operand. */
// @ts-ignore: decorator
@inline function walk(
  op: i32, x: usize, out: usize, n1: i32, n2: i32, n3: i32,
  s0: i32, s1: i32, s2: i32, s3: i32, low: f32, high: f32, start: i32, end: i32,
): void {
  const lo = f32x4.splat(low);
  const hi = f32x4.splat(high);
  let i3 = start % n3;
  let rest = start / n3;
  let i2 = rest % n2;
  rest /= n2;
  let i1 = rest % n1;
  let i0 = rest / n1;
  let o = start;
  while (o < end) {
    const len = min(n3 - i3, end - o);
    const px = x + (<usize>(i0 * s0 + i1 * s1 + i2 * s2 + i3 * s3) << 2);
    row(op, px, s3, out + (<usize>o << 2), len, lo, hi);
    o += len;
    i3 = 0;
    if (++i2 == n2) {
      i2 = 0;
      if (++i1 == n1) {
        i1 = 0;
        i0++;
      }
    }
  }
}

// Every export: (x, out, n1, n2, n3, s0, s1, s2, s3, start, end), byte addresses and
// element strides as in Note: strided walks.
export function negF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(NEG, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function absF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(ABS, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function expF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(EXP, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function expm1F32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(EXPM1, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function logF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(LOG, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function log1pF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(LOG1P, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function log2F32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(LOG2, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function sqrtF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(SQRT, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function rsqrtF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(RSQRT, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function reciprocalF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(RECIPROCAL, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function sigmoidF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(SIGMOID, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function tanhF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(TANH, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function reluF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(RELU, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function erfF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(ERF, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function sinF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(SIN, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function cosF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(COS, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function floorF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(FLOOR, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function ceilF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(CEIL, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function truncF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(TRUNC, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function roundF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(ROUND, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function signF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(SIGN, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function squareF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(SQUARE, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function cubeF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(CUBE, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}
export function inverseSquareF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(INVERSE_SQUARE, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}

/** clamp: as the others, with the bounds (±inf for a missing one) before the range. */
export function clampF32(
  x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, lo: f32, hi: f32, start: i32, end: i32,
): void {
  walk(CLAMP, x, out, n1, n2, n3, s0, s1, s2, s3, lo, hi, start, end);
}

/** A strided copy (the walk with no operation): clone and in-place writes of float32 views. */
export function copyF32(x: usize, out: usize, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, start: i32, end: i32): void {
  walk(-1, x, out, n1, n2, n3, s0, s1, s2, s3, 0, 0, start, end);
}

/**
 * A dense copy of a transposed float32 matrix: out[i][j] = x[i + j·sj] for rows [r0, r1) of
 * an rows × cols output (x's rows are contiguous columns of its storage). 16 × 16 tiles,
 * so each cache line of x read serves 16 outputs; the strided walk would read a line per
 * output element once the matrix outgrows the cache.
 */
export function transposeF32(x: usize, sj: i32, cols: i32, out: usize, r0: i32, r1: i32): void {
  const T = 16;
  for (let i0 = r0; i0 < r1; i0 += T) {
    const i1 = min(i0 + T, r1);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = min(j0 + T, cols);
      for (let i = i0; i < i1; i++) {
        const dst = out + (<usize>(i * cols) << 2);
        for (let j = j0; j < j1; j++) store<f32>(dst + (<usize>j << 2), load<f32>(x + (<usize>(i + j * sj) << 2)));
      }
    }
  }
}
