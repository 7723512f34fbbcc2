// SIMD float32 math for the elementwise kernels: WebAssembly has sqrt but no exp, log or
// tanh, so these are polynomial approximations on four lanes at once, with Cephes-style
// range reduction (Stephen Moshier's Cephes single-precision library, as in PyTorch's
// avx_mathfun.h and XNNPACK). Each is within about 1-2 ulp of the exact value over the
// whole float32 range, denormals included, and gives C99's answers at nan, ±inf and ±0
// (test/backends/wasm-math.test.ts sweeps them against float64 references).
//
// Note: relaxed SIMD. `madd` fuses when the module is built with relaxed SIMD (one
// rounding instead of two). Every approximation here is accurate both ways: range
// reductions rely only on products that are exact in float32 anyway, so a fused
// multiply-add changes results by a fraction of an ulp, never past the stated bounds.
//
// Note: signs of zero. Odd functions that keep the sign of their argument (expm1, log1p,
// tanh, erf) copy x's sign bit onto the result last; otherwise a correction term of +0
// would turn f(-0) into +0.

/** a·b + c, fused under relaxed SIMD (see Note: relaxed SIMD). */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

// @ts-ignore: decorator
@inline function isplat(x: i32): v128 {
  return i32x4.splat(x);
}

const SIGN_BIT: i32 = 0x80000000;

/** |x| */
// @ts-ignore: decorator
@inline export function absF32x4(x: v128): v128 {
  return v128.andnot(x, isplat(SIGN_BIT));
}

/** The magnitude of `magnitude` with the sign bit of `sign`. */
// @ts-ignore: decorator
@inline export function copySign(magnitude: v128, sign: v128): v128 {
  return v128.bitselect(sign, magnitude, isplat(SIGN_BIT));
}

/** 2^n for integer lanes n in [-126, 127], built in the exponent field. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, isplat(127)), 23);
}

const LOG2E: f32 = 1.44269504088896341;
// ln 2 in two parts: LN2_HI has 9 significant bits, so n·LN2_HI is exact for |n| < 2^15
// and x − n·LN2_HI is exact (Sterbenz) wherever n is x / ln 2 rounded.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

/** e^r − 1 for |r| <= ln2/2 by Cephes' expf polynomial: e^r − 1 − r = r²·P(r). */
// @ts-ignore: decorator
@inline function expm1Reduced(r: v128): v128 {
  let p = splat(1.9875691500e-4);
  p = madd(p, r, splat(1.3981999507e-3));
  p = madd(p, r, splat(8.3334519073e-3));
  p = madd(p, r, splat(4.1665795894e-2));
  p = madd(p, r, splat(1.6666665459e-1));
  p = madd(p, r, splat(5.0000001201e-1));
  return madd(p, f32x4.mul(r, r), r);
}

/** r = x − n·ln2, in two steps (n·LN2_HI exact, see LN2_HI). */
// @ts-ignore: decorator
@inline function reduceLn2(x: v128, n: v128): v128 {
  const r = madd(n, splat(-LN2_HI), x);
  return madd(n, splat(-LN2_LO), r);
}

/**
 * e^x. Overflows to inf above ln(FLT_MAX) ≈ 88.72 and rounds to denormals and then 0 below
 * −87.3: the power of two is applied in two halves, so 2^n stays representable down to
 * n = −150 and the result is rounded once.
 */
export function expF32x4(x: v128): v128 {
  // min/max propagate nan; the bounds keep n within [-150, 128].
  const xc = f32x4.max(f32x4.min(x, splat(89.0)), splat(-104.0));
  const n = f32x4.nearest(f32x4.mul(xc, splat(LOG2E)));
  const y = f32x4.add(expm1Reduced(reduceLn2(xc, n)), splat(1.0));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(ni, 1);
  return f32x4.mul(f32x4.mul(y, pow2(half)), pow2(i32x4.sub(ni, half)));
}

/**
 * e^x − 1, accurate near 0. With n = trunc(x / ln2) and r = x − n·ln2 (|r| < ln2, same
 * sign as x), e^x − 1 = 2^n·expm1(r) + (2^n − 1), evaluated as 2·(t·expm1(r) + (t − ½))
 * with t = 2^(n−1): t·expm1(r) and t − ½ are exact and have the same sign, so nothing
 * cancels and the sum rounds once. (Rounding n to nearest instead would make
 * 2·expm1(r) + 1 cancel for x just above ln2/2.) expm1(r) = r + r²/2 + r³·Q(r) with Q
 * fitted on [−0.7, 0.7] (mpmath, float32 coefficients, 1.6e-9 relative).
 */
