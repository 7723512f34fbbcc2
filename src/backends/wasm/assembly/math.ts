// SIMD float32 math for the elementwise kernels: WebAssembly has sqrt but no exp, log,
// tanh or sin, so these are polynomial approximations on four lanes at once, with
// Cephes-style range reduction (Stephen Moshier's Cephes single-precision library, as in
// PyTorch's avx_mathfun.h and XNNPACK); sin and cos follow musl's sinf/cosf in float64
// lanes. Each is within about 1-2 ulp of the exact value over the whole float32 range,
// denormals included, and gives C99's answers at nan, ±inf and ±0
// (test/backends/wasm-elementwise.test.ts sweeps them against float64 references).
//
// Note: relaxed SIMD. `madd` fuses when the module is built with relaxed SIMD (one
// rounding instead of two). Every approximation here is accurate both ways: range
// reductions rely only on products that are exact in float32 anyway, so a fused
// multiply-add changes results by a fraction of an ulp, never past the stated bounds.
//
// Note: signs of zero. Odd functions that keep the sign of their argument (expm1, log1p,
// tanh, erf) copy x's sign bit onto the result last; otherwise a correction term of +0
// would turn f(-0) into +0.
//
// Note: constants from memory. V8 builds every v128.const anew where it is used, several
// instructions each time, and does not hoist it out of loops; a polynomial's dozen
// constants would cost more than its arithmetic. So constants live in read-only static
// data and are splat-loaded (one instruction each). For the same reason clamps use
// pmin/pmax (one instruction; with x first they keep a nan x) rather than min/max, and
// float-to-int conversions use the 1.5·2^23 trick rather than trunc_sat.

// @ts-ignore: decorator
@inline function k(constant: usize): v128 {
  return v128.load32_splat(constant);
}

/** a·b + c, fused under relaxed SIMD (see Note: relaxed SIMD). */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

const ZERO = memory.data<f32>([0.0]);
const ONE = memory.data<f32>([1.0]);
const TWO = memory.data<f32>([2.0]);
const HALF = memory.data<f32>([0.5]);
const SIGN_MASK = memory.data<u32>([0x80000000]);
const INF = memory.data<f32>([Infinity]);
const MINUS_INF = memory.data<f32>([-Infinity]);

/** 0, 1, ½ and 2 splat, for callers (from memory, see Note: constants from memory). */
// @ts-ignore: decorator
@inline export function zeros(): v128 {
  return k(ZERO);
}
// @ts-ignore: decorator
@inline export function ones(): v128 {
  return k(ONE);
}

/** |x| */
// @ts-ignore: decorator
@inline export function absF32x4(x: v128): v128 {
  return v128.andnot(x, k(SIGN_MASK));
}

/** −x */
// @ts-ignore: decorator
@inline export function negF32x4(x: v128): v128 {
  return v128.xor(x, k(SIGN_MASK));
}

/** The magnitude of `magnitude` with the sign bit of `sign`. */
// @ts-ignore: decorator
@inline export function copySign(magnitude: v128, sign: v128): v128 {
  return v128.bitselect(sign, magnitude, k(SIGN_MASK));
}

// 1.5·2^23: adding it to |y| < 2^22 rounds y to an integer (to nearest even) held in the
// low mantissa bits, so bits(y + MAGIC) − bits(MAGIC) is that integer.
const MAGIC = memory.data<f32>([12582912.0]);
const MAGIC_BITS = memory.data<i32>([0x4b400000]);
const EXPONENT_BIAS = memory.data<i32>([127]);

/** Integer lanes from float lanes holding integers of magnitude < 2^22. */
// @ts-ignore: decorator
@inline function toInt(y: v128): v128 {
  return i32x4.sub(f32x4.add(y, k(MAGIC)), k(MAGIC_BITS));
}

