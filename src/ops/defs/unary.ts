/**
 * Unary elementwise primitives. Each maps to one ONNX operator (or a short pattern) and
 * has its vjp written with ops. Activations built from these live in composite/.
 *
 * Dtype rules follow PyTorch (`ElementwiseRule` in core/dtype.ts): "float" ops (exp, sin,
 * ...) compute integer and bool inputs in the default float dtype; "same" ops keep the
 * input dtype; predicates give bool.
 */
import { elementwiseDTypes, type ElementwiseRule } from "../../core/dtype.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { defineOp, single, type KernelOp, type OnnxForm, type TensorMeta } from "../define-op.ts";

function unary<A = Record<string, never>>(
  name: string,
  rule: ElementwiseRule,
  onnx: OnnxForm,
  vjp?: (g: Tensor, x: () => Tensor, out: () => Tensor, attrs: A) => Tensor,
): KernelOp<A> {
  return defineOp<A>({
    name,
    inputs: ["x"],
    infer: ([x]: readonly TensorMeta[]) => {
      const { out, compute } = elementwiseDTypes(name, rule, x!.dtype);
      return single(x!.shape, out, [compute]);
    },
    ...(vjp ? { vjp: ([g], ctx) => [vjp(g!, () => ctx.inputs[0]!, () => ctx.outputs[0]!, ctx.attrs)] } : {}),
    onnx,
  });
}

const SQRT_PI_2 = 2 / Math.sqrt(Math.PI);

export const unaryOps = {
  abs: unary("abs", "numeric", { type: "Abs" }, (g, x) => g.mul(x().sign())),
  neg: unary("neg", "signed", { type: "Neg" }, (g) => g.neg()),
  sign: unary("sign", "same", { type: "Sign" }, (g) => g.mul(0)),
  exp: unary("exp", "float", { type: "Exp" }, (g, _x, out) => g.mul(out())),
  expm1: unary("expm1", "float", { type: "Exp", pattern: "Exp then Sub 1" }, (g, _x, out) => g.mul(out().add(1))),
  log: unary("log", "float", { type: "Log" }, (g, x) => g.div(x())),
  log1p: unary("log1p", "float", { type: "Log", pattern: "Add 1 then Log" }, (g, x) => g.div(x().add(1))),
  log2: unary("log2", "float", { type: "Log", pattern: "Log then Div by ln 2" }, (g, x) => g.div(x().mul(Math.LN2))),
  sqrt: unary("sqrt", "float", { type: "Sqrt" }, (g, _x, out) => g.div(out().mul(2))),
  rsqrt: unary("rsqrt", "float", { type: "Sqrt", pattern: "Sqrt then Reciprocal" }, (g, _x, out) => g.mul(out().pow(3)).mul(-0.5)),
  reciprocal: unary("reciprocal", "float", { type: "Reciprocal" }, (g, _x, out) => g.mul(out().mul(out())).neg()),
  sin: unary("sin", "float", { type: "Sin" }, (g, x) => g.mul(x().cos())),
  cos: unary("cos", "float", { type: "Cos" }, (g, x) => g.mul(x().sin()).neg()),
  tan: unary("tan", "float", { type: "Tan" }, (g, _x, out) => g.mul(out().mul(out()).add(1))),
  asin: unary("asin", "float", { type: "Asin" }, (g, x) => g.mul(x().mul(x()).neg().add(1).rsqrt())),
  acos: unary("acos", "float", { type: "Acos" }, (g, x) => g.mul(x().mul(x()).neg().add(1).rsqrt()).neg()),
  atan: unary("atan", "float", { type: "Atan" }, (g, x) => g.div(x().mul(x()).add(1))),
  sinh: unary("sinh", "float", { type: "Sinh" }, (g, x) => g.mul(x().cosh())),
  cosh: unary("cosh", "float", { type: "Cosh" }, (g, x) => g.mul(x().sinh())),
  tanh: unary("tanh", "float", { type: "Tanh" }, (g, _x, out) => g.mul(out().mul(out()).neg().add(1))),
  asinh: unary("asinh", "float", { type: "Asinh" }, (g, x) => g.mul(x().mul(x()).add(1).rsqrt())),
  acosh: unary("acosh", "float", { type: "Acosh" }, (g, x) => g.mul(x().mul(x()).sub(1).rsqrt())),
  atanh: unary("atanh", "float", { type: "Atanh" }, (g, x) => g.div(x().mul(x()).neg().add(1))),
  erf: unary("erf", "float", { type: "Erf" }, (g, x) => g.mul(x().mul(x()).neg().exp().mul(SQRT_PI_2))),
  erfc: unary("erfc", "float", { type: "Erf", pattern: "1 - Erf" }, (g, x) => g.mul(x().mul(x()).neg().exp().mul(-SQRT_PI_2))),
  sigmoid: unary("sigmoid", "float", { type: "Sigmoid" }, (g, _x, out) => g.mul(out().mul(out().neg().add(1)))),
  // PyTorch's threshold_backward: the gradient passes where the result is positive.
  relu: unary("relu", "same", { type: "Relu" }, (g, _x, out) => g.mul(out().gt(0))),
  floor: unary("floor", "same", { type: "Floor" }, (g) => g.mul(0)),
  ceil: unary("ceil", "same", { type: "Ceil" }, (g) => g.mul(0)),
  trunc: unary("trunc", "same", { type: "Floor", pattern: "Sign * Floor(Abs)" }, (g) => g.mul(0)),
  round: unary<{ decimals: number }>("round", "same", { type: "Round" }, (g) => g.mul(0)),
  isnan: unary("isnan", "bool", { type: "IsNaN" }),
  isinf: unary("isinf", "bool", { type: "IsInf" }),
  logicalNot: unary("logicalNot", "bool", { type: "Not" }),
  bitwiseNot: unary("bitwiseNot", "integral", { type: "BitwiseNot", sinceOpset: 18 }),
};

