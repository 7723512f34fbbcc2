/**
 * js kernels of the binary primitives. Both inputs arrive in the compute dtype (the
 * promoted one), so each op needs a number version and, for int64, a bigint version.
 * Integer semantics follow C/PyTorch: wrapping arithmetic, division by zero refused,
 * shifts past the width give 0 (left) or the sign (right).
 */
import { DTYPES, type DType } from "../../../core/dtype.ts";
import { ValueError } from "../../../core/errors.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { BinaryName, RoundingMode } from "../../../ops/defs/binary.ts";
import type { ComputeArray, JsView } from "../compute.ts";
import { map2, map3 } from "./elementwise.ts";

type Num = (a: number, b: number) => number;
type Big = (a: bigint, b: bigint) => bigint;
interface Fns {
  float: Num;
  int: Num;
  big: Big;
}

const bool = (x: boolean) => (x ? 1 : 0);
const bigBool = (x: boolean) => (x ? 1n : 0n);

function zeroDivision(): never {
  throw new ValueError("ZeroDivisionError: integer division or modulo by zero");
}

/** C's fmod for floats is JS's %. For integers JS's % already truncates like C. */
const intMod = (a: number, b: number) => (b === 0 ? zeroDivision() : a % b);
const bigMod = (a: bigint, b: bigint) => (b === 0n ? zeroDivision() : a % b);

/** Python-style remainder: the result takes the divisor's sign. */
function floatRemainder(a: number, b: number): number {
  let m = a % b;
  if (m !== 0 && b < 0 !== m < 0) m += b;
  return m;
}
function intRemainder(a: number, b: number): number {
  if (b === 0) zeroDivision();
  let m = a % b;
  if (m !== 0 && b < 0 !== m < 0) m += b;
  return m;
}
function bigRemainder(a: bigint, b: bigint): bigint {
  if (b === 0n) zeroDivision();
  let m = a % b;
  if (m !== 0n && b < 0n !== m < 0n) m += b;
  return m;
}

/** PyTorch's div_floor_floating: floor of a/b computed from fmod, so it is exact. */
function floatFloorDiv(a: number, b: number, r: (x: number) => number): number {
  if (b === 0) return r(a / b);
  const mod = r(a % b);
  let div = r(r(a - mod) / b);
  if (mod !== 0 && b < 0 !== mod < 0) div = r(div - 1);
  if (div === 0) return Math.sign(r(a / b)) < 0 || Object.is(r(a / b), -0) ? -0 : 0;
  let floordiv = Math.floor(div);
  if (div - floordiv > 0.5) floordiv += 1;
  return floordiv;
}
function intFloorDiv(a: number, b: number): number {
  if (b === 0) zeroDivision();
  const q = Math.trunc(a / b);
  return a % b !== 0 && a < 0 !== b < 0 ? q - 1 : q;
}
function bigFloorDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) zeroDivision();
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** C's pow, which differs from Math.pow at pow(1, nan) = 1 and pow(-1, ±inf) = 1. */
function cPow(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}
function intPow(a: number, b: number, dtype: DType): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  const wrap = dtype === "int32" ? (x: number) => x | 0 : (x: number) => x;
  const mul = dtype === "int32" ? Math.imul : (x: number, y: number) => wrapNarrow(x * y, dtype);
  let result = 1;
  let base = wrap(a);
  let e = b;
  while (e > 0) {
    if (e & 1) result = mul(result, base);
    base = mul(base, base);
    e = Math.floor(e / 2);
  }
  return result;
}
function wrapNarrow(x: number, dtype: DType): number {
  const bits = DTYPES[dtype].itemsize * 8;
  if (dtype === "bool") return x !== 0 ? 1 : 0;
  return dtype === "uint8" ? x & 0xff : (x << (32 - bits)) >> (32 - bits);
}
function bigPow(a: bigint, b: bigint): bigint {
  if (b < 0n) return a === 1n ? 1n : a === -1n ? (b % 2n === 0n ? 1n : -1n) : 0n;
  let result = 1n;
  let base = a;
  let e = b;
  while (e > 0n) {
    if (e & 1n) result = BigInt.asIntN(64, result * base);
    base = BigInt.asIntN(64, base * base);
    e >>= 1n;
  }
  return result;
}

