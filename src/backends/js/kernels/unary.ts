/**
 * js kernels of the unary primitives: one scalar function per op (and a bigint one for
 * int64 where the op is defined on integers), applied by `map1`.
 */
import type { DType } from "../../../core/dtype.ts";
import { erf, erfc } from "../../../core/special.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { UnaryName } from "../../../ops/defs/unary.ts";
import type { ComputeArray, JsView } from "../compute.ts";
import { map1 } from "./elementwise.ts";

type Num = (x: number) => number;
type Big = (x: bigint) => bigint;
interface ScalarFns {
  f: Num;
  big?: Big;
  /** Per-dtype variant, for functions that depend on the output width (round). */
  forDType?: (d: DType) => Num;
}

const identity = (x: number) => x;
// PyTorch's sign maps nan to 0 and keeps the sign of zero.
const signOf = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? x : 0);
const log1p = Math.log1p;
const b = (x: boolean) => (x ? 1 : 0);

/** Round half to even, as C's nearbyint in the default rounding mode. */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  // Math.round rounds halves up; step back when that landed on an odd number.
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r === 0 ? x * 0 : r;
}

const fns: Record<Exclude<UnaryName, "round">, ScalarFns> = {
  abs: { f: Math.abs, big: (x) => (x < 0n ? -x : x) },
  neg: { f: (x) => -x, big: (x) => -x },
  sign: { f: signOf, big: (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n) },
  exp: { f: Math.exp },
  expm1: { f: Math.expm1 },
  log: { f: Math.log },
  log1p: { f: log1p },
  log2: { f: Math.log2 },
  sqrt: { f: Math.sqrt },
  rsqrt: { f: (x) => 1 / Math.sqrt(x) },
  reciprocal: { f: (x) => 1 / x },
  sin: { f: Math.sin },
  cos: { f: Math.cos },
  tan: { f: Math.tan },
  asin: { f: Math.asin },
  acos: { f: Math.acos },
  atan: { f: Math.atan },
  sinh: { f: Math.sinh },
  cosh: { f: Math.cosh },
  tanh: { f: Math.tanh },
  asinh: { f: Math.asinh },
  acosh: { f: Math.acosh },
  atanh: { f: Math.atanh },
  erf: { f: erf },
  erfc: { f: erfc },
  // Stable on both sides: for x < 0, e^x / (1 + e^x) avoids overflow of e^(-x).
  sigmoid: { f: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))) },
  // PyTorch's relu keeps nan (clamp_min(0) propagates nan).
  relu: { f: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0), big: (x) => (x > 0n ? x : 0n) },
  floor: { f: Math.floor, big: (x) => x },
  ceil: { f: Math.ceil, big: (x) => x },
  trunc: { f: Math.trunc, big: (x) => x },
  isnan: { f: (x) => b(Number.isNaN(x)), big: () => 0n },
  isinf: { f: (x) => b(x === Infinity || x === -Infinity), big: () => 0n },
  logicalNot: { f: (x) => b(x === 0), big: (x) => (x === 0n ? 1n : 0n) },
  bitwiseNot: { f: (x) => ~x, big: (x) => ~x },
};

function kernelOf(name: string, fns: ScalarFns) {
  return ([x]: JsView[], _attrs: unknown, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const dtype = out!.dtype;
    if (x!.data instanceof BigInt64Array) {
      const big = fns.big;
      if (!big) throw new Error(`${name} has no int64 kernel`);
      // Predicates map int64 to bool: produce numbers.
      if (dtype === "bool") return [map1(x!, dtype, (v) => Number(big(v as bigint)))];
      return [map1(x!, dtype, (v) => big(v as bigint))];
    }
    // bool inputs to "same" ops: logicalNot/bitwiseNot stay within 0/1.
    if (name === "bitwiseNot" && x!.dtype === "bool") return [map1(x!, dtype, (v) => 1 - (v as number))];
    const f = fns.f;
    return [map1(x!, dtype, (v) => f(v as number))];
  };
}

/** round(x, decimals) as PyTorch computes it, in the tensor's own float width. */
function roundKernel([x]: JsView[], { decimals }: { decimals: number }, [out]: readonly TensorMeta[]): ComputeArray[] {
  const dtype = out!.dtype;
  if (x!.data instanceof BigInt64Array || dtype === "bool" || !["float32", "float64", "float16", "bfloat16"].includes(dtype))
    return [map1(x!, dtype, (v) => v)];
  const r = dtype === "float64" ? identity : Math.fround;
  if (decimals === 0) return [map1(x!, dtype, (v) => roundHalfEven(v as number))];
  const p = r(10 ** Math.abs(decimals));
  return [
    map1(x!, dtype, (v) =>
      decimals > 0 ? r(roundHalfEven(r((v as number) * p)) / p) : r(roundHalfEven(r((v as number) / p)) * p),
    ),
  ];
}

export const unaryKernels = {
  ...(Object.fromEntries(Object.entries(fns).map(([name, f]) => [name, kernelOf(name, f)])) as Record<
    Exclude<UnaryName, "round">,
    ReturnType<typeof kernelOf>
  >),
  round: roundKernel,
};
