/**
 * Reductions written with the reduce primitives (defs/reduce.ts): mean, var, std,
 * logsumexp, norm, all, any, max/min (overall, or with a dim as [values, indices]) and
 * argsort; and the `reductionMethods` table that makes every reduction, scan, softmax and
 * sort a Tensor method.
 *
 * Float reductions of float16/bfloat16 that PyTorch runs as one kernel with a float32
 * accumulator (var, std, norm) compute in float32 here and round once at the end.
 */
import { DEFAULT_FLOAT, isFloating, type DType } from "../../core/dtype.ts";
import { DTypeError, ShapeError, UnsupportedError } from "../../core/errors.ts";
import { normalizeDim } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { maximum, minimum } from "../defs/binary.ts";
import { gather } from "../defs/indexing.ts";
import {
  amax,
  amin,
  argmax,
  argmin,
  prod,
  reduceOps,
  reducedCount,
  reducedShape,
  reductionDims,
  sum,
  type KeepdimOptions,
  type SumOptions,
} from "../defs/reduce.ts";
import { cumprod, cumsum } from "../defs/scan.ts";
import { logSoftmax, softmax } from "../defs/softmax.ts";
import { sort, topk, type SortOptions } from "../defs/sort.ts";

const isHalf = (d: DType) => d === "float16" || d === "bfloat16";

/**
 * The mean over `dim` (several dims, or all when omitted): sum / count, as PyTorch computes
 * it on the CPU. Needs a floating input or `dtype`. `mean(x, -1, { keepdim: true })`.
 */
export function mean(x: Tensor, dim?: number | readonly number[], options: SumOptions = {}): Tensor {
  const dtype = options.dtype ?? x.dtype;
  if (!isFloating(dtype))
    throw new DTypeError(
      `mean(): could not infer output dtype. ${options.dtype ? "Optional" : "Input"} dtype must be either a floating point or complex dtype. Got: ${dtype}`,
    );
  const dims = reductionDims(dim, x.ndim);
  return sum(x, dims, { keepdim: options.keepdim ?? false, dtype }).div(reducedCount(x.shape, dims));
}

export interface VarOptions extends KeepdimOptions {
  /** Subtracted from the count in the denominator: 1 (default) is Bessel's correction, 0 the population variance. */
  correction?: number;
  /** PyTorch's older spelling: true is correction 1, false correction 0. */
  unbiased?: boolean;
}

function floatInput(name: string, x: Tensor): Tensor {
  if (!isFloating(x.dtype)) throw new DTypeError(`${name}: only floating point inputs are supported, got ${x.dtype}`);
  return isHalf(x.dtype) ? x.to("float32") : x;
}

/**
 * Σ (x − mean)² / max(0, N − correction) over `dim` (all dims when omitted), two-pass.
 * With N ≤ correction the result is nan or inf, as in PyTorch. Exported as `var`.
 */
function variance(x: Tensor, dim?: number | readonly number[], options: VarOptions = {}): Tensor {
  const input = floatInput("std and var", x);
  const dims = reductionDims(dim, x.ndim);
  const correction = options.correction ?? (options.unbiased === false ? 0 : 1);
  const deviation = input.sub(mean(input, dims, { keepdim: true }));
  const squares = sum(deviation.mul(deviation), dims, { keepdim: options.keepdim ?? false });
  const result = squares.div(Math.max(0, reducedCount(x.shape, dims) - correction));
  return result.to(x.dtype);
}

/** √x with gradient 0 where x is 0 (PyTorch's std and norm backward mask that point instead of giving inf · 0). */
function rootWithZeroGradAtZero(x: Tensor, p: number): Tensor {
  const nonzero = x.ne(0);
  const safe = x.where(nonzero, 1);
  return (p === 2 ? safe.sqrt() : safe.pow(1 / p)).where(nonzero, 0);
}

/** The standard deviation: √var (same options as `var`). Its gradient is 0 where it is 0, as PyTorch's std_backward. */
export function std(x: Tensor, dim?: number | readonly number[], options: VarOptions = {}): Tensor {
  const input = floatInput("std and var", x);
  return rootWithZeroGradAtZero(variance(input, dim, options), 2).to(x.dtype);
}