/** 2^n for integer lanes n in [-126, 127], built in the exponent field. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, k(EXPONENT_BIAS)), 23);
}

const LOG2E = memory.data<f32>([1.44269504088896341]);
// −ln 2 in two parts: the high part has 9 significant bits, so n·LN2_HI is exact for
// |n| < 2^15 and x − n·LN2_HI is exact (Sterbenz) wherever n is x / ln 2 rounded.
const MINUS_LN2_HI = memory.data<f32>([-0.693359375]);
const MINUS_LN2_LO = memory.data<f32>([2.12194440e-4]);

/** r = x − n·ln2, in two steps (see MINUS_LN2_HI). */
// @ts-ignore: decorator
@inline function reduceLn2(x: v128, n: v128): v128 {
  return madd(n, k(MINUS_LN2_LO), madd(n, k(MINUS_LN2_HI), x));
}

// Cephes' expf polynomial: e^r − 1 − r = r²·P(r) for |r| <= ln2/2.
const EXP_P0 = memory.data<f32>([1.9875691500e-4]);
const EXP_P1 = memory.data<f32>([1.3981999507e-3]);
const EXP_P2 = memory.data<f32>([8.3334519073e-3]);
const EXP_P3 = memory.data<f32>([4.1665795894e-2]);
const EXP_P4 = memory.data<f32>([1.6666665459e-1]);
const EXP_P5 = memory.data<f32>([5.0000001201e-1]);
const EXP_HI = memory.data<f32>([89.0]);
const EXP_LO = memory.data<f32>([-104.0]);

/**
 * e^x. Overflows to inf above ln(FLT_MAX) ≈ 88.72 and rounds to denormals and then 0 below
 * −87.3: the power of two is applied in two halves, so 2^n stays representable down to
 * n = −150 and the result is rounded once.
 */
// @ts-ignore: decorator
@inline export function expF32x4(x: v128): v128 {
  // The bounds keep n within [-150, 128]; a nan x passes through (Note: constants from memory).
  const xc = f32x4.pmax(f32x4.pmin(x, k(EXP_HI)), k(EXP_LO));
  const shifted = madd(xc, k(LOG2E), k(MAGIC)); // n = round(x / ln2) in the low bits
  const n = f32x4.sub(shifted, k(MAGIC));
  const r = reduceLn2(xc, n);
  let p = madd(k(EXP_P0), r, k(EXP_P1));
  p = madd(p, r, k(EXP_P2));
  p = madd(p, r, k(EXP_P3));
  p = madd(p, r, k(EXP_P4));
  p = madd(p, r, k(EXP_P5));
  const y = f32x4.add(madd(p, f32x4.mul(r, r), r), k(ONE));
  const ni = i32x4.sub(shifted, k(MAGIC_BITS));
  const half = i32x4.shr_s(ni, 1);
  return f32x4.mul(f32x4.mul(y, pow2(half)), pow2(i32x4.sub(ni, half)));
}

const FLUSH_BELOW = memory.data<f32>([-87.33654]);
const MAGIC_BITS_MINUS_BIAS = memory.data<i32>([0x4b400000 - 127]);

/**
 * e^x for x in [−87.33, 88.72] (or nan), where 2^n is a normal float: expF32x4 without
 * its clamps and with one scaling. Within 1 ulp (the same reduction and polynomial).
 */
// @ts-ignore: decorator
@inline function expInRangeF32x4(x: v128): v128 {
  const shifted = madd(x, k(LOG2E), k(MAGIC));
  const n = f32x4.sub(shifted, k(MAGIC));
  const r = reduceLn2(x, n);
  let p = madd(k(EXP_P0), r, k(EXP_P1));
  p = madd(p, r, k(EXP_P2));
  p = madd(p, r, k(EXP_P3));
  p = madd(p, r, k(EXP_P4));
  p = madd(p, r, k(EXP_P5));
  const y = f32x4.add(madd(p, f32x4.mul(r, r), r), k(ONE));
  // bits(shifted) − bits(MAGIC) is n; plus the bias, shifted into the exponent: 2^n.
  return f32x4.mul(y, i32x4.shl(i32x4.sub(shifted, k(MAGIC_BITS_MINUS_BIAS)), 23));
}

