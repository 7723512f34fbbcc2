/**
 * Export rules of the elementwise primitives (unary, binary, where, clamp, cast): mostly
 * one node each; the patterns named in each op's `onnx` field where ONNX has no operator
 * with PyTorch's meaning.
 */
import { isFloating, type DType } from "../../../core/dtype.ts";
import { elemTypeCode } from "../../../graph/elem-type.ts";
import type { ClampAttrs } from "../../../ops/defs/clamp.ts";
import type { RoundingMode } from "../../../ops/defs/binary.ts";
import { attr } from "./builder.ts";
import { fail, simple, unsupported, type EmitContext, type EmitValue, type Rule } from "./emit.ts";

type Any = EmitContext<unknown>;
const out = (c: Any) => c.outputs[0]!;
const x = (c: Any) => c.inputs[0]!;

/** The input as bool (ONNX's logical operators take bool only). */
function asBool(c: Any, v: EmitValue): string {
  return v.dtype === "bool" ? v.name : c.apply("Cast", [v.name], "bool", v.dims, [attr.int("to", elemTypeCode("bool"))]);
}

/** A rule for float inputs that is the identity for integer ones (floor, ceil, trunc, round). */
function floatOnly(float: Rule<unknown>): Rule<unknown> {
  return (c) => (isFloating(x(c).dtype) ? float(c) : c.node("Identity", [x(c).name], [out(c).name]));
}

/** y = second(first(x)) — a two-node pattern. */
function chain(first: string, second: string): Rule<unknown> {
  return (c) => c.node(second, [c.apply(first, [x(c).name], out(c).dtype, out(c).dims)], [out(c).name]);
}

/** y = op(x, constant) or op(constant, x). */
function withConstant(op: string, value: number, constantFirst: boolean, input: (c: Any) => string = (c) => x(c).name): Rule<unknown> {
  return (c) => {
    const k = c.scalar(value, out(c).dtype);
    c.node(op, constantFirst ? [k, input(c)] : [input(c), k], [out(c).name]);
  };
}

const notNan: Rule<unknown> = (c) => c.node("Not", [c.apply("Equal", [x(c).name, x(c).name], "bool", x(c).dims)], [out(c).name]);

const round: Rule<{ decimals: number }> = (c) => {
  const { decimals } = c.attrs;
  if (!isFloating(x(c).dtype)) return c.node("Identity", [x(c).name], [out(c).name]);
  if (decimals === 0) return c.node("Round", [x(c).name], [out(c).name]);
  // PyTorch: nearbyint(x·10^d)/10^d for d > 0, nearbyint(x/10^−d)·10^−d for d < 0.
  const scale = c.scalar(10 ** Math.abs(decimals), x(c).dtype);
  const [into, back] = decimals > 0 ? ["Mul", "Div"] : ["Div", "Mul"];
  const scaled = c.apply(into, [x(c).name, scale], x(c).dtype, x(c).dims);
  c.node(back, [c.apply("Round", [scaled], x(c).dtype, x(c).dims), scale], [out(c).name]);
};

const bitwiseNot: Rule<unknown> = (c) => {
  const v = x(c);
  if (v.dtype === "bool") return c.node("Not", [v.name], [out(c).name]);
  if (c.opset >= 18) return c.node("BitwiseNot", [v.name], [out(c).name]);
  // Two's complement: ~x = −1 − x (255 − x for uint8).
  c.node("Sub", [c.scalar(v.dtype === "uint8" ? 255 : -1, v.dtype), v.name], [out(c).name]);
};

