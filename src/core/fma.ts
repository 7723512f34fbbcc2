/**
 * Fused multiply-add, a·b + c with a single rounding, for float64 and float32 operands.
 *
 * JavaScript has no `Math.fma`, but the compiled code we reproduce bit for bit (PyTorch's
 * AVX2 kernels, glibc's libm on x86-64 with FMA) is full of fused multiply-adds: GCC contracts
 * `a * b + c` into one instruction wherever the product has no other use. Emulating them
 * exactly is what makes `torch.randn` reproducible here; see random.ts.
 *
 * Both functions are exact for finite operands whose product neither overflows nor falls
 * into the subnormal range, which holds for every use in this code base.
 */

// Note: round to odd
// Rounding the exact value v to a coarser format in two steps (first to the nearest double,
// then to the target) can go wrong only when the first step lands exactly on a midpoint of
// the coarser format. Rounding the first step "to odd" instead (truncate, then set the last
// bit if anything was lost) never creates such a midpoint, and with two or more spare bits
// the second rounding is then correct (Boldo & Melquiond, "Emulation of FMA and correctly
// rounded sums: proved algorithms using rounding to odd", IEEE TC 2008).

const F64 = new Float64Array(1);
const WORDS = new Uint32Array(F64.buffer);
/** Index of the low 32-bit word of a float64 in WORDS (0 on little-endian machines). */
const LOW = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;

/** Veltkamp's constant 2^27 + 1: splits a double into two 26-bit halves. */
const SPLIT = 134217729;

/**
 * `t` rounded to odd instead of to nearest, given `t` = RN(v) and `err` = v - t ≠ 0 exactly:
 * if the last significand bit of `t` is even, step one unit toward v (that neighbour is odd).
 */
function roundToOdd(t: number, err: number): number {
  F64[0] = t;
  const low = WORDS[LOW]!;
  if ((low & 1) === 1) return t;
  // Moving away from zero adds one unit to the magnitude bits, toward zero removes one.
  if (err > 0 === t > 0) {
    WORDS[LOW] = low + 1; // low is even, so no carry
  } else if (low !== 0) {
    WORDS[LOW] = low - 1;
  } else {
    WORDS[LOW] = 0xffffffff;
    WORDS[HIGH] = WORDS[HIGH]! - 1;
  }
  return F64[0]!;
}

/**
 * fma(a, b, c) = RN(a·b + c) for doubles, like C's `fma`.
 *
 * Dekker's product gives a·b = ph + pl exactly, Knuth's sum gives ph + c = sh + sl exactly,
 * and RN(sh + RO(pl + sl)) is the correctly rounded result (see "Note: round to odd").
 *
 * @example fma(0.1, 10, -1) === 5.551115123125783e-17 // 0.1*10 - 1 would give 0
 */
export function fma(a: number, b: number, c: number): number {
  const ph = a * b;
  if (!Number.isFinite(ph) || !Number.isFinite(c)) return ph + c;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pl = ah * bh - ph + ah * bl + al * bh + al * bl;
  if (pl === 0) return ph + c;
  const sh = ph + c;
  let z = sh - ph;
  const sl = ph - (sh - z) + (c - z);
  if (sl === 0) return sh + pl;
  const v = pl + sl;
  z = v - pl;
  const verr = pl - (v - z) + (sl - z);
  return sh + (verr === 0 ? v : roundToOdd(v, verr));
}

/**
 * fmaf(a, b, c) = RN32(a·b + c) for float32 operands, like C's `fmaf`.
 *
 * The product of two float32 values is exact in a double. The sum is rounded to a double
 * first; that only differs from a direct rounding to float32 when it lands exactly on a
 * float32 midpoint, and then the sign of its rounding error picks the side.
 *
 * @example fmaf(Math.fround(0.1), 10, -1) === 1.4901161193847656e-8
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = Math.fround(s);
  if (r === s) return r; // a float32 is never a midpoint, whatever the lost bits were
  const d = s - r; // exact: r is within a factor two of s
  const other = r + 2 * d; // the float32 across the midpoint, if s is one
  if (Math.fround(other) !== other || other - s !== d) return r;
  const z = s - p;
  const err = p - (s - z) + (c - z);
  if (err === 0) return r; // a true tie, which fround already broke to even
  return err > 0 ? Math.max(r, other) : Math.min(r, other);
}
