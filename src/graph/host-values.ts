/**
 * Moving values between element types on the host: any tensor-like value as float64
 * numbers, and numbers into any element type (wrapping integers as C casts do, encoding
 * the small float types). Used for casts to and from the types concord has no dtype for.
 */
import { isDType, type DType } from "../core/dtype.ts";
import { UnsupportedError } from "../core/errors.ts";
import { fromBfloat16Bits, fromFloat16Bits } from "../core/half.ts";
import { Tensor } from "../core/tensor.ts";
import { tensor } from "../ops/creation.ts";
import type { ElemType } from "./elem-type.ts";
import { decodeSmall, encodeSmall, isSmallType, type EncodeOptions } from "./small-floats.ts";
import { HostTensor } from "./value.ts";

/** The elements as float64 numbers (int64 beyond 2^53 rounds). */
export function numbersOf(v: Tensor | HostTensor): Float64Array {
  if (v instanceof Tensor) return Float64Array.from(v.dataSync() as ArrayLike<number | bigint>, Number);
  const t = v.elemType;
  if (t === "string" || t === "complex64" || t === "complex128") throw new UnsupportedError(`${t} values have no real number form`);
  if (isSmallType(t)) return decodeSmall(v.data as Uint8Array, t);
  if (t === "float16") return Float64Array.from(v.data as Uint16Array, fromFloat16Bits);
  if (t === "bfloat16") return Float64Array.from(v.data as Uint16Array, fromBfloat16Bits);
  return Float64Array.from(v.data as ArrayLike<number | bigint>, Number);
}

/** A value of element type `t` from numbers: a Tensor for concord dtypes, else a HostTensor. */
export function valueFromNumbers(values: ArrayLike<number>, shape: readonly number[], t: ElemType, options: EncodeOptions = {}): Tensor | HostTensor {
  if (t === "int64") {
    // NaN and ±inf have no int64 value; x86's conversion (and so NumPy's) gives INT64_MIN.
    const big = (v: number) => (Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : -(2n ** 63n));
    return tensor(BigInt64Array.from(Array.from(values), big), { shape });
  }
  if (isDType(t)) return tensor(Float64Array.from(values), { dtype: t as DType, shape });
  if (isSmallType(t)) return new HostTensor(t, shape, encodeSmall(values, t, options));
  const finite = (v: number) => (Number.isFinite(v) ? Math.trunc(v) : 0);
  switch (t) {
    case "uint16":
      return new HostTensor(t, shape, Uint16Array.from(values, finite));
    case "uint32":
      return new HostTensor(t, shape, Uint32Array.from(values, finite));
    case "uint64":
      return new HostTensor(t, shape, BigUint64Array.from(Array.from(values), (v) => BigInt.asUintN(64, BigInt(finite(v)))));
    default:
      throw new UnsupportedError(`cannot make ${t} values from numbers`);
  }
}

/** `v` converted to element type `t` (exact for integer to integer conversions, through bigint). */
export function castValue(v: Tensor | HostTensor, t: ElemType, options: EncodeOptions = {}): Tensor | HostTensor {
  const from = v instanceof Tensor ? v.dtype : v.elemType;
  const intLike = (e: string) => ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool"].includes(e);
  if (intLike(from) && (t === "int64" || t === "uint64" || from === "int64" || from === "uint64") && intLike(t)) {
    const big = v instanceof Tensor ? Array.from(v.dataSync() as ArrayLike<number | bigint>, (x) => BigInt(x)) : Array.from(v.data as ArrayLike<number | bigint>, (x) => BigInt(x));
    if (t === "uint64") return new HostTensor(t, v.shape, BigUint64Array.from(big, (x) => BigInt.asUintN(64, x)));
    if (t === "int64") return tensor(BigInt64Array.from(big, (x) => BigInt.asIntN(64, x)), { shape: v.shape });
    const bits = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32, bool: 1 }[t as string]!;
    const wrapped = big.map((x) => Number(t === "bool" ? (x !== 0n ? 1n : 0n) : t.startsWith("u") ? BigInt.asUintN(bits, x) : BigInt.asIntN(bits, x)));
    return valueFromNumbers(wrapped, v.shape, t, options);
  }
  return valueFromNumbers(numbersOf(v), v.shape, t, options);
}