/**
 * log Σ exp(x) over `dim` (all dims when omitted), computed as PyTorch does: shifted by
 * the max (taken as 0 where the max is ±inf, so all −inf rows give −inf and +inf gives
 * +inf). Integer inputs compute in the default float dtype.
 */
export function logsumexp(x: Tensor, dim?: number | readonly number[], options: KeepdimOptions = {}): Tensor {
  const input = isFloating(x.dtype) ? x : x.to(DEFAULT_FLOAT);
  const dims = reductionDims(dim, x.ndim);
  const keepdim = options.keepdim ?? false;
  if (input.size === 0) return sum(input.exp(), dims, { keepdim }).log();
  const max = amax(input.detach(), dims, { keepdim: true });
  const shift = max.where(max.abs().ne(Infinity), 0);
  const total = sum(input.sub(shift).exp(), dims, { keepdim }).log();
  return total.add(keepdim ? shift : shift.reshape(reducedShape(x.shape, dims, false)));
}

export interface NormOptions extends KeepdimOptions {
  /** Convert the input to this (floating) dtype first. */
  dtype?: DType;
}

/**
 * |x|^p (0 or inf at x = 0 for p > 0 or p < 0) with gradient 0 at x = 0, where PyTorch's
 * norm_backward masks it (the plain power rule gives inf · 0 there).
 */
function powWithZeroGradAtZero(a: Tensor, p: number): Tensor {
  const nonzero = a.ne(0);
  return a.where(nonzero, 1).pow(p).where(nonzero, p > 0 ? 0 : Infinity);
}

/**
 * The vector p-norm over `dim` (all dims when omitted): (Σ |x|^p)^(1/p); p = ±Infinity is
 * max/min |x|, p = 0 counts nonzeros, "fro" is p = 2 (over at most 2 dims when dims are
 * given). `norm(x)`, `norm(x, 1, -1)`. The nuclear norm ("nuc") is not supported yet.
 */
export function norm(x: Tensor, p: number | "fro" | "nuc" = 2, dim?: number | readonly number[], options: NormOptions = {}): Tensor {
  const converted = options.dtype ? x.to(options.dtype) : x;
  if (!isFloating(converted.dtype))
    throw new DTypeError(`norm(): input dtype should be either floating point or complex. Got ${converted.dtype} instead.`);
  if (p === "nuc") throw new UnsupportedError("norm: the nuclear norm needs an SVD, which concord does not have yet");
  if (p === "fro" && Array.isArray(dim) && dim.length > 2)
    throw new ShapeError(`norm: "fro" expects at most 2 dimensions, but got ${dim.length} dimensions instead`);
  const input = isHalf(converted.dtype) ? converted.to("float32") : converted;
  const order = p === "fro" ? 2 : p;
  const dims = reductionDims(dim, x.ndim);
  const keepdim = options.keepdim ?? false;
  const a = input.abs();
  let result: Tensor;
  if (order === Infinity || order === -Infinity) {
    // PyTorch 1.13 gives 0 (not an error) for the ±inf norm of an empty group.
    result =
      reducedCount(x.shape, dims) === 0
        ? sum(a, dims, { keepdim })
        : apply1(reduceOps[order > 0 ? "amax" : "amin"], [a], { dims, keepdim, tiesIncludeNan: true });
  } else if (order === 0) {
    // Count of nonzeros (nan counts); sign keeps it connected to x with gradient 0.
    result = sum(input.sign().abs().where(input.isnan().logicalNot(), 1), dims, { keepdim });
  } else if (order === 1) {
    result = sum(a, dims, { keepdim });
  } else if (order === 2) {
    result = rootWithZeroGradAtZero(sum(input.mul(input), dims, { keepdim }), 2);
  } else {
    result = rootWithZeroGradAtZero(sum(powWithZeroGradAtZero(a, order), dims, { keepdim }), order);
  }
  return result.to(converted.dtype);
}

/**
 * True where every element over `dim` (all dims when omitted) is nonzero; true for an empty
 * group. bool result (uint8 for uint8 input, as PyTorch).
 */