export function expm1F32x4(x: v128): v128 {
  // Below −64 the result is −1 in float32; above 89 it overflows. nan propagates.
  const xc = f32x4.max(f32x4.min(x, splat(89.0)), splat(-64.0));
  const n = f32x4.trunc(f32x4.mul(xc, splat(LOG2E)));
  const r = reduceLn2(xc, n);
  let q = splat(2.4821234546834603e-05);
  q = madd(q, r, splat(0.00020093776402063668));
  q = madd(q, r, splat(0.0013889928814023733));
  q = madd(q, r, splat(0.008332652039825916));
  q = madd(q, r, splat(0.04166664183139801));
  q = madd(q, r, splat(0.16666671633720398));
  const e = madd(madd(q, r, splat(0.5)), f32x4.mul(r, r), r);
  const t = pow2(i32x4.sub(i32x4.trunc_sat_f32x4_s(n), isplat(1)));
  const y = madd(t, e, f32x4.sub(t, splat(0.5)));
  return copySign(f32x4.add(y, y), x);
}

const SQRT_HALF: f32 = 0.707106781186547524;
const MIN_NORMAL: f32 = 1.17549435e-38;
const LOG2E_MINUS_1: f32 = 0.44269504088896340736;

/**
 * log x (or log2 x when `base2`) as Cephes' logf and log2f: x = 2^e·m with m in [√½, √2),
 * log m = f − f²/2 + f³·P(f) with f = m − 1 (exact). Denormals are scaled by 2^23 first.
 * Gives −inf at ±0, nan below 0 and at nan, inf at inf. When `corrected`, the small
 * `correction` joins the small terms before they are added to f (for log1p).
 */
// @ts-ignore: decorator
@inline function logBase(x: v128, base2: bool, correction: v128, corrected: bool): v128 {
  const tiny = f32x4.lt(x, splat(MIN_NORMAL));
  const xs = v128.bitselect(f32x4.mul(x, splat(8388608.0)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), isplat(126));
  e = i32x4.sub(e, v128.and(tiny, isplat(23)));
  const m = v128.or(v128.and(xs, isplat(0x007fffff)), isplat(0x3f000000)); // in [0.5, 1)
  const below = f32x4.lt(m, splat(SQRT_HALF));
  e = i32x4.add(e, below); // a true lane is −1
  // f = 2m − 1 below √½, m − 1 above: both exact (Sterbenz).
  const f = f32x4.sub(f32x4.add(m, v128.and(m, below)), splat(1.0));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  let p = splat(7.0376836292e-2);
  p = madd(p, f, splat(-1.1514610310e-1));
  p = madd(p, f, splat(1.1676998740e-1));
  p = madd(p, f, splat(-1.2420140846e-1));
  p = madd(p, f, splat(1.4249322787e-1));
  p = madd(p, f, splat(-1.6668057665e-1));
  p = madd(p, f, splat(2.0000714765e-1));
  p = madd(p, f, splat(-2.4999993993e-1));
  p = madd(p, f, splat(3.3333331174e-1));
  let y = f32x4.mul(f, f32x4.mul(z, p));
  if (corrected) y = f32x4.add(y, correction);
  let r: v128;
  if (base2) {
    // log2 m = (f + y)·log2(e), with log2(e) = 1 + LOG2E_MINUS_1 so the large part is exact.
    y = madd(z, splat(-0.5), y);
    r = f32x4.mul(y, splat(LOG2E_MINUS_1));
    r = madd(f, splat(LOG2E_MINUS_1), r);
    r = f32x4.add(f32x4.add(f32x4.add(r, y), f), fe);
  } else {
    y = madd(fe, splat(LN2_LO), y);
    y = madd(z, splat(-0.5), y);
    r = madd(fe, splat(LN2_HI), f32x4.add(f, y));
  }
  r = v128.bitselect(splat(-Infinity), r, f32x4.eq(x, splat(0.0)));
  r = v128.bitselect(splat(Infinity), r, f32x4.eq(x, splat(Infinity)));
  // x < 0 or nan: all-ones bits are a nan.
  return v128.or(r, v128.not(f32x4.ge(x, splat(0.0))));
}