/**
 * e^x for x <= 0 (or nan): expInRangeF32x4, with results below 2^-126 (x < −87.34)
 * flushed to 0, an absolute error under 1.2e-38. For softmax's e^(x − max), sigmoid's
 * e^(−|x|) and the like.
 */
// @ts-ignore: decorator
@inline export function expNonPositiveF32x4(x: v128): v128 {
  return v128.andnot(expInRangeF32x4(x), f32x4.lt(x, k(FLUSH_BELOW)));
}

// expm1(r) = r + r²/2 + r³·Q(r) on [−0.7, 0.7], Q fitted (mpmath, float32 coefficients,
// 1.6e-9 relative).
const EXPM1_Q0 = memory.data<f32>([2.4821234546834603e-05]);
const EXPM1_Q1 = memory.data<f32>([0.00020093776402063668]);
const EXPM1_Q2 = memory.data<f32>([0.0013889928814023733]);
const EXPM1_Q3 = memory.data<f32>([0.008332652039825916]);
const EXPM1_Q4 = memory.data<f32>([0.04166664183139801]);
const EXPM1_Q5 = memory.data<f32>([0.16666671633720398]);
const EXPM1_LO = memory.data<f32>([-64.0]);
const MINUS_ONE_INT = memory.data<i32>([-1]);

/**
 * e^x − 1, accurate near 0. With n = trunc(x / ln2) and r = x − n·ln2 (|r| < ln2, same
 * sign as x), e^x − 1 = 2^n·expm1(r) + (2^n − 1), evaluated as 2·(t·expm1(r) + (t − ½))
 * with t = 2^(n−1): t·expm1(r) and t − ½ are exact and have the same sign, so nothing
 * cancels and the sum rounds once. (Rounding n to nearest instead would make
 * 2·expm1(r) + 1 cancel for x just above ln2/2.)
 */
// @ts-ignore: decorator
@inline export function expm1F32x4(x: v128): v128 {
  // Below −64 the result is −1 in float32; above 89 it overflows. nan passes through.
  const xc = f32x4.pmax(f32x4.pmin(x, k(EXP_HI)), k(EXPM1_LO));
  const n = f32x4.trunc(f32x4.mul(xc, k(LOG2E)));
  const r = reduceLn2(xc, n);
  let q = madd(k(EXPM1_Q0), r, k(EXPM1_Q1));
  q = madd(q, r, k(EXPM1_Q2));
  q = madd(q, r, k(EXPM1_Q3));
  q = madd(q, r, k(EXPM1_Q4));
  q = madd(q, r, k(EXPM1_Q5));
  const e = madd(madd(q, r, k(HALF)), f32x4.mul(r, r), r);
  const t = pow2(i32x4.add(toInt(n), k(MINUS_ONE_INT)));
  const y = madd(t, e, f32x4.sub(t, k(HALF)));
  return copySign(f32x4.add(y, y), x);
}

const SQRT_HALF = memory.data<f32>([0.707106781186547524]);
const MIN_NORMAL = memory.data<f32>([1.17549435e-38]);
const TWO_POW_23 = memory.data<f32>([8388608.0]);
const MANTISSA_MASK = memory.data<i32>([0x007fffff]);
const HALF_BITS = memory.data<i32>([0x3f000000]);
const LOG_BIAS = memory.data<i32>([126]);
const DENORMAL_SHIFT = memory.data<i32>([23]);
// Cephes' logf polynomial: log(1 + f) = f − f²/2 + f³·P(f) for 1 + f in [√½, √2).
const LOG_P0 = memory.data<f32>([7.0376836292e-2]);
const LOG_P1 = memory.data<f32>([-1.1514610310e-1]);
const LOG_P2 = memory.data<f32>([1.1676998740e-1]);
const LOG_P3 = memory.data<f32>([-1.2420140846e-1]);
const LOG_P4 = memory.data<f32>([1.4249322787e-1]);
const LOG_P5 = memory.data<f32>([-1.6668057665e-1]);
const LOG_P6 = memory.data<f32>([2.0000714765e-1]);
const LOG_P7 = memory.data<f32>([-2.4999993993e-1]);
const LOG_P8 = memory.data<f32>([3.3333331174e-1]);
const MINUS_HALF = memory.data<f32>([-0.5]);
const LN2_HI = memory.data<f32>([0.693359375]);
const LN2_LO = memory.data<f32>([-2.12194440e-4]);
const LOG2E_MINUS_1 = memory.data<f32>([0.44269504088896340736]);