export const unaryRules = {
  abs: simple("Abs"),
  neg: simple("Neg"),
  sign: simple("Sign"),
  exp: simple("Exp"),
  expm1: (c: Any) => c.node("Sub", [c.apply("Exp", [x(c).name], out(c).dtype, out(c).dims), c.scalar(1, out(c).dtype)], [out(c).name]),
  log: simple("Log"),
  log1p: (c: Any) => c.node("Log", [c.apply("Add", [x(c).name, c.scalar(1, out(c).dtype)], out(c).dtype, out(c).dims)], [out(c).name]),
  log2: (c: Any) => c.node("Div", [c.apply("Log", [x(c).name], out(c).dtype, out(c).dims), c.scalar(Math.LN2, out(c).dtype)], [out(c).name]),
  sqrt: simple("Sqrt"),
  rsqrt: chain("Sqrt", "Reciprocal"),
  reciprocal: simple("Reciprocal"),
  sin: simple("Sin"),
  cos: simple("Cos"),
  tan: simple("Tan"),
  asin: simple("Asin"),
  acos: simple("Acos"),
  atan: simple("Atan"),
  sinh: simple("Sinh"),
  cosh: simple("Cosh"),
  tanh: simple("Tanh"),
  asinh: simple("Asinh"),
  acosh: simple("Acosh"),
  atanh: simple("Atanh"),
  erf: simple("Erf"),
  erfc: withConstant("Sub", 1, true, (c) => c.apply("Erf", [x(c).name], out(c).dtype, out(c).dims)),
  sigmoid: simple("Sigmoid"),
  relu: simple("Relu"),
  floor: floatOnly(simple("Floor")),
  ceil: floatOnly(simple("Ceil")),
  // trunc(x) = sign(x)·floor(|x|)
  trunc: floatOnly((c) => {
    const v = x(c);
    const floorAbs = c.apply("Floor", [c.apply("Abs", [v.name], v.dtype, v.dims)], v.dtype, v.dims);
    c.node("Mul", [c.apply("Sign", [v.name], v.dtype, v.dims), floorAbs], [out(c).name]);
  }),
  round,
  isnan: (c: Any) => (isFloating(x(c).dtype) ? c.node("IsNaN", [x(c).name], [out(c).name]) : notNan(c)),
  // Integers are never infinite: Not(Equal(x, x)) is all false.
  isinf: (c: Any) => (isFloating(x(c).dtype) ? c.node("IsInf", [x(c).name], [out(c).name]) : notNan(c)),
  logicalNot: (c: Any) => c.node("Not", [asBool(c, x(c))], [out(c).name]),
  bitwiseNot,
};

function binaryLogical(type: string): Rule<unknown> {
  return (c) => c.node(type, [asBool(c, c.inputs[0]!), asBool(c, c.inputs[1]!)], [out(c).name]);
}

function bitwise(boolType: string, intType: string): Rule<unknown> {
  return (c) => {
    if (c.inputs[0]!.dtype === "bool") return c.node(boolType, c.inputs.map((v) => v.name), [out(c).name]);
    if (c.opset < 18) throw fail(c.op, `${intType} needs opset 18 or later (exporting opset ${c.opset})`);
    c.node(intType, c.inputs.map((v) => v.name), [out(c).name]);
  };
}

const div: Rule<{ roundingMode: RoundingMode }> = (c) => {
  const [a, b] = c.inputs as [EmitValue, EmitValue];
  const o = out(c);
  const float = isFloating(o.dtype);
  if (c.attrs.roundingMode === null || (!float && c.attrs.roundingMode === "trunc")) return c.node("Div", [a.name, b.name], [o.name]);
  if (c.attrs.roundingMode === "trunc") {
    const q = c.apply("Div", [a.name, b.name], o.dtype, o.dims);
    const floorAbs = c.apply("Floor", [c.apply("Abs", [q], o.dtype, o.dims)], o.dtype, o.dims);
    return c.node("Mul", [c.apply("Sign", [q], o.dtype, o.dims), floorAbs], [o.name]);
  }
  if (float) return c.node("Floor", [c.apply("Div", [a.name, b.name], o.dtype, o.dims)], [o.name]);
  // Integer floor division: a − (a mod b) is an exact multiple of b (Mod fmod=0 has the divisor's sign).
  const mod = c.apply("Mod", [a.name, b.name], o.dtype, o.dims, [attr.int("fmod", 0)]);
  c.node("Div", [c.apply("Sub", [a.name, mod], o.dtype, o.dims), b.name], [o.name]);
};

