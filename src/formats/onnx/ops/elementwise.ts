/**
 * Elementwise ONNX operators: unary math, activations, binary arithmetic with ONNX's
 * broadcasting (and the `broadcast`/`axis` attributes of opsets before 7), variadic
 * Sum/Mean/Max/Min, comparisons and logical/bitwise operators.
 */
import type { Tensor } from "../../../core/tensor.ts";
import { isFloating } from "../../../core/dtype.ts";
import type { OpContext, OpImpl } from "../../../graph/interpreter.ts";
import * as act from "../../../ops/composite/activation.ts";
import { tensor } from "../../../ops/creation.ts";
import { numbersOf } from "../../../graph/host-values.ts";
import * as b from "../../../ops/defs/binary.ts";
import { clamp } from "../../../ops/defs/clamp.ts";
import * as u from "../../../ops/defs/unary.ts";
import { reshape, to } from "../../../ops/views.ts";
import { HostTensor } from "../../../graph/value.ts";
import { stringEqual } from "./strings.ts";
import type { OpFamily } from "./table.ts";
import { badDType, invalid, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

const unary =
  (f: (x: Tensor, ctx: OpContext) => Tensor): OpImpl =>
  (inputs, ctx) => [f(tensorAt(inputs, 0, ctx), ctx)];

/** Opsets before 7: with broadcast=1, B's dims line up with A's starting at `axis` (default: the trailing dims). */
export function legacyBroadcast(a: Tensor, bt: Tensor, ctx: OpContext): Tensor {
  if (ctx.opset >= 7 || ctx.attrs.int("broadcast", 0) === 0) return bt;
  const axis = ctx.attrs.int("axis", a.ndim - bt.ndim);
  const start = axis < 0 ? axis + a.ndim : axis;
  if (start < 0 || start + bt.ndim > a.ndim) throw invalid(ctx, `cannot broadcast [${bt.shape}] into [${a.shape}] at axis ${axis}`);
  return reshape(bt, [...bt.shape, ...Array<number>(a.ndim - start - bt.ndim).fill(1)]);
}

const binary =
  (f: (a: Tensor, b: Tensor, ctx: OpContext) => Tensor): OpImpl =>
  (inputs, ctx) => {
    const a = tensorAt(inputs, 0, ctx);
    return [f(a, legacyBroadcast(a, tensorAt(inputs, 1, ctx), ctx), ctx)];
  };

/** ONNX integer division truncates toward zero (C semantics); floats divide exactly. */
function onnxDiv(x: Tensor, y: Tensor): Tensor {
  return isFloating(x.dtype) ? b.div(x, y) : b.div(x, y, "trunc");
}

function onnxMod(x: Tensor, y: Tensor, ctx: OpContext): Tensor {
  const fmod = ctx.attrs.int("fmod", 0);
  if (isFloating(x.dtype) && fmod !== 1) throw invalid(ctx, "fmod must be 1 for floating inputs");
  return fmod === 1 ? b.fmod(x, y) : b.remainder(x, y);
}

/** Pow: the result has the base's type whatever the exponent's (ONNX Pow-12+). */
function onnxPow(x: Tensor, y: Tensor): Tensor {
  if (!isFloating(y.dtype) && !isFloating(x.dtype)) return to(b.pow(to(x, "float64"), to(y, "float64")), x.dtype);
  if (isFloating(x.dtype) || !isFloating(y.dtype)) return to(b.pow(x, y), x.dtype);
  return to(b.pow(to(x, "float64"), to(y, "float64")), x.dtype);
}

const variadic =
  (f: (a: Tensor, b: Tensor) => Tensor, finish?: (acc: Tensor, n: number) => Tensor): OpImpl =>
  (inputs, ctx) => {
    if (inputs.length === 0) throw invalid(ctx, "needs at least one input");
    let acc = tensorAt(inputs, 0, ctx);
    for (let i = 1; i < inputs.length; i++) acc = f(acc, tensorAt(inputs, i, ctx));
    return [finish ? finish(acc, inputs.length) : acc];
  };

function isInf(x: Tensor, ctx: OpContext): Tensor {
  const pos = ctx.attrs.int("detect_positive", 1) === 1;
  const neg = ctx.attrs.int("detect_negative", 1) === 1;
  if (pos && neg) return u.isinf(x);
  if (pos) return b.eq(x, Infinity);
  if (neg) return b.eq(x, -Infinity);
  return b.ne(x, x).logicalAnd(b.eq(x, x));
}

function shrink(x: Tensor, ctx: OpContext): Tensor {
  const lambd = ctx.attrs.float("lambd", 0.5);
  const bias = ctx.attrs.float("bias", 0);
  const zero = x.mul(0);
  const below = b.lt(x, -lambd);
  const above = b.gt(x, lambd);
  const shift = (v: number) => (isFloating(x.dtype) ? v : Math.trunc(v));
  return b.where(below, x.add(shift(bias)), b.where(above, x.sub(shift(bias)), zero)).to(x.dtype);
}

/**
 * A Clip bound as the number clamp takes: null when absent, undefined when it must stay a
 * tensor (not one element, of another dtype, broadcasting x to more dims, needing a
 * gradient, NaN, or an int64 past 2^53).
 */
function scalarBound(t: Tensor | undefined, x: Tensor): number | null | undefined {
  if (!t) return null;
  if (t.size !== 1 || t.dtype !== x.dtype || t.ndim > x.ndim || t.requiresGrad) return undefined;
  const v = numbersOf(t)[0]!;
  return Number.isNaN(v) || (!isFloating(t.dtype) && !Number.isSafeInteger(v)) ? undefined : v;
}

function clip(inputs: Inputs, ctx: OpContext): Tensor {
  const x = tensorAt(inputs, 0, ctx);
  if (ctx.opset < 11) return clamp(x, ctx.attrs.float("min", -Infinity), ctx.attrs.float("max", Infinity));
  const lo = optionalTensorAt(inputs, 1, ctx, true);
  const hi = optionalTensorAt(inputs, 2, ctx, true);
  // Scalar bounds (ReLU6's 0 and 6) go through the one-pass clamp; the rest broadcast.
  const [min, max] = [scalarBound(lo, x), scalarBound(hi, x)];
  if (min !== undefined && max !== undefined && (min !== null || max !== null)) return clamp(x, min, max);
  let y = x;
  if (lo) y = b.maximum(y, lo);
  if (hi) y = b.minimum(y, hi);
  return y === x ? x.clone() : y;
}

function prelu(x: Tensor, slope: Tensor, ctx: OpContext): Tensor {
  // Before opset 7 a 1-D slope of C values applies along the channel axis.
  if (ctx.opset < 7 && slope.ndim === 1 && x.ndim > 2 && slope.shape[0] === x.shape[1] && slope.shape[0] !== 1)
    slope = reshape(slope, [slope.shape[0]!, ...Array<number>(x.ndim - 2).fill(1)]);
  return b.where(b.lt(x, 0), x.mul(slope), x);
}

function celu(x: Tensor, ctx: OpContext): Tensor {
  const alpha = ctx.attrs.float("alpha", 1);
  return u.relu(x).add(b.minimum(x.div(alpha).expm1().mul(alpha), 0));
}

function bitShift(x: Tensor, y: Tensor, ctx: OpContext): Tensor {
  const direction = ctx.attrs.string("direction");
  if (direction === "LEFT") return b.bitwiseLeftShift(x, y);
  if (direction === "RIGHT") return b.bitwiseRightShift(x, y);
  throw invalid(ctx, `direction must be LEFT or RIGHT, got ${direction}`);
}

const boolOnly = (f: (a: Tensor, c: Tensor) => Tensor) => (x: Tensor, y: Tensor, ctx: OpContext) => {
  if (x.dtype !== "bool" || y.dtype !== "bool") throw badDType(ctx, `${x.dtype}, ${y.dtype}`, "inputs must be bool");
  return f(x, y);
};


const equal = binary((x, y) => b.eq(x, y));

export const elementwiseOps: OpFamily = {
  Abs: unary(u.abs),
  Neg: unary(u.neg),
  Sign: unary(u.sign),
  Exp: unary(u.exp),
  Log: unary(u.log),
  Sqrt: unary(u.sqrt),
  Reciprocal: unary(u.reciprocal),
  Sin: unary(u.sin),
  Cos: unary(u.cos),
  Tan: unary(u.tan),
  Asin: unary(u.asin),
  Acos: unary(u.acos),
  Atan: unary(u.atan),
  Sinh: unary(u.sinh),
  Cosh: unary(u.cosh),
  Tanh: unary(u.tanh),
  Asinh: unary(u.asinh),
  Acosh: unary(u.acosh),
  Atanh: unary(u.atanh),
  Erf: unary(u.erf),
  Sigmoid: unary(u.sigmoid),
  Relu: unary(u.relu),
  Floor: unary(u.floor),
  Ceil: unary(u.ceil),
  Round: unary((x) => u.round(x)),
  IsNaN: unary(u.isnan),
  IsInf: unary(isInf),
  Not: unary(u.logicalNot),
  BitwiseNot: unary(u.bitwiseNot),
  Softsign: unary((x) => x.div(x.abs().add(1))),
  Softplus: unary((x) => x.exp().add(1).log()),
  Elu: unary((x, ctx) => act.elu(x, ctx.attrs.float("alpha", 1))),
  Selu: unary((x, ctx) =>
    act.elu(x, ctx.attrs.float("alpha", 1.67326319217681884765625)).mul(ctx.attrs.float("gamma", 1.05070102214813232421875)),
  ),
  LeakyRelu: unary((x, ctx) => act.leakyRelu(x, ctx.attrs.float("alpha", 0.01))),
  HardSigmoid: unary((x, ctx) => clamp(x.mul(ctx.attrs.float("alpha", 0.2)).add(ctx.attrs.float("beta", 0.5)), 0, 1)),
  HardSwish: unary((x) => act.hardswish(x)),
  Mish: unary((x) => act.mish(x)),
  ThresholdedRelu: unary((x, ctx) => b.where(b.gt(x, ctx.attrs.float("alpha", 1)), x, x.mul(0))),
  Celu: unary(celu),
  Shrink: unary(shrink),
  Gelu: unary((x, ctx) => act.gelu(x, ctx.attrs.string("approximate", "none") === "tanh" ? "tanh" : "none")),
  Swish: unary((x, ctx) => x.mul(x.mul(ctx.attrs.float("alpha", 1)).sigmoid())),
  Clip: (inputs, ctx) => [clip(inputs, ctx)],
  PRelu: binary(prelu),
  Add: binary((x, y) => b.add(x, y)),
  Sub: binary((x, y) => b.sub(x, y)),
  Mul: binary((x, y) => b.mul(x, y)),
  Div: binary(onnxDiv),
  Mod: binary(onnxMod),
  // The exponent may be of an unsigned type concord lacks: its values as float64.
  Pow: (inputs, ctx) => {
    const y = inputs[1];
    const exponent = y instanceof HostTensor ? tensor(numbersOf(y), { shape: y.shape, dtype: "float64" }) : tensorAt(inputs, 1, ctx);
    const x = tensorAt(inputs, 0, ctx);
    return [onnxPow(x, legacyBroadcast(x, exponent, ctx))];
  },
  Equal: (inputs, ctx) => (inputs[0] instanceof HostTensor ? stringEqual(inputs, ctx) : equal(inputs, ctx)),
  Less: binary((x, y) => b.lt(x, y)),
  LessOrEqual: binary((x, y) => b.le(x, y)),
  Greater: binary((x, y) => b.gt(x, y)),
  GreaterOrEqual: binary((x, y) => b.ge(x, y)),
  And: binary(boolOnly(b.logicalAnd)),
  Or: binary(boolOnly(b.logicalOr)),
  Xor: binary(boolOnly(b.logicalXor)),
  BitwiseAnd: binary((x, y) => b.bitwiseAnd(x, y)),
  BitwiseOr: binary((x, y) => b.bitwiseOr(x, y)),
  BitwiseXor: binary((x, y) => b.bitwiseXor(x, y)),
  BitShift: binary(bitShift),
  Sum: variadic((x, y) => b.add(x, y)),
  Mean: variadic((x, y) => b.add(x, y), (acc, n) => acc.div(n)),
  Max: variadic((x, y) => b.maximum(x, y)),
  Min: variadic((x, y) => b.minimum(x, y)),
  SwiGLU: (inputs, ctx) => {
    const a = tensorAt(inputs, 0, ctx);
    return [a.mul(a.mul(ctx.attrs.float("alpha", 1)).sigmoid()).mul(tensorAt(inputs, 1, ctx))];
  },
  Where: (inputs, ctx) => [b.where(tensorAt(inputs, 0, ctx), tensorAt(inputs, 1, ctx), tensorAt(inputs, 2, ctx))],
};
