/**
 * float16 (IEEE 754 binary16) and bfloat16 conversions, bit-exact with PyTorch.
 *
 * Note: double to half rounds twice
 * PyTorch converts a double to float16 or bfloat16 through float32: `c10::Half(float)` and
 * `c10::BFloat16(float)` are the only constructors, so `static_cast<Half>(double)` first
 * rounds to float32 and then to the 16-bit format, each time to nearest, ties to even. The
 * double rounding is part of the contract: 1 + 2^-11 + 2^-40 becomes 1 + 2^-11 in float32 and
 * then ties down to 1 in float16, where a direct rounding would give 1 + 2^-10. So every
 * encoder here starts with `Math.fround` (done by the store into a Float32Array).
 *
 * Halves and bfloat16 values are stored as their 16-bit patterns (`Uint16Array`), as
 * `core/dtype.ts` stores them.
 */

// One scratch word viewed as float32 and as uint32: the store into F32 rounds a double to
// float32 (exactly like Math.fround) and U32 reads its bits back.
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The quiet NaN PyTorch writes for a NaN converted to float16, sign kept (`c10::detail::fp16_ieee_from_fp32_value`). */
export const FLOAT16_NAN = 0x7e00;
/**
 * The quiet NaN PyTorch's scalar conversion writes for any NaN converted to bfloat16
 * (`c10::detail::round_to_nearest_even`). Its vectorized copy kernel, used for tensors of
 * more than a few elements, writes 0xffff instead; both are NaN and we always write 0x7fc0.
 */
export const BFLOAT16_NAN = 0x7fc0;

/**
 * Rounds the float32 with bits `f` to float16 bits, to nearest with ties to even.
 * Follows c10's `fp16_ieee_from_fp32_value`: overflow gives infinity, NaN gives 0x7e00 with
 * the sign kept, values below half the smallest subnormal (2^-25) flush to a signed zero.
 */
function float32BitsToFloat16Bits(f: number): number {
  const sign = (f >>> 16) & 0x8000;
  const abs = f & 0x7fffffff;
  if (abs >= 0x7f800000) return sign | (abs > 0x7f800000 ? FLOAT16_NAN : 0x7c00);
  // 65520 = 65504 + half an ulp: from here on, round to nearest gives infinity.
  if (abs >= 0x477ff000) return sign | 0x7c00;
  if (abs >= 0x38800000) {
    // Normal half (>= 2^-14): rebias the exponent (127 - 15 = 112) and drop 13 mantissa
    // bits, adding 0xfff plus the kept lowest bit so that ties go to even. A carry out of
    // the mantissa correctly bumps the exponent.
    const lsb = (abs >>> 13) & 1;
    return sign | ((abs - 0x38000000 + 0xfff + lsb) >>> 13);
  }
  // Subnormal half: the value is m * 2^(e-150) with m the 24-bit significand, and the half
  // counts units of 2^-24, so the result is m >> (126 - e) rounded to nearest even.
  const e = abs >>> 23;
  if (e < 102) return sign; // below 2^-25 (ties at exactly 2^-25 go to even, i.e. zero)
  const m = (abs & 0x7fffff) | 0x800000;
  const shift = 126 - e; // 14..24
  const kept = m >>> shift;
  const rest = m - (kept << shift);
  const half = 1 << (shift - 1);
  const up = rest > half || (rest === half && (kept & 1) === 1) ? 1 : 0;
  return sign | (kept + up);
}

/**
 * Rounds the float32 with bits `f` to bfloat16 bits as c10's `round_to_nearest_even` does:
 * add 0x7fff plus the kept lowest bit, keep the top 16 bits. Overflow reaches infinity by
 * itself; any NaN becomes 0x7fc0.
 */
function float32BitsToBfloat16Bits(f: number): number {
  if ((f & 0x7fffffff) > 0x7f800000) return BFLOAT16_NAN;
  const lsb = (f >>> 16) & 1;
  return ((f + 0x7fff + lsb) >>> 16) & 0xffff;
}