// Python's remainder has the divisor's sign. ONNX Mod fmod=0 gives that for integers only;
// for floats: r = fmod(a, b), plus b where r ≠ 0 and r, b have opposite signs (PyTorch's kernel).
const remainder: Rule<unknown> = (c) => {
  const [a, b] = c.inputs as [EmitValue, EmitValue];
  const o = out(c);
  if (!isFloating(o.dtype)) return c.node("Mod", [a.name, b.name], [o.name], [attr.int("fmod", 0)]);
  const r = c.apply("Mod", [a.name, b.name], o.dtype, o.dims, [attr.int("fmod", 1)]);
  const zero = c.scalar(0, o.dtype);
  const nonzero = c.apply("Not", [c.apply("Equal", [r, zero], "bool", o.dims)], "bool", o.dims);
  const signsDiffer = c.apply("Xor", [c.apply("Less", [r, zero], "bool", o.dims), c.apply("Less", [b.name, zero], "bool", b.dims)], "bool", o.dims);
  const adjust = c.apply("And", [nonzero, signsDiffer], "bool", o.dims);
  c.node("Where", [adjust, c.apply("Add", [r, b.name], o.dtype, o.dims), r], [o.name]);
};

// atan2(a, b) = atan(a/b) + π·sign(a) where b < 0 (b = 0 gives ±π/2 through a/b = ±inf).
const atan2: Rule<unknown> = (c) => {
  const [a, b] = c.inputs as [EmitValue, EmitValue];
  const o = out(c);
  const q = c.apply("Atan", [c.apply("Div", [a.name, b.name], o.dtype, o.dims)], o.dtype, o.dims);
  const halfTurn = c.apply("Where", [c.apply("Less", [a.name, c.scalar(0, o.dtype)], "bool", o.dims), c.scalar(-Math.PI, o.dtype), c.scalar(Math.PI, o.dtype)], o.dtype, o.dims);
  const correction = c.apply("Where", [c.apply("Less", [b.name, c.scalar(0, o.dtype)], "bool", o.dims), halfTurn, c.scalar(0, o.dtype)], o.dtype, o.dims);
  c.node("Add", [q, correction], [o.name]);
};

export const binaryRules = {
  add: simple("Add"),
  sub: simple("Sub"),
  mul: simple("Mul"),
  div,
  remainder,
  fmod: simple("Mod", () => [attr.int("fmod", 1)]),
  pow: simple("Pow"),
  atan2,
  maximum: simple("Max"),
  minimum: simple("Min"),
  eq: simple("Equal"),
  ne: (c: Any) => c.node("Not", [c.apply("Equal", c.inputs.map((v) => v.name), "bool", out(c).dims)], [out(c).name]),
  lt: simple("Less"),
  le: simple("LessOrEqual"),
  gt: simple("Greater"),
  ge: simple("GreaterOrEqual"),
  logicalAnd: binaryLogical("And"),
  logicalOr: binaryLogical("Or"),
  logicalXor: binaryLogical("Xor"),
  bitwiseAnd: bitwise("And", "BitwiseAnd"),
  bitwiseOr: bitwise("Or", "BitwiseOr"),
  bitwiseXor: bitwise("Xor", "BitwiseXor"),
  bitwiseLeftShift: unsupported("ONNX BitShift is defined for unsigned integers only"),
  bitwiseRightShift: unsupported("ONNX BitShift is defined for unsigned integers only"),
  where: (c: Any) => c.node("Where", [asBool(c, c.inputs[0]!), c.inputs[1]!.name, c.inputs[2]!.name], [out(c).name]),
};

const clamp: Rule<ClampAttrs> = (c) => {
  const v = x(c);
  const bound = (b: number | null) => (b === null ? "" : c.scalar(b, v.dtype as DType));
  const inputs = [v.name, bound(c.attrs.min), bound(c.attrs.max)];
  while (inputs[inputs.length - 1] === "") inputs.pop();
  c.node("Clip", inputs, [out(c).name]);
};

export const miscElementwiseRules = {
  clamp,
  cast: simple<{ dtype: DType }>("Cast", (a) => [attr.int("to", elemTypeCode(a.dtype))]),
};