/**
 * log x (or log2 x when `base2`) as Cephes' logf and log2f: x = 2^e·m with m in [√½, √2),
 * log m = f − f²/2 + f³·P(f) with f = m − 1 (exact). Denormals are scaled by 2^23 first.
 * Gives −inf at ±0, nan below 0 and at nan, inf at inf. When `corrected`, the small
 * `correction` joins the small terms before they are added to f (for log1p).
 */
// @ts-ignore: decorator
@inline function logBase(x: v128, base2: bool, correction: v128, corrected: bool): v128 {
  const tiny = f32x4.lt(x, k(MIN_NORMAL));
  const xs = v128.bitselect(f32x4.mul(x, k(TWO_POW_23)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), k(LOG_BIAS));
  e = i32x4.sub(e, v128.and(tiny, k(DENORMAL_SHIFT)));
  const m = v128.or(v128.and(xs, k(MANTISSA_MASK)), k(HALF_BITS)); // in [0.5, 1)
  const below = f32x4.lt(m, k(SQRT_HALF));
  e = i32x4.add(e, below); // a true lane is −1
  // f = 2m − 1 below √½, m − 1 above: both exact (Sterbenz).
  const f = f32x4.sub(f32x4.add(m, v128.and(m, below)), k(ONE));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  let p = madd(k(LOG_P0), f, k(LOG_P1));
  p = madd(p, f, k(LOG_P2));
  p = madd(p, f, k(LOG_P3));
  p = madd(p, f, k(LOG_P4));
  p = madd(p, f, k(LOG_P5));
  p = madd(p, f, k(LOG_P6));
  p = madd(p, f, k(LOG_P7));
  p = madd(p, f, k(LOG_P8));
  let y = f32x4.mul(f, f32x4.mul(z, p));
  if (corrected) y = f32x4.add(y, correction);
  let r: v128;
  if (base2) {
    // log2 m = (f + y)·log2(e), with log2(e) = 1 + LOG2E_MINUS_1 so the large part is exact.
    y = madd(z, k(MINUS_HALF), y);
    r = f32x4.mul(y, k(LOG2E_MINUS_1));
    r = madd(f, k(LOG2E_MINUS_1), r);
    r = f32x4.add(f32x4.add(f32x4.add(r, y), f), fe);
  } else {
    y = madd(fe, k(LN2_LO), y);
    y = madd(z, k(MINUS_HALF), y);
    r = madd(fe, k(LN2_HI), f32x4.add(f, y));
  }
  r = v128.bitselect(k(MINUS_INF), r, f32x4.eq(x, k(ZERO)));
  r = v128.bitselect(k(INF), r, f32x4.eq(x, k(INF)));
  // x < 0 or nan: all-ones bits are a nan.
  return v128.or(r, v128.not(f32x4.ge(x, k(ZERO))));
}

/** Natural log. */
// @ts-ignore: decorator
@inline export function logF32x4(x: v128): v128 {
  return logBase(x, false, x, false);
}

/** Base-2 log. */
// @ts-ignore: decorator
@inline export function log2F32x4(x: v128): v128 {
  return logBase(x, true, x, false);
}

/**
 * log(1 + x), accurate near 0: with u = 1 + x rounded, log1p(x) = log(u) + (x − (u − 1))/u,
 * the second term correcting for the rounding of u (Goldberg's trick, as in Sleef).
 */