/** std::max/min semantics after a nan check: max(-0, 0) keeps the first. */
const fmax = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? b : a);
const fmin = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : b < a ? b : a);

/**
 * Shifts as Debian's PyTorch 1.13 computes them on x86: the count is taken modulo the
 * width of the promoted C type (32 bits for int8..int32, 64 for int64), which is what the
 * shift instruction does; newer PyTorch returns 0 / the sign instead for counts past the width.
 */
function shiftFns(dtype: DType, left: boolean): Num {
  if (left) return (a, b) => wrapNarrow(dtype === "int32" ? a << (b & 31) : (a << (b & 31)) | 0, dtype);
  return (a, b) => a >> (b & 31);
}

function fnsFor(name: BinaryName, dtype: DType): Fns {
  const isInt32 = dtype === "int32";
  switch (name) {
    case "add":
      return { float: (a, b) => a + b, int: dtype === "bool" ? (a, b) => bool(a + b !== 0) : (a, b) => a + b, big: (a, b) => a + b };
    case "sub":
      return { float: (a, b) => a - b, int: (a, b) => a - b, big: (a, b) => a - b };
    case "mul":
      return { float: (a, b) => a * b, int: isInt32 ? Math.imul : (a, b) => a * b, big: (a, b) => a * b };
    case "remainder":
      return { float: floatRemainder, int: intRemainder, big: bigRemainder };
    case "fmod":
      return { float: (a, b) => a % b, int: intMod, big: bigMod };
    case "pow":
      return { float: cPow, int: (a, b) => intPow(a, b, dtype), big: bigPow };
    case "atan2":
      return { float: Math.atan2, int: Math.atan2, big: () => 0n };
    case "maximum":
      return { float: fmax, int: (a, b) => (a < b ? b : a), big: (a, b) => (a < b ? b : a) };
    case "minimum":
      return { float: fmin, int: (a, b) => (b < a ? b : a), big: (a, b) => (b < a ? b : a) };
    case "eq":
      return { float: (a, b) => bool(a === b), int: (a, b) => bool(a === b), big: (a, b) => bigBool(a === b) };
    case "ne":
      return { float: (a, b) => bool(a !== b), int: (a, b) => bool(a !== b), big: (a, b) => bigBool(a !== b) };
    case "lt":
      return { float: (a, b) => bool(a < b), int: (a, b) => bool(a < b), big: (a, b) => bigBool(a < b) };
    case "le":
      return { float: (a, b) => bool(a <= b), int: (a, b) => bool(a <= b), big: (a, b) => bigBool(a <= b) };
    case "gt":
      return { float: (a, b) => bool(a > b), int: (a, b) => bool(a > b), big: (a, b) => bigBool(a > b) };
    case "ge":
      return { float: (a, b) => bool(a >= b), int: (a, b) => bool(a >= b), big: (a, b) => bigBool(a >= b) };
    case "logicalAnd": {
      const f = (a: number, b: number) => bool(a !== 0 && b !== 0);
      return { float: f, int: f, big: (a, b) => bigBool(a !== 0n && b !== 0n) };
    }
    case "logicalOr": {
      const f = (a: number, b: number) => bool(a !== 0 || b !== 0);
      return { float: f, int: f, big: (a, b) => bigBool(a !== 0n || b !== 0n) };
    }
    case "logicalXor": {
      const f = (a: number, b: number) => bool(a !== 0 !== (b !== 0));
      return { float: f, int: f, big: (a, b) => bigBool(a !== 0n !== (b !== 0n)) };
    }
    case "bitwiseAnd":
      return { float: (a, b) => a & b, int: (a, b) => a & b, big: (a, b) => a & b };
    case "bitwiseOr":
      return { float: (a, b) => a | b, int: (a, b) => a | b, big: (a, b) => a | b };
    case "bitwiseXor":
      return { float: (a, b) => a ^ b, int: (a, b) => a ^ b, big: (a, b) => a ^ b };
    case "bitwiseLeftShift":
      return {
        float: shiftFns(dtype, true),
        int: shiftFns(dtype, true),
        big: (a, b) => BigInt.asIntN(64, a << (b & 63n)),
      };
    case "bitwiseRightShift":
      return {
        float: shiftFns(dtype, false),
        int: shiftFns(dtype, false),
        big: (a, b) => a >> (b & 63n),
      };
  }
}

