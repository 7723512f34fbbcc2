/**
 * Conversions between dtypes, as PyTorch's CPU `static_cast`s behave on x86:
 * float -> int truncates toward zero; NaN and out-of-range floats become the integer
 * minimum for int32/int64 (what cvttsd2si gives) and wrap for narrower ints, which go
 * through int32; anything -> bool is `x != 0` (NaN is true); float16/bfloat16 round to
 * nearest even from float32, since PyTorch converts double -> float -> half.
 */
import { DTYPES, type DType } from "../../../core/dtype.ts";
import { fromBfloat16Bits, fromFloat16Bits, toBfloat16Bits, toFloat16Bits } from "../../../core/half.ts";
import type { ComputeArray } from "../compute.ts";

const INT32_MIN = -2147483648;
const INT64_MIN = -(2n ** 63n);

function floatToInt32(x: number): number {
  return Number.isNaN(x) || x >= 2147483648 || x < -2147483648 ? INT32_MIN : Math.trunc(x);
}

function floatToInt64(x: number): bigint {
  return Number.isNaN(x) || x >= 9223372036854775808 || x < -9223372036854775808 ? INT64_MIN : BigInt(Math.trunc(x));
}

const roundHalf = (x: number) => fromFloat16Bits(toFloat16Bits(x));
const roundBhalf = (x: number) => fromBfloat16Bits(toBfloat16Bits(x));

/** Converts one value (number or bigint) from dtype `from` to the compute form of `to`. */
export function castScalar(x: number | bigint, from: DType, to: DType): number | bigint {
  const fromKind = DTYPES[from].kind;
  if (to === "bool") return (typeof x === "bigint" ? x !== 0n : x !== 0) ? 1 : 0;
  if (to === "int64") {
    if (typeof x === "bigint") return x;
    return fromKind === "float" ? floatToInt64(x) : BigInt(x);
  }
  const v = typeof x === "bigint" ? (DTYPES[to].kind === "int" ? Number(BigInt.asIntN(32, x)) : Number(x)) : x;
  if (DTYPES[to].kind === "int") return fromKind === "float" ? floatToInt32(v) : v;
  if (to === "float16") return roundHalf(v);
  if (to === "bfloat16") return roundBhalf(v);
  if (to === "float32") return Math.fround(v);
  return v;
}

/** Converts a whole dense array; returns `src` itself when no conversion is needed. */
export function castArray(src: ComputeArray, from: DType, to: DType): ComputeArray {
  if (from === to) return src;
  const n = src.length;
  const isHalf = to === "float16" || to === "bfloat16";
  const out = (isHalf ? new Float64Array(n) : new DTYPES[to].array(n)) as ComputeArray;
  // Plain typed-array stores already do the right thing between these (exact, or wrapping ints).
  const fromKind = DTYPES[from].kind;
  const simple = !isHalf && to !== "bool" && to !== "int64" && from !== "int64" && !(fromKind === "float" && DTYPES[to].kind === "int");
  if (simple) {
    (out as Float64Array).set(src as Float64Array);
    return out;
  }
  for (let i = 0; i < n; i++) (out as Float64Array)[i] = castScalar(src[i]!, from, to) as number;
  return out;
}