/**
 * The float16 bits PyTorch gives for a JS number (`torch.tensor(x, dtype=float64).half()`).
 * See "Note: double to half rounds twice".
 *
 * @example toFloat16Bits(1) === 0x3c00; toFloat16Bits(65520) === 0x7c00
 */
export function toFloat16Bits(x: number): number {
  F32[0] = x;
  return float32BitsToFloat16Bits(U32[0]!);
}

/**
 * The exact value of float16 bits: (-1)^s * 2^(e-15) * (1 + m/1024), subnormals
 * (-1)^s * 2^-24 * m, all NaN patterns as NaN.
 *
 * @example fromFloat16Bits(0x3c00) === 1; fromFloat16Bits(0x0001) === 2 ** -24
 */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >>> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  return sign * (1024 + m) * 2 ** (e - 25);
}

/**
 * The bfloat16 bits PyTorch gives for a JS number (`torch.tensor(x, dtype=float64).bfloat16()`).
 * See "Note: double to half rounds twice".
 *
 * @example toBfloat16Bits(1) === 0x3f80; toBfloat16Bits(NaN) === 0x7fc0
 */
export function toBfloat16Bits(x: number): number {
  F32[0] = x;
  return float32BitsToBfloat16Bits(U32[0]!);
}

/**
 * The exact value of bfloat16 bits: they are the top half of a float32.
 *
 * @example fromBfloat16Bits(0x3f80) === 1
 */
export function fromBfloat16Bits(bits: number): number {
  U32[0] = (bits & 0xffff) << 16;
  return F32[0]!;
}

/** Every float16 value by bit pattern, built on first use (256 KiB). */
let float16Table: Float32Array | undefined;

function getFloat16Table(): Float32Array {
  if (float16Table === undefined) {
    float16Table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) float16Table[bits] = fromFloat16Bits(bits);
  }
  return float16Table;
}

function checkLengths(src: ArrayLike<number>, dst: ArrayLike<number>): void {
  if (src.length !== dst.length) {
    throw new RangeError(`half conversion: source has ${src.length} elements, destination ${dst.length}`);
  }
}

/**
 * Encodes numbers as float16 bits, rounding as {@link toFloat16Bits} does.
 *
 * @example encodeFloat16([1, 0.5], out) // out = [0x3c00, 0x3800]
 */
export function encodeFloat16(src: ArrayLike<number>, dst: Uint16Array): void {
  checkLengths(src, dst);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    F32[0] = src[i]!;
    dst[i] = float32BitsToFloat16Bits(U32[0]!);
  }
}

/**
 * Decodes float16 bits into floats; every float16 value is exact in float32 and float64.
 *
 * @example decodeFloat16(Uint16Array.of(0x3c00), out) // out = [1]
 */
export function decodeFloat16(src: Uint16Array, dst: Float64Array | Float32Array): void {
  checkLengths(src, dst);
  const table = getFloat16Table();
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] = table[src[i]!]!;
}

/**
 * Encodes numbers as bfloat16 bits, rounding as {@link toBfloat16Bits} does.
 *
 * @example encodeBfloat16([1, 3], out) // out = [0x3f80, 0x4040]
 */
export function encodeBfloat16(src: ArrayLike<number>, dst: Uint16Array): void {
  checkLengths(src, dst);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    F32[0] = src[i]!;
    dst[i] = float32BitsToBfloat16Bits(U32[0]!);
  }
}

/**
 * Decodes bfloat16 bits into floats (exact in float32 and float64).
 *
 * @example decodeBfloat16(Uint16Array.of(0x3f80), out) // out = [1]
 */
export function decodeBfloat16(src: Uint16Array, dst: Float64Array | Float32Array): void {
  checkLengths(src, dst);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    U32[0] = src[i]! << 16;
    dst[i] = F32[0]!;
  }
}