// @ts-ignore: decorator
@inline export function log1pF32x4(x: v128): v128 {
  const u = f32x4.add(x, k(ONE));
  let c = f32x4.div(f32x4.sub(x, f32x4.sub(u, k(ONE))), u);
  // At x = −1 (0/0) and x = inf (inf/inf) the correction is nan and must vanish.
  c = v128.and(c, f32x4.eq(c, c));
  return copySign(logBase(u, false, c, true), x);
}

// Cephes' tanhf polynomial: tanh x = x + x³·P(x²) for |x| < 0.625.
const TANH_P0 = memory.data<f32>([-5.70498872745e-3]);
const TANH_P1 = memory.data<f32>([2.06390887954e-2]);
const TANH_P2 = memory.data<f32>([-5.37397155531e-2]);
const TANH_P3 = memory.data<f32>([1.33314422036e-1]);
const TANH_P4 = memory.data<f32>([-3.33332819422e-1]);
const TANH_SMALL = memory.data<f32>([0.625]);
// tanh rounds to 1 from |x| = 9.011 on; e^(2·10) stays far from overflow.
const TANH_SATURATED = memory.data<f32>([10.0]);

/**
 * tanh: Cephes' tanhf, x + x³·P(x²) for |x| < 0.625, else 1 − 2/(e^(2|x|) + 1) with |x|
 * capped at 10, where tanh is 1 in float32; the sign is copied from x.
 */
// @ts-ignore: decorator
@inline export function tanhF32x4(x: v128): v128 {
  const ax = absF32x4(x);
  const z = f32x4.mul(x, x);
  let p = madd(k(TANH_P0), z, k(TANH_P1));
  p = madd(p, z, k(TANH_P2));
  p = madd(p, z, k(TANH_P3));
  p = madd(p, z, k(TANH_P4));
  const small = madd(f32x4.mul(ax, z), p, ax);
  const saturated = f32x4.pmin(ax, k(TANH_SATURATED)); // nan stays nan
  const e = expInRangeF32x4(f32x4.add(saturated, saturated));
  const large = f32x4.sub(k(ONE), f32x4.div(k(TWO), f32x4.add(e, k(ONE))));
  return copySign(v128.bitselect(large, small, f32x4.ge(ax, k(TANH_SMALL))), x);
}

/**
 * The logistic function 1/(1 + e^(−x)), as e^(−|x|)/(1 + e^(−|x|)) below 0 so that
 * negative x keep their relative accuracy: one exp, one division. Below x = −87.34 the
 * result (under 2^-126) flushes to 0, as PyTorch's 1/(1 + e^(−x)) gives 0 there.
 */
// @ts-ignore: decorator
@inline export function sigmoidF32x4(x: v128): v128 {
  const e = expNonPositiveF32x4(v128.or(x, k(SIGN_MASK))); // e^(−|x|)
  const numerator = v128.bitselect(e, k(ONE), f32x4.lt(x, k(ZERO)));
  return f32x4.div(numerator, f32x4.add(e, k(ONE)));
}

// erf on |x| < 1: x + x·P(x²), P's constant term 2/√π − 1 (so the large part x is exact).
const ERF_P0 = memory.data<f32>([7.806903886375949e-05]);
const ERF_P1 = memory.data<f32>([-0.0007997853099368513]);
const ERF_P2 = memory.data<f32>([0.005187162198126316]);
const ERF_P3 = memory.data<f32>([-0.026853347197175026]);
const ERF_P4 = memory.data<f32>([0.11283578723669052]);
const ERF_P5 = memory.data<f32>([-0.3761262595653534]);
const ERF_P6 = memory.data<f32>([0.12837916612625122]);
// erfc(x)·e^(x²) on [1, 4] as a polynomial in x − 2.5.
const ERFC_Q0 = memory.data<f32>([0.00010683417349355295]);
const ERFC_Q1 = memory.data<f32>([0.00022500936756841838]);
const ERFC_Q2 = memory.data<f32>([0.0005431962199509144]);
const ERFC_Q3 = memory.data<f32>([-0.0006612558499909937]);
const ERFC_Q4 = memory.data<f32>([0.0023024477995932102]);
const ERFC_Q5 = memory.data<f32>([-0.00813223049044609]);
const ERFC_Q6 = memory.data<f32>([0.024914655834436417]);
const ERFC_Q7 = memory.data<f32>([-0.07434217631816864]);
const ERFC_Q8 = memory.data<f32>([0.21080760657787323]);
const ERFC_CENTER = memory.data<f32>([2.5]);
const ERF_SATURATES = memory.data<f32>([4.0]);