/** Comparisons and logical ops write bool (numbers) even from int64 inputs. */
const BOOL_OUT = new Set<BinaryName>(["eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor"]);

function run(a: JsView, b: JsView, out: TensorMeta, fns: Fns, name: string): ComputeArray {
  const compute = a.dtype;
  if (a.data instanceof BigInt64Array) {
    const big = fns.big;
    if (BOOL_OUT.has(name as BinaryName)) return map2(a, b, out.shape, out.dtype, (x, y) => Number(big(x as bigint, y as bigint)));
    if (out.dtype !== "int64") return map2(a, b, out.shape, out.dtype, (x, y) => Number(big(x as bigint, y as bigint)));
    return map2(a, b, out.shape, out.dtype, (x, y) => big(x as bigint, y as bigint));
  }
  const f = DTYPES[compute].kind === "float" ? fns.float : fns.int;
  if (out.dtype === "bool" && !BOOL_OUT.has(name as BinaryName))
    return map2(a, b, out.shape, out.dtype, (x, y) => bool((f(x as number, y as number) & 1) !== 0));
  return map2(a, b, out.shape, out.dtype, (x, y) => f(x as number, y as number));
}

function binaryKernel(name: BinaryName) {
  return ([a, b]: JsView[], _attrs: unknown, [out]: readonly TensorMeta[]): ComputeArray[] => [
    run(a!, b!, out!, fnsFor(name, a!.dtype), name),
  ];
}

function divKernel([a, b]: JsView[], { roundingMode }: { roundingMode: RoundingMode }, [out]: readonly TensorMeta[]): ComputeArray[] {
  const dtype = a!.dtype;
  const r = dtype === "float64" ? (x: number) => x : Math.fround;
  let fns: Fns;
  if (roundingMode === null) fns = { float: (x, y) => x / y, int: (x, y) => x / y, big: (x, y) => x / y };
  else if (roundingMode === "trunc")
    fns = {
      float: (x, y) => Math.trunc(r(x / y)),
      int: (x, y) => (y === 0 ? zeroDivision() : Math.trunc(x / y)),
      big: (x, y) => (y === 0n ? zeroDivision() : x / y),
    };
  else fns = { float: (x, y) => floatFloorDiv(x, y, r), int: intFloorDiv, big: bigFloorDiv };
  return [run(a!, b!, out!, fns, "div")];
}

const NAMES: BinaryName[] = [
  "add", "sub", "mul", "remainder", "fmod", "pow", "atan2", "maximum", "minimum",
  "eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor",
  "bitwiseAnd", "bitwiseOr", "bitwiseXor", "bitwiseLeftShift", "bitwiseRightShift",
];

export const binaryKernels = {
  ...(Object.fromEntries(NAMES.map((n) => [n, binaryKernel(n)])) as Record<BinaryName, ReturnType<typeof binaryKernel>>),
  div: divKernel,
  where: ([c, a, b]: JsView[], _attrs: unknown, [out]: readonly TensorMeta[]): ComputeArray[] => [
    map3(c!, a!, b!, out!.shape, out!.dtype, (cond, x, y) => ((cond as number) !== 0 ? x : y)),
  ],
};
