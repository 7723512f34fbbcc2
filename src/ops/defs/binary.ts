/**
 * Binary elementwise primitives with broadcasting, and `where`.
 *
 * Note: broadcasting in vjp. An input broadcast to the output shape receives the output
 * gradient summed back over the broadcast dims (`sumTo`), as PyTorch's `sum_to`.
 *
 * Dtypes follow PyTorch's `result_type` (scalars rank below tensors): arithmetic computes
 * in the promoted type; true division of integers gives the default float; comparisons
 * compute in the promoted type and give bool; logical ops give bool.
 */
import { elementwiseDTypes, resultType, type DType, type ElementwiseRule } from "../../core/dtype.ts";
import { DTypeError, ValueError } from "../../core/errors.ts";
import { broadcastShapes } from "../../core/shape.ts";
import type { Scalar, Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { wrapScalar } from "../creation.ts";
import { defineOp, single, type KernelOp, type OnnxForm, type TensorMeta, type VjpContext } from "../define-op.ts";
import { sumTo } from "./reduce.ts";

/** A tensor, or a JS scalar standing for a 0-d tensor. */
export type TensorLike = Tensor | Scalar;

export function asTensor(x: TensorLike): Tensor {
  return typeof x === "object" ? x : wrapScalar(x);
}

/** An elementwise rule applied to the promoted dtype, or "sub", which also refuses bool inputs. */
type Rule = ElementwiseRule | "sub";

function promote(name: string, rule: Rule, a: TensorMeta, b: TensorMeta): { out: DType; compute: DType } {
  const operand = (m: TensorMeta) => ({ dtype: m.dtype, ndim: m.shape.length, wrappedNumber: m.wrappedNumber ?? false });
  if (rule === "sub" && (a.dtype === "bool" || b.dtype === "bool"))
    throw new DTypeError("subtraction with a bool tensor is not supported; to invert a mask use logicalNot()");
  return elementwiseDTypes(name, rule === "sub" ? "same" : rule, resultType(operand(a), operand(b)));
}

function binary<A = Record<string, never>>(
  name: string,
  rule: Rule | ((a: TensorMeta, b: TensorMeta, attrs: A) => { out: DType; compute: DType }),
  onnx: OnnxForm,
  vjp?: (g: Tensor, ctx: VjpContext<A>) => [Tensor | null, Tensor | null],
): KernelOp<A> {
  return defineOp<A>({
    name,
    inputs: ["a", "b"],
    infer: ([a, b], attrs) => {
      const { out, compute } = typeof rule === "function" ? rule(a!, b!, attrs) : promote(name, rule, a!, b!);
      return single(broadcastShapes(a!.shape, b!.shape), out, [compute, compute]);
    },
    ...(vjp
      ? {
          vjp: ([g], ctx) => {
            const [ga, gb] = vjp(g!, ctx);
            return [ga && sumTo(ga, ctx.metas[0]!.shape), gb && sumTo(gb, ctx.metas[1]!.shape)];
          },
        }
      : {}),
    onnx,
  });
}

/** How `div` rounds its quotient: not at all (null), toward zero, or toward −∞. */
export type RoundingMode = "trunc" | "floor" | null;

export const binaryOps = {
  add: binary("add", "same", { type: "Add" }, (g) => [g, g]),
  sub: binary("sub", "sub", { type: "Sub" }, (g) => [g, g.neg()]),
  // Inputs are read one by one so that `x.mul_(2)` on a tensor that needs grad does not
  // trip the in-place check on x, which this gradient never reads.
  mul: binary("mul", "same", { type: "Mul" }, (g, ctx) => [
    ctx.needsGrad[0] ? g.mul(ctx.inputs[1]!) : null,
    ctx.needsGrad[1] ? g.mul(ctx.inputs[0]!) : null,
  ]),
  div: binary<{ roundingMode: RoundingMode }>(
    "div",
    (a, b, { roundingMode }) => promote("div", roundingMode === null ? "float" : "same", a, b),
    { type: "Div" },
    (g, ctx) => {
      if (ctx.attrs.roundingMode !== null) return [g.mul(0), g.mul(0)];
      const b = ctx.inputs[1]!;
      // PyTorch's div_tensor_other_backward: -g · ((a / b) / b), in that order.
      return [g.div(b), ctx.needsGrad[1] ? g.neg().mul(ctx.inputs[0]!.div(b).div(b)) : null];
    },
  ),
  remainder: binary("remainder", "numeric", { type: "Mod", pattern: "Mod with fmod=0 (sign of divisor)" }, (g, { inputs: [a, b] }) => [
    g,
    g.neg().mul(a!.div(b!, "floor")),
  ]),
  fmod: binary("fmod", "numeric", { type: "Mod", pattern: "Mod with fmod=1" }, (g, { inputs: [a, b] }) => [
    g,
    g.neg().mul(a!.div(b!, "trunc")),
  ]),
  pow: binary("pow", "numeric", { type: "Pow" }, (g, { inputs: [a, bIn], outputs: [out], needsGrad }) => {
    const b = bIn!.dtype === "bool" ? bIn!.to(g.dtype) : bIn!;
    return [
    needsGrad[0] ? g.mul(b.mul(a!.pow(b.sub(1)))).maskedFill(b.eq(0), 0) : null,
    // d/db a^b = a^b ln a, taken as 0 where a == 0 and b >= 0 (PyTorch's pow_backward_exponent).
    needsGrad[1] ? g.mul(out!.mul(a!.log()).maskedFill(a!.eq(0).logicalAnd(b.ge(0)), 0)) : null,
    ];
  }),
  atan2: binary("atan2", "float", { type: "Atan", pattern: "Atan(a / b) with quadrant correction" }, (g, { inputs: [a, b] }) => {
    const r = a!.mul(a!).add(b!.mul(b!));
    return [g.mul(b!).div(r), g.mul(a!).neg().div(r)];
  }),
  // PyTorch splits the gradient evenly between equal inputs.
  maximum: binary("maximum", "same", { type: "Max" }, (g, { inputs: [a, b] }) => splitByComparison(g, a!, b!)),
  minimum: binary("minimum", "same", { type: "Min" }, (g, { inputs: [a, b] }) => splitByComparison(g, b!, a!)),
  eq: binary("eq", "bool", { type: "Equal" }),
  ne: binary("ne", "bool", { type: "Equal", pattern: "Not(Equal)" }),
  lt: binary("lt", "bool", { type: "Less" }),
  le: binary("le", "bool", { type: "LessOrEqual", sinceOpset: 12 }),
  gt: binary("gt", "bool", { type: "Greater" }),
  ge: binary("ge", "bool", { type: "GreaterOrEqual", sinceOpset: 12 }),
  logicalAnd: binary("logicalAnd", "bool", { type: "And" }),
  logicalOr: binary("logicalOr", "bool", { type: "Or" }),
  logicalXor: binary("logicalXor", "bool", { type: "Xor" }),
  bitwiseAnd: binary("bitwiseAnd", "integral", { type: "BitwiseAnd", sinceOpset: 18 }),
  bitwiseOr: binary("bitwiseOr", "integral", { type: "BitwiseOr", sinceOpset: 18 }),
  bitwiseXor: binary("bitwiseXor", "integral", { type: "BitwiseXor", sinceOpset: 18 }),
  bitwiseLeftShift: binary("bitwiseLeftShift", "integral", { type: "BitShift", pattern: "BitShift direction=LEFT" }),
  bitwiseRightShift: binary("bitwiseRightShift", "integral", { type: "BitShift", pattern: "BitShift direction=RIGHT" }),
  where: defineOp({
    name: "where",
    inputs: ["condition", "a", "b"],
    infer: ([c, a, b]) => {
      if (c!.dtype !== "bool" && c!.dtype !== "uint8")
        throw new DTypeError(`where expects a bool condition, got ${c!.dtype}`);
      const common = promote("where", "same", a!, b!).out;
      return single(broadcastShapes(c!.shape, a!.shape, b!.shape), common, [undefined, common, common]);
    },
    vjp: ([g], { inputs: [c], metas }) => {
      // A literal 0 as PyTorch's where(condition, grad, 0): g·0 would be nan where g is ±inf.
      return [null, sumTo(where(c!, g!, 0), metas[1]!.shape), sumTo(where(c!, 0, g!), metas[2]!.shape)];
    },
    onnx: { type: "Where", sinceOpset: 9 },
  }),
};

function splitByComparison(g: Tensor, larger: Tensor, smaller: Tensor): [Tensor, Tensor] {
  const half = g.div(2);
  const tie = larger.eq(smaller);
  const gLarger = g.where(larger.gt(smaller), g.mul(0)).where(tie.logicalNot(), half);
  const gSmaller = g.where(larger.lt(smaller), g.mul(0)).where(tie.logicalNot(), half);
  return [gLarger, gSmaller];
}

export type BinaryName = Exclude<keyof typeof binaryOps, "where" | "div">;

const fn =
  (name: Exclude<BinaryName, "div">) =>
  (a: TensorLike, b: TensorLike): Tensor =>
    apply1(binaryOps[name], [asTensor(a), asTensor(b)], {} as never);

/**
 * a + alpha·b, broadcasting. `add(x, 1)`, `add(x, y, 0.5)`.
 */
export function add(a: TensorLike, b: TensorLike, alpha = 1): Tensor {
  const bt = alpha === 1 ? asTensor(b) : mul(b, alpha);
  return apply1(binaryOps.add, [asTensor(a), bt], {});
}
/** a − alpha·b */
export function sub(a: TensorLike, b: TensorLike, alpha = 1): Tensor {
  const bt = alpha === 1 ? asTensor(b) : mul(b, alpha);
  return apply1(binaryOps.sub, [asTensor(a), bt], {});
}
export const mul = fn("mul");
/**
 * a / b. Integers divide to the default float; with `roundingMode` "trunc" or "floor" the
 * quotient is rounded and keeps the promoted dtype (integer division by zero throws).
 */
export function div(a: TensorLike, b: TensorLike, roundingMode: RoundingMode = null): Tensor {
  if (roundingMode !== null && roundingMode !== "trunc" && roundingMode !== "floor")
    throw new ValueError(`div expected roundingMode to be one of null, 'trunc', or 'floor' but found '${roundingMode}'`);
  return apply1(binaryOps.div, [asTensor(a), asTensor(b)], { roundingMode });
}
/** a // b (`torch.floor_divide`). */
export const floorDivide = (a: TensorLike, b: TensorLike): Tensor => div(a, b, "floor");
/** Python's modulus: the result has the sign of the divisor. */
export const remainder = fn("remainder");
/** C's fmod: the result has the sign of the dividend. */
export const fmod = fn("fmod");
export const pow = fn("pow");
/** The angle of (b, a) in (−π, π]. */
export const atan2 = fn("atan2");
/** Elementwise maximum; nan if either is nan. */
export const maximum = fn("maximum");
/** Elementwise minimum; nan if either is nan. */
export const minimum = fn("minimum");
export const eq = fn("eq");
export const ne = fn("ne");
export const lt = fn("lt");
export const le = fn("le");
export const gt = fn("gt");
export const ge = fn("ge");
export const logicalAnd = fn("logicalAnd");
export const logicalOr = fn("logicalOr");
export const logicalXor = fn("logicalXor");
export const bitwiseAnd = fn("bitwiseAnd");
export const bitwiseOr = fn("bitwiseOr");
export const bitwiseXor = fn("bitwiseXor");
export const bitwiseLeftShift = fn("bitwiseLeftShift");
export const bitwiseRightShift = fn("bitwiseRightShift");

/** Elements of `a` where `condition` is true, of `b` elsewhere (broadcasting all three). */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return apply1(binaryOps.where, [condition, asTensor(a), asTensor(b)], {});
}