/**
 * The error function. |x| < 1: x + x·P(x²); 1 <= |x| < 4: 1 − e^(−x²)·Q(|x| − 2.5), Q
 * approximating erfc(x)·e^(x²); beyond 4, erf rounds to ±1. Both polynomials were fitted
 * (weighted least squares, Lawson iterations) to mpmath's erf with float32 coefficients:
 * fit errors 1.4e-9 relative and 2.4e-9 absolute.
 */
// @ts-ignore: decorator
@inline export function erfF32x4(x: v128): v128 {
  const ax = absF32x4(x);
  const z = f32x4.mul(x, x);
  let p = madd(k(ERF_P0), z, k(ERF_P1));
  p = madd(p, z, k(ERF_P2));
  p = madd(p, z, k(ERF_P3));
  p = madd(p, z, k(ERF_P4));
  p = madd(p, z, k(ERF_P5));
  p = madd(p, z, k(ERF_P6));
  const small = madd(ax, p, ax);
  const t = f32x4.pmax(f32x4.pmin(ax, k(ERF_SATURATES)), k(ONE));
  const u = f32x4.sub(t, k(ERFC_CENTER));
  let q = madd(k(ERFC_Q0), u, k(ERFC_Q1));
  q = madd(q, u, k(ERFC_Q2));
  q = madd(q, u, k(ERFC_Q3));
  q = madd(q, u, k(ERFC_Q4));
  q = madd(q, u, k(ERFC_Q5));
  q = madd(q, u, k(ERFC_Q6));
  q = madd(q, u, k(ERFC_Q7));
  q = madd(q, u, k(ERFC_Q8));
  const e = expNonPositiveF32x4(negF32x4(f32x4.mul(t, t)));
  const large = f32x4.sub(k(ONE), f32x4.mul(e, q));
  return copySign(v128.bitselect(large, small, f32x4.ge(ax, k(ONE))), x);
}

// sin and cos in float64 lanes, as musl's sinf/cosf: reduction by multiples of π/2 with
// π/2 in two parts (n·PIO2_1 is exact for |n| < 2^28), then __sindf/__cosdf polynomials
// on [−π/4, π/4] (|error| < 2^-37 relative, far below a float32 ulp), rounded to float32
// once. Beyond |x| = 2^28·π/2 (and at nan, ±inf) a lane takes musl's full-range double
// sin/cos (Payne-Hanek reduction) instead.
const INV_PIO2 = memory.data<f64>([6.36619772367581382433e-01]);
const PIO2_1 = memory.data<f64>([1.57079631090164184570e+00]);
const PIO2_1T = memory.data<f64>([1.58932547735281966916e-08]);
const TOINT = memory.data<f64>([6755399441055744.0]); // 1.5·2^52: rounds to an integer in the low bits
const SIN_S1 = memory.data<f64>([-0.166666666416265235595]);
const SIN_S2 = memory.data<f64>([0.0083333293858894631756]);
const SIN_S3 = memory.data<f64>([-0.000198393348360966317347]);
const SIN_S4 = memory.data<f64>([0.0000027183114939898219064]);
const COS_C0 = memory.data<f64>([-0.499999997251031003120]);
const COS_C1 = memory.data<f64>([0.0416666233237390631894]);
const COS_C2 = memory.data<f64>([-0.00138867637746099294692]);
const COS_C3 = memory.data<f64>([0.0000243904487962774090654]);
const ONE_F64 = memory.data<f64>([1.0]);
const ONE_I64 = memory.data<i64>([1]);
const SIN_COS_LIMIT = memory.data<f32>([421657424.0]); // 2^28·π/2, rounded down

