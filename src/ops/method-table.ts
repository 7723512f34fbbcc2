/**
 * Which op functions are Tensor methods, family by family, and which get in-place twins.
 * Each family file exports its own `...Methods` table; this file only joins them.
 */
import type { Tensor } from "../core/tensor.ts";
import * as binary from "./defs/binary.ts";
import { clamp } from "./defs/clamp.ts";
import { linalgMethods } from "./defs/linalg.ts";
import { sum } from "./defs/reduce.ts";
import * as unary from "./defs/unary.ts";
import { activationMethods } from "./composite/activation.ts";
import { indexingMethods } from "./composite/indexing.ts";
import { pointwiseMethods } from "./composite/pointwise.ts";
import { reductionMethods } from "./composite/reduction.ts";
import { shapeMethods } from "./composite/shape.ts";
import * as views from "./views.ts";

const unaryMethods = {
  abs: unary.abs, neg: unary.neg, sign: unary.sign, exp: unary.exp, expm1: unary.expm1, log: unary.log,
  log1p: unary.log1p, log2: unary.log2, sqrt: unary.sqrt, rsqrt: unary.rsqrt, reciprocal: unary.reciprocal,
  sin: unary.sin, cos: unary.cos, tan: unary.tan, asin: unary.asin, acos: unary.acos, atan: unary.atan,
  sinh: unary.sinh, cosh: unary.cosh, tanh: unary.tanh, asinh: unary.asinh, acosh: unary.acosh, atanh: unary.atanh,
  erf: unary.erf, erfc: unary.erfc, sigmoid: unary.sigmoid, relu: unary.relu, floor: unary.floor, ceil: unary.ceil,
  trunc: unary.trunc, round: unary.round, isnan: unary.isnan, isinf: unary.isinf, logicalNot: unary.logicalNot,
  bitwiseNot: unary.bitwiseNot, clamp,
};

const binaryMethods = {
  add: binary.add, sub: binary.sub, mul: binary.mul, div: binary.div, floorDivide: binary.floorDivide,
  remainder: binary.remainder, fmod: binary.fmod, pow: binary.pow, atan2: binary.atan2,
  maximum: binary.maximum, minimum: binary.minimum, eq: binary.eq, ne: binary.ne, lt: binary.lt, le: binary.le,
  gt: binary.gt, ge: binary.ge, logicalAnd: binary.logicalAnd, logicalOr: binary.logicalOr,
  logicalXor: binary.logicalXor, bitwiseAnd: binary.bitwiseAnd, bitwiseOr: binary.bitwiseOr,
  bitwiseXor: binary.bitwiseXor, bitwiseLeftShift: binary.bitwiseLeftShift, bitwiseRightShift: binary.bitwiseRightShift,
  /** `x.where(condition, y)`: x where condition holds, else y (PyTorch's Tensor.where). */
  where: (x: Tensor, condition: Tensor, other: binary.TensorLike) => binary.where(condition, x, other),
};

const viewMethods = {
  view: views.view, reshape: views.reshape, expand: views.expand, expandAs: views.expandAs,
  permute: views.permute, transpose: views.transpose, t: views.t, squeeze: views.squeeze,
  unsqueeze: views.unsqueeze, flatten: views.flatten, unflatten: views.unflatten, slice: views.slice,
  narrow: views.narrow, select: views.select, sliceScatter: views.sliceScatter, contiguous: views.contiguous,
  clone: views.clone, detach: views.detach,
};

export const opMethods = {
  ...unaryMethods,
  ...binaryMethods,
  ...viewMethods,
  sum,
  ...reductionMethods,
  ...shapeMethods,
  ...indexingMethods,
  ...linalgMethods,
  ...activationMethods,
  ...pointwiseMethods,
};

/**
 * Ops with an in-place twin `name_` (`x.add_(y)`): the ones PyTorch has as Tensor methods
 * whose result keeps x's shape. View ops (`transpose_`, `squeeze_`, ...) change metadata,
 * not data, and are not here; neither are the activations PyTorch has only in
 * torch.nn.functional (`hardtanh_`, `elu_`, `leaky_relu_`).
 */
export const inplaceNames = [
  // unary
  "abs", "neg", "sign", "exp", "expm1", "log", "log1p", "log2", "sqrt", "rsqrt", "reciprocal", "sin", "cos",
  "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf", "erfc", "sigmoid",
  "relu", "floor", "ceil", "trunc", "round", "frac", "clamp", "logicalNot", "bitwiseNot",
  // binary; comparisons write 0/1 in x's dtype, as PyTorch's eq_
  "add", "sub", "mul", "div", "floorDivide", "remainder", "fmod", "pow", "atan2", "bitwiseAnd", "bitwiseOr",
  "bitwiseXor", "bitwiseLeftShift", "bitwiseRightShift", "logicalAnd", "logicalOr", "logicalXor",
  "eq", "ne", "lt", "le", "gt", "ge",
  // pointwise with several inputs
  "lerp", "addcmul", "addcdiv",
  // along a dim, triangles, indexing
  "cumsum", "cumprod", "tril", "triu", "maskedFill", "scatter", "scatterAdd", "scatterReduce", "indexAdd",
] as const satisfies readonly (keyof typeof opMethods)[];
