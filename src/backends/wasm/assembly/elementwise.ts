// Lane helpers shared by the elementwise kernels (unary.ts, binary.ts).
//
// Note: strided walks. An elementwise kernel writes a contiguous output of up to four dims
// n0 × n1 × n2 × n3 (the glue in kernels/elementwise.ts merges dims that are contiguous in
// every operand and pads with leading 1s) and reads each operand through its own element
// strides s0..s3, 0 along broadcast dims. A call covers the output elements [start, end)
// in row-major order, so threads split a tensor by ranges; it walks rows of the last dim
// with an odometer over the other three, and each row takes a SIMD loop when its operands
// have inner stride 1 (or 0: a splat), and gathers lanes otherwise. Tails are computed as
// partial vectors by the same lane code, so an element's value never depends on where a
// row or a thread's range happens to start.

/**
 * `count` (1..4) lanes loaded from p, p + step, ... (bytes, may be negative: addresses
 * wrap as wasm32's do); the other lanes are 0.
 */
// @ts-ignore: decorator
@inline export function loadLanes(p: usize, step: i32, count: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p + <usize>step));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p + <usize>(2 * step)));
  if (count > 3) v = f32x4.replace_lane(v, 3, load<f32>(p + <usize>(3 * step)));
  return v;
}

/** Stores the first `count` (1..4) lanes of v at p, p + 4, ... */
// @ts-ignore: decorator
@inline export function storeLanes(p: usize, v: v128, count: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p + 4, f32x4.extract_lane(v, 1));
  if (count > 2) store<f32>(p + 8, f32x4.extract_lane(v, 2));
  if (count > 3) store<f32>(p + 12, f32x4.extract_lane(v, 3));
}

/** A vector of `count` lanes of an operand with element stride `stride` (0: a splat). */
// @ts-ignore: decorator
@inline export function loadStrided(p: usize, stride: i32, count: i32): v128 {
  if (stride == 1 && count == 4) return v128.load(p);
  if (stride == 0) return v128.load32_splat(p);
  return loadLanes(p, stride << 2, count);
}

// A constant in memory rather than a v128.const (see Note: constants from memory, in math.ts).
const BYTE_ONES = memory.data<u8>([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);

/** Comparison masks (all-ones lanes) as bool bytes 0/1: the first `count` stored at p. */
// @ts-ignore: decorator
@inline export function storeMaskBytes(p: usize, mask: v128, count: i32): void {
  const words = i16x8.narrow_i32x4_s(mask, mask);
  const bytes = v128.and(i8x16.narrow_i16x8_s(words, words), v128.load(BYTE_ONES));
  if (count == 4) {
    v128.store32_lane(p, bytes, 0);
    return;
  }
  store<u8>(p, i8x16.extract_lane_u(bytes, 0));
  if (count > 1) store<u8>(p + 1, i8x16.extract_lane_u(bytes, 1));
  if (count > 2) store<u8>(p + 2, i8x16.extract_lane_u(bytes, 2));
}

/** Bool bytes (0 or not) at p with element stride `stride`, as all-ones lanes where nonzero. */
// @ts-ignore: decorator
@inline export function loadBoolMask(p: usize, stride: i32, count: i32): v128 {
  let v: v128;
  if (stride == 1 && count == 4) {
    v = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
  } else {
    v = i32x4.splat(0);
    v = i32x4.replace_lane(v, 0, load<u8>(p));
    if (count > 1) v = i32x4.replace_lane(v, 1, load<u8>(p + <usize>stride));
    if (count > 2) v = i32x4.replace_lane(v, 2, load<u8>(p + <usize>(2 * stride)));
    if (count > 3) v = i32x4.replace_lane(v, 3, load<u8>(p + <usize>(3 * stride)));
  }
  return v128.not(i32x4.eq(v, i32x4.splat(0)));
}