export function all(x: Tensor, dim?: number | readonly number[], options: KeepdimOptions = {}): Tensor {
  const zeros = sum(x.eq(0), reductionDims(dim, x.ndim), { keepdim: options.keepdim ?? false, dtype: "int32" });
  const result = zeros.eq(0);
  return x.dtype === "uint8" ? result.to("uint8") : result;
}

/** True where some element over `dim` (all dims when omitted) is nonzero; false for an empty group. */
export function any(x: Tensor, dim?: number | readonly number[], options: KeepdimOptions = {}): Tensor {
  const nonzeros = sum(x.ne(0), reductionDims(dim, x.ndim), { keepdim: options.keepdim ?? false, dtype: "int32" });
  const result = nonzeros.gt(0);
  return x.dtype === "uint8" ? result.to("uint8") : result;
}

/** The extremum along `dim` and its index: argmax/argmin, then the value at that index (see Note: gradients through indices, in defs/reduce.ts). */
function selectAlong(name: "max" | "min", x: Tensor, dim: number, keepdim: boolean): [Tensor, Tensor] {
  const d = normalizeDim(dim, x.ndim);
  if (x.ndim > 0 && x.shape[d] === 0) throw new ShapeError(`${name}(): Expected reduction dim ${d} to have non-zero size`);
  const index = apply1(reduceOps[name === "max" ? "argmax" : "argmin"], [x], { dim: d, keepdim: true });
  const values = gather(x, d, index);
  if (keepdim) return [values, index];
  const shape = reducedShape(x.shape, [d], false);
  return [values.reshape(shape), index.reshape(shape)];
}

function overall(name: "max" | "min", x: Tensor): Tensor {
  if (x.size === 0)
    throw new ShapeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  const dims = x.shape.map((_, i) => i);
  return apply1(reduceOps[name === "max" ? "amax" : "amin"], [x], { dims, keepdim: false, tiesIncludeNan: true });
}

/**
 * `max(x)`: the largest element (0-d; nan wins; the gradient is split among ties).
 * `max(x, dim)`: `[values, indices]` along `dim`, the first maximum's index; the gradient
 * goes to that index only. `max(x, other)`: the elementwise `maximum`.
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, options?: KeepdimOptions): [Tensor, Tensor];
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dimOrOther?: number | Tensor, options: KeepdimOptions = {}): Tensor | [Tensor, Tensor] {
  if (dimOrOther === undefined) return overall("max", x);
  if (typeof dimOrOther === "number") return selectAlong("max", x, dimOrOther, options.keepdim ?? false);
  return maximum(x, dimOrOther);
}

/** `min(x)`, `min(x, dim)` → `[values, indices]`, `min(x, other)`: as `max`, for the smallest. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, options?: KeepdimOptions): [Tensor, Tensor];
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dimOrOther?: number | Tensor, options: KeepdimOptions = {}): Tensor | [Tensor, Tensor] {
  if (dimOrOther === undefined) return overall("min", x);
  if (typeof dimOrOther === "number") return selectAlong("min", x, dimOrOther, options.keepdim ?? false);
  return minimum(x, dimOrOther);
}

/** The int64 indices that sort `x` along `dim` (stable; nan last ascending). */
export function argsort(x: Tensor, options: SortOptions = {}): Tensor {
  return sort(x, options)[1];
}

export { variance as var };

type Extremum = (x: Tensor, dimOrOther?: number | Tensor, options?: KeepdimOptions) => Tensor | [Tensor, Tensor];

declare module "../../core/tensor.ts" {
  // The method forms of max/min keep the overloads of the functions (the generic method
  // table would keep only one signature).
  interface Tensor {
    max(): Tensor;
    max(dim: number, options?: KeepdimOptions): [Tensor, Tensor];
    max(other: Tensor): Tensor;
    min(): Tensor;
    min(dim: number, options?: KeepdimOptions): [Tensor, Tensor];
    min(other: Tensor): Tensor;
  }
}

export const reductionMethods = {
  mean,
  prod,
  max: max as Extremum,
  min: min as Extremum,
  argmax,
  argmin,
  amax,
  amin,
  var: variance,
  std,
  logsumexp,
  norm,
  all,
  any,
  cumsum,
  cumprod,
  softmax,
  logSoftmax,
  topk,
  sort,
  argsort,
};
