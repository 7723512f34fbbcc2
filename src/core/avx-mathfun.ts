/**
 * One lane of PyTorch's AVX2 `log256_ps` and `sincos256_ps` (aten/src/ATen/native/cpu/
 * avx_mathfun.h, Cephes polynomials by Julien Pommier and Giovanni Garberoglio), float32.
 *
 * PyTorch draws float32 normals for contiguous tensors of 16 or more elements with these
 * (see `normalFill16Avx2` in random.ts). To reproduce them bit for bit every float32
 * operation is rounded with Math.fround, and a multiply-add is fused (fmaf) exactly where
 * GCC 12 contracted it when compiling PyTorch's AVX2 kernels with -mavx2 -mfma; the pattern
 * was read off the disassembly of the same source built with the same compiler and flags,
 * whose output matches Debian's libtorch on millions of samples.
 */
import { fmaf } from "./fma.ts";

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const f = Math.fround;

// Constants exactly as the header declares them (a double literal stored as float).
const MIN_NORM_POS = 2 ** -126;
const SQRTHF = f(0.707106781186547524);
const LOG_P = [7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(f);
const LOG_Q1 = f(-2.1219444e-4);
const LOG_Q2 = f(0.693359375);

const DP1 = f(-0.78515625);
const DP2 = f(-2.4187564849853515625e-4);
const DP3 = f(-3.77489497744594108e-8);
const SINCOF_P0 = f(-1.9515295891e-4);
const SINCOF_P1 = f(8.3321608736e-3);
const SINCOF_P2 = f(-1.6666654611e-1);
const COSCOF_P0 = f(2.443315711809948e-5);
const COSCOF_P1 = f(-1.388731625493765e-3);
const COSCOF_P2 = f(4.166664568298827e-2);
const FOPI = f(1.27323954473516); // 4/pi

/**
 * Natural log of a float32 as one lane of `log256_ps`: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
 * log x = e ln2 + log1p(m - 1) by a degree-9 polynomial, ln2 in two parts. NaN for x <= 0.
 *
 * @example logAvx2(1) === 0
 */
export function logAvx2(x: number): number {
  if (!(x > 0)) return NaN;
  F32[0] = Math.max(x, MIN_NORM_POS); // cut off denormals as the kernel does
  const bits = U32[0]!;
  let e = (bits >>> 23) - 127 + 1;
  U32[0] = (bits & 0x807fffff) | 0x3f000000; // keep the mantissa, exponent of 0.5
  let m = F32[0]!;
  const below = m < SQRTHF;
  const tmp = below ? m : 0;
  m = f(m - 1);
  if (below) e -= 1;
  m = f(m + tmp);

  const z = f(m * m);
  let y = LOG_P[0]!;
  for (let i = 1; i < 9; i++) y = fmaf(y, m, LOG_P[i]!);
  const eq1 = f(e * LOG_Q1);
  y = f(m * y);
  y = fmaf(y, z, eq1);
  y = f(y - z * 0.5); // fnmadd(z, 0.5, y): z * 0.5 is exact
  m = f(m + y);
  return fmaf(e, LOG_Q2, m);
}

/** Result of {@link sincosAvx2}; overwritten by each call. */
export interface SinCosF {
  sin: number;
  cos: number;
}
const RESULT: SinCosF = { sin: 0, cos: 0 };

/**
 * sin and cos of a float32 as one lane of `sincos256_ps`: reduce by multiples of pi/4 with
 * pi/4 in three parts (Cody-Waite), then a Cephes polynomial for each on [-pi/4, pi/4].
 * Accurate for |x| < 8192. Returns a shared object that the next call overwrites.
 *
 * @example sincosAvx2(0) // { sin: 0, cos: 1 }
 */
export function sincosAvx2(x: number): SinCosF {
  const ax = Math.abs(x);
  let sinNegative = x < 0 || Object.is(x, -0);
  const y0 = f(ax * FOPI);
  // j = (trunc(y0) + 1) & ~1: the even multiple of pi/4 nearest to |x|
  const j = ((y0 | 0) + 1) & ~1;
  const y = j; // exact as a float
  if (j & 4) sinNegative = !sinNegative;
  const usePoly2 = (j & 2) === 0; // the sine polynomial gives sin for sin, cos for cos
  const cosNegative = (~(j - 2) & 4) !== 0;

  let r = fmaf(y, DP1, ax);
  r = fmaf(DP2, y, r);
  r = fmaf(y, DP3, r);

  const z = f(r * r);
  // cos polynomial: 1 - z/2 + z^2 (c0 z^2 + c1 z + c2)
  let c = fmaf(COSCOF_P0, z, COSCOF_P1);
  c = fmaf(c, z, COSCOF_P2);
  c = f(z * c);
  c = fmaf(z, c, -(z * 0.5));
  c = f(c + 1);
  // sin polynomial: r + r z (s0 z^2 + s1 z + s2)
  let s = fmaf(SINCOF_P0, z, SINCOF_P1);
  s = fmaf(s, z, SINCOF_P2);
  s = f(z * s);
  s = fmaf(r, s, r);

  // The kernel selects with bit masks, subtracting and adding the masked parts; spelled
  // out so that signed zeros come out as they do there.
  const ysin2 = usePoly2 ? s : 0;
  const ysin1 = usePoly2 ? 0 : c;
  const sinAbs = ysin1 + ysin2;
  const cosAbs = c - ysin1 + (s - ysin2);
  RESULT.sin = sinNegative ? -sinAbs : sinAbs;
  RESULT.cos = cosNegative ? -cosAbs : cosAbs;
  return RESULT;
}