// @ts-ignore: decorator
@inline function k64(constant: usize): v128 {
  return v128.load64_splat(constant);
}

/** a·b + c on float64 lanes (unfused: relaxed SIMD's f64x2 madd is not needed here). */
// @ts-ignore: decorator
@inline function madd64(a: v128, b: v128, c: v128): v128 {
  return f64x2.add(f64x2.mul(a, b), c);
}

/** sin (or cos) of two float64 lanes holding float32 values with |x| <= 2^28·π/2. */
// @ts-ignore: decorator
@inline function sinCos64(x: v128, cosine: bool): v128 {
  const t = madd64(x, k64(INV_PIO2), k64(TOINT));
  const n = f64x2.sub(t, k64(TOINT));
  const r = madd64(n, f64x2.neg(k64(PIO2_1T)), madd64(n, f64x2.neg(k64(PIO2_1)), x));
  const z = f64x2.mul(r, r);
  const w = f64x2.mul(z, z);
  // __sindf: (r + s·(S1 + z·S2)) + s·w·(S3 + z·S4), s = z·r.
  const s = f64x2.mul(z, r);
  const sin = f64x2.add(madd64(s, madd64(z, k64(SIN_S2), k64(SIN_S1)), r), f64x2.mul(f64x2.mul(s, w), madd64(z, k64(SIN_S4), k64(SIN_S3))));
  // __cosdf: ((1 + z·C0) + w·C1) + (w·z)·(C2 + z·C3).
  const cos = f64x2.add(madd64(w, k64(COS_C1), madd64(z, k64(COS_C0), k64(ONE_F64))), f64x2.mul(f64x2.mul(w, z), madd64(z, k64(COS_C3), k64(COS_C2))));
  // Quadrant q = n mod 4 from the low bits of t: sin x = [s, c, −s, −c][q], cos x = [c, −s, −c, s][q].
  const q = cosine ? i64x2.add(t, k64(ONE_I64)) : t;
  const odd = i64x2.eq(v128.and(q, k64(ONE_I64)), k64(ONE_I64));
  const value = v128.bitselect(cos, sin, odd);
  return v128.xor(value, i64x2.shl(i64x2.shr_u(q, 1), 63));
}

/** sin x (or cos x) of four float32 lanes, within about half an ulp. */
// @ts-ignore: decorator
@inline export function sinCosF32x4(x: v128, cosine: bool): v128 {
  const lo = sinCos64(f64x2.promote_low_f32x4(x), cosine);
  const hi = sinCos64(f64x2.promote_low_f32x4(i64x2.shuffle(x, x, 1, 0)), cosine);
  let y = i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2);
  // sin(±0) = ±0 (the polynomial's correction term would make −0 into +0).
  if (!cosine) y = v128.bitselect(x, y, f32x4.eq(x, k(ZERO)));
  // Large, infinite or nan lanes (rare): musl's double sin/cos, lane by lane.
  if (v128.any_true(v128.not(f32x4.le(absF32x4(x), k(SIN_COS_LIMIT))))) {
    y = f32x4.replace_lane(y, 0, sinCosScalar(f32x4.extract_lane(x, 0), cosine));
    y = f32x4.replace_lane(y, 1, sinCosScalar(f32x4.extract_lane(x, 1), cosine));
    y = f32x4.replace_lane(y, 2, sinCosScalar(f32x4.extract_lane(x, 2), cosine));
    y = f32x4.replace_lane(y, 3, sinCosScalar(f32x4.extract_lane(x, 3), cosine));
  }
  return y;
}

function sinCosScalar(x: f32, cosine: bool): f32 {
  return <f32>(cosine ? Math.cos(<f64>x) : Math.sin(<f64>x));
}