export type UnaryName = keyof typeof unaryOps;

const fn = (name: Exclude<UnaryName, "round">) => (x: Tensor): Tensor => apply1(unaryOps[name], [x], {} as never);

/** |x| */
export const abs = fn("abs");
/** -x (not defined for bool) */
export const neg = fn("neg");
/** -1, 0 or 1 by the sign of x (nan stays nan). `torch.sign`. */
export const sign = fn("sign");
export const exp = fn("exp");
/** exp(x) - 1, accurate near 0. */
export const expm1 = fn("expm1");
export const log = fn("log");
/** log(1 + x), accurate near 0. */
export const log1p = fn("log1p");
export const log2 = fn("log2");
export const sqrt = fn("sqrt");
/** 1 / sqrt(x) */
export const rsqrt = fn("rsqrt");
/** 1 / x */
export const reciprocal = fn("reciprocal");
export const sin = fn("sin");
export const cos = fn("cos");
export const tan = fn("tan");
export const asin = fn("asin");
export const acos = fn("acos");
export const atan = fn("atan");
export const sinh = fn("sinh");
export const cosh = fn("cosh");
export const tanh = fn("tanh");
export const asinh = fn("asinh");
export const acosh = fn("acosh");
export const atanh = fn("atanh");
/** The error function, 2/√π ∫₀ˣ e^(−t²) dt. */
export const erf = fn("erf");
/** 1 − erf(x), accurate for large x. */
export const erfc = fn("erfc");
/** 1 / (1 + e^(−x)) */
export const sigmoid = fn("sigmoid");
/** max(x, 0) */
export const relu = fn("relu");
export const floor = fn("floor");
export const ceil = fn("ceil");
/** Rounds toward zero. */
export const trunc = fn("trunc");
export const isnan = fn("isnan");
export const isinf = fn("isinf");
export const logicalNot = fn("logicalNot");
/** ~x for integer and bool tensors. */
export const bitwiseNot = fn("bitwiseNot");

/**
 * Rounds half to even (`torch.round`); with `decimals`, rounds to that many decimal places
 * (negative: to tens, hundreds...), as x·10^d rounded then divided by 10^d.
 */
export function round(x: Tensor, decimals = 0): Tensor {
  return apply1(unaryOps.round, [x], { decimals });
}