/** Natural log. */
export function logF32x4(x: v128): v128 {
  return logBase(x, false, x, false);
}

/** Base-2 log. */
export function log2F32x4(x: v128): v128 {
  return logBase(x, true, x, false);
}

/**
 * log(1 + x), accurate near 0: with u = 1 + x rounded, log1p(x) = log(u) + (x − (u − 1))/u,
 * the second term correcting for the rounding of u (Goldberg's trick, as in Sleef).
 */
export function log1pF32x4(x: v128): v128 {
  const u = f32x4.add(x, splat(1.0));
  let c = f32x4.div(f32x4.sub(x, f32x4.sub(u, splat(1.0))), u);
  // At x = −1 (0/0) and x = inf (inf/inf) the correction is nan and must vanish.
  c = v128.and(c, f32x4.eq(c, c));
  return copySign(logBase(u, false, c, true), x);
}

/**
 * tanh: Cephes' tanhf, x + x³·P(x²) for |x| < 0.625, else 1 − 2/(e^(2|x|) + 1) (which
 * saturates to 1 as e^(2|x|) overflows); the sign is copied from x.
 */
export function tanhF32x4(x: v128): v128 {
  const ax = absF32x4(x);
  const z = f32x4.mul(x, x);
  let p = splat(-5.70498872745e-3);
  p = madd(p, z, splat(2.06390887954e-2));
  p = madd(p, z, splat(-5.37397155531e-2));
  p = madd(p, z, splat(1.33314422036e-1));
  p = madd(p, z, splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(ax, z), p, ax);
  const e = expF32x4(f32x4.add(ax, ax));
  const large = f32x4.sub(splat(1.0), f32x4.div(splat(2.0), f32x4.add(e, splat(1.0))));
  return copySign(v128.bitselect(large, small, f32x4.ge(ax, splat(0.625))), x);
}

/**
 * The logistic function 1/(1 + e^(−x)), as e^(−|x|)/(1 + e^(−|x|)) below 0 so that large
 * negative x give e^x (denormals included) rather than 0: one exp, one division.
 */
export function sigmoidF32x4(x: v128): v128 {
  const e = expF32x4(f32x4.neg(absF32x4(x)));
  const numerator = v128.bitselect(e, splat(1.0), f32x4.lt(x, splat(0.0)));
  return f32x4.div(numerator, f32x4.add(e, splat(1.0)));
}

/**
 * The error function. |x| < 1: x + x·P(x²) (the leading coefficient is 2/√π − 1, so the
 * large part x is exact); 1 <= |x| < 4: 1 − e^(−x²)·R(|x|), R a degree-8 polynomial in
 * |x| − 2.5 for erfc(x)·e^(x²); beyond 4, erf rounds to ±1. Both polynomials were fitted
 * (weighted least squares, Lawson iterations) to mpmath's erf with float32 coefficients:
 * fit errors 1.4e-9 relative and 2.4e-9 absolute.
 */
export function erfF32x4(x: v128): v128 {
  const ax = absF32x4(x);
  const z = f32x4.mul(x, x);
  let p = splat(7.806903886375949e-05);
  p = madd(p, z, splat(-0.0007997853099368513));
  p = madd(p, z, splat(0.005187162198126316));
  p = madd(p, z, splat(-0.026853347197175026));
  p = madd(p, z, splat(0.11283578723669052));
  p = madd(p, z, splat(-0.3761262595653534));
  p = madd(p, z, splat(0.12837916612625122));
  const small = madd(ax, p, ax);
  const t = f32x4.max(f32x4.min(ax, splat(4.0)), splat(1.0));
  const u = f32x4.sub(t, splat(2.5));
  let q = splat(0.00010683417349355295);
  q = madd(q, u, splat(0.00022500936756841838));
  q = madd(q, u, splat(0.0005431962199509144));
  q = madd(q, u, splat(-0.0006612558499909937));
  q = madd(q, u, splat(0.0023024477995932102));
  q = madd(q, u, splat(-0.00813223049044609));
  q = madd(q, u, splat(0.024914655834436417));
  q = madd(q, u, splat(-0.07434217631816864));
  q = madd(q, u, splat(0.21080760657787323));
  const e = expF32x4(f32x4.neg(f32x4.mul(t, t)));
  const large = f32x4.sub(splat(1.0), f32x4.mul(e, q));
  return copySign(v128.bitselect(large, small, f32x4.ge(ax, splat(1.0))), x);
}
