/**
 * Reduction primitives, each one ONNX operator: sum, prod, amax/amin, argmax/argmin over
 * dims with keepdim. `sumTo`, which every broadcasting vjp uses (see Note: broadcasting in
 * vjp, in binary.ts), lives here with `sum`. The other ops along a dim have their own
 * files: scans (scan.ts), softmax (softmax.ts), sort and topk (sort.ts). Reductions written
 * with these (mean, var, std, logsumexp, norm, all, any, max/min with indices, argsort)
 * are in composite/reduction.ts.
 *
 * Dtypes follow PyTorch: sum/prod give int64 for integer and bool inputs
 * (`accumulateDType`); amax/amin keep the dtype; argmax/argmin are int64.
 *
 * Note: gradients through indices. The ops that select elements (sort, topk, and max/min
 * with a dim, which are argmax + `gather`) send each output gradient to the one input
 * element that was selected, as PyTorch's `value_selecting_reduction_backward`:
 * `scatterAdd` into zeros. gather and scatterAdd are the indexing family's (see Note: index
 * pairs, in defs/indexing.ts): each is the other's vjp, so gradients of any order work.
 */
import { DTypeError, ShapeError } from "../../core/errors.ts";
import { accumulateDType, type DType } from "../../core/dtype.ts";
import { inversePermutation, normalizeDim, normalizeDims, shapesEqual, type Shape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { onesLike } from "../creation.ts";
import { defineOp, single, type Inference, type TensorMeta } from "../define-op.ts";
import { exclusiveCumprod, hasZero } from "./scan.ts";

/** Attributes shared by reductions: dims already normalized and sorted. */
export interface ReduceAttrs {
  readonly dims: readonly number[];
  readonly keepdim: boolean;
}

/** Reductions that may change the dtype (`sum(x, dim, { dtype: "float64" })`). */
export interface ReduceDTypeAttrs extends ReduceAttrs {
  readonly dtype?: DType;
}

/** amax/amin; `tiesIncludeNan` picks the gradient of `max()` without a dim (see the vjp). */
export interface ExtremumAttrs extends ReduceAttrs {
  readonly tiesIncludeNan: boolean;
}

/** argmax/argmin: one dim, or null for the index into the flattened tensor. */
export interface ArgAttrs {
  readonly dim: number | null;
  readonly keepdim: boolean;
}

/** The output shape of reducing `dims` of `shape`. */
export function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** The gradient of a reduction's output, reshaped to keepdim form and expanded to the input. */
export function expandReduced(g: Tensor, input: TensorMeta, attrs: ReduceAttrs): Tensor {
  const kept = attrs.keepdim ? g : g.reshape(reducedShape(input.shape, attrs.dims, true));
  return kept.expand(input.shape);
}

/**
 * The dims a reduction runs over, normalized and sorted. Omitted or an empty list means
 * every dim, as PyTorch (`x.sum([])` sums everything).
 */
export function reductionDims(dim: number | readonly number[] | undefined, ndim: number): number[] {
  const list = Array.isArray(dim) && dim.length === 0 ? undefined : dim;
  return normalizeDims(list, ndim).sort((a, b) => a - b);
}

/** How many elements each output of a reduction over `dims` folds. */
export function reducedCount(shape: Shape, dims: readonly number[]): number {
  return dims.reduce((n, d) => n * (shape[d] ?? 1), 1);
}

/** max/min/argmax... have no identity element: a reduced dim of size 0 is an error. */
function checkNonEmpty(name: string, x: TensorMeta, dims: readonly number[]): void {
  for (const d of dims)
    if (x.shape[d] === 0) throw new ShapeError(`${name}(): Expected reduction dim ${d} to have non-zero size`);
}

/**
 * For each element, the product of the other elements of its reduced group, without
 * division (so zeros are fine): the reduced dims are flattened last, and exclusive prefix
 * products times exclusive suffix products give it (PyTorch's prod_safe_zeros_backward).
 */
function productOfOthers(x: Tensor, dims: readonly number[]): Tensor {
  if (x.ndim === 0) return onesLike(x);
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...kept, ...dims];
  const keptShape = kept.map((d) => x.shape[d]!);
  const flat = x.permute(order).reshape([...keptShape, reducedCount(x.shape, dims)]);
  const last = keptShape.length;
  const others = exclusiveCumprod(flat, last, false).mul(exclusiveCumprod(flat, last, true));
  return others.reshape([...keptShape, ...dims.map((d) => x.shape[d]!)]).permute(inversePermutation(order));
}

/** sum/prod: the reduced shape in the accumulation dtype, the input converted to it first. */
function inferAccumulating([x]: readonly TensorMeta[], attrs: ReduceDTypeAttrs): Inference {
  const dtype = accumulateDType(x!.dtype, attrs.dtype);
  return single(reducedShape(x!.shape, attrs.dims, attrs.keepdim), dtype, [dtype]);
}

function extremum(name: "amax" | "amin", onnx: "ReduceMax" | "ReduceMin") {
  return defineOp<ExtremumAttrs>({
    name,
    inputs: ["x"],
    infer: ([x], attrs) => {
      checkNonEmpty(name, x!, attrs.dims);
      return single(reducedShape(x!.shape, attrs.dims, attrs.keepdim), x!.dtype);
    },
    // PyTorch splits the gradient evenly between tied extrema (amax's scale_grad_by_count:
    // a nan result gives nan gradients). max()/min() without a dim count nan inputs as tied
    // with a nan result instead (evenly_distribute_backward).
    vjp: ([g], { inputs, outputs, metas, attrs }) => {
      const x = inputs[0]!;
      const out = expandReduced(outputs[0]!, metas[0]!, attrs);
      let mask = x.eq(out);
      if (attrs.tiesIncludeNan) mask = mask.logicalOr(x.isnan().logicalAnd(out.isnan()));
      const share = expandReduced(g!, metas[0]!, attrs).div(sum(mask, attrs.dims, { keepdim: true }));
      return [attrs.tiesIncludeNan ? share.where(mask, 0) : share.mul(mask)];
    },
    onnx: { type: onnx, sinceOpset: 13 },
  });
}

function argExtremum(name: "argmax" | "argmin", onnx: "ArgMax" | "ArgMin") {
  return defineOp<ArgAttrs>({
    name,
    inputs: ["x"],
    infer: ([x], { dim, keepdim }) => {
      const all = x!.shape.map((_, i) => i);
      if (dim === null && x!.shape.includes(0))
        throw new ShapeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0`);
      checkNonEmpty(name, x!, dim === null ? [] : [dim]);
      const shape = dim === null ? (keepdim ? all.map(() => 1) : []) : reducedShape(x!.shape, [dim], keepdim);
      return single(shape, "int64");
    },
    onnx: { type: onnx, sinceOpset: 12, pattern: "select_last_index=0; without a dim, Reshape to 1-D first" },
  });
}

export const reduceOps = {
  sum: defineOp<ReduceDTypeAttrs>({
    name: "sum",
    inputs: ["x"],
    infer: inferAccumulating,
    vjp: ([g], { metas, attrs }) => [expandReduced(g!, metas[0]!, attrs)],
    onnx: { type: "ReduceSum", sinceOpset: 13 },
  }),
  prod: defineOp<ReduceDTypeAttrs>({
    name: "prod",
    inputs: ["x"],
    infer: inferAccumulating,
    // PyTorch's prod_backward: g·out/x when no element is zero; otherwise the product of
    // the other elements, computed without division.
    vjp: ([g], { inputs, outputs, metas, attrs }) => {
      const x = inputs[0]!;
      const gx = expandReduced(g!, metas[0]!, attrs);
      if (!hasZero(x)) return [gx.mul(expandReduced(outputs[0]!, metas[0]!, attrs)).div(x)];
      return [gx.mul(productOfOthers(x, attrs.dims))];
    },
    onnx: { type: "ReduceProd", sinceOpset: 13 },
  }),
  amax: extremum("amax", "ReduceMax"),
  amin: extremum("amin", "ReduceMin"),
  argmax: argExtremum("argmax", "ArgMax"),
  argmin: argExtremum("argmin", "ArgMin"),
};

export interface SumOptions {
  keepdim?: boolean;
  dtype?: DType;
}

/**
 * Sum over `dim` (one dim, several, or all when omitted).
 * `sum(x)` is a 0-d tensor; `sum(x, 1, { keepdim: true })` keeps dim 1 as size 1.
 * Integer and bool inputs sum to int64 unless `dtype` says otherwise.
 */
export function sum(x: Tensor, dim?: number | readonly number[], options: SumOptions = {}): Tensor {
  const dims = reductionDims(dim, x.ndim);
  return apply1(reduceOps.sum, [x], { dims, keepdim: options.keepdim ?? false, ...(options.dtype ? { dtype: options.dtype } : {}) });
}

/**
 * Product over `dim` (one dim, several, or all when omitted); integers and bool give int64.
 * `prod(tensor([[1, 2], [3, 4]]), 1)` is `[2, 12]`.
 */
export function prod(x: Tensor, dim?: number | readonly number[], options: SumOptions = {}): Tensor {
  const dims = reductionDims(dim, x.ndim);
  return apply1(reduceOps.prod, [x], { dims, keepdim: options.keepdim ?? false, ...(options.dtype ? { dtype: options.dtype } : {}) });
}

export interface KeepdimOptions {
  keepdim?: boolean;
}

/**
 * The largest element over `dim` (several dims, or all when omitted); nan wins. The
 * gradient is split evenly between tied maxima. `amax(x, [0, 2])`.
 */
export function amax(x: Tensor, dim?: number | readonly number[], options: KeepdimOptions = {}): Tensor {
  return apply1(reduceOps.amax, [x], { dims: reductionDims(dim, x.ndim), keepdim: options.keepdim ?? false, tiesIncludeNan: false });
}

/** The smallest element over `dim` (several dims, or all when omitted); nan wins. */
export function amin(x: Tensor, dim?: number | readonly number[], options: KeepdimOptions = {}): Tensor {
  return apply1(reduceOps.amin, [x], { dims: reductionDims(dim, x.ndim), keepdim: options.keepdim ?? false, tiesIncludeNan: false });
}

function argExtremumCall(name: "argmax" | "argmin", x: Tensor, dim: number | undefined | null, options: KeepdimOptions): Tensor {
  if (x.dtype === "bool") throw new DTypeError(`${name} is not implemented for bool tensors`);
  const d = dim === undefined || dim === null ? null : normalizeDim(dim, x.ndim);
  return apply1(reduceOps[name], [x], { dim: d, keepdim: options.keepdim ?? false });
}

/**
 * The int64 index of the largest element along `dim`, or into the flattened tensor when
 * `dim` is omitted. The first of tied maxima wins; nan counts as the largest.
 */
export function argmax(x: Tensor, dim?: number | null, options: KeepdimOptions = {}): Tensor {
  return argExtremumCall("argmax", x, dim, options);
}

/** The int64 index of the smallest element along `dim` (or of the flattened tensor); nan counts as the smallest. */
export function argmin(x: Tensor, dim?: number | null, options: KeepdimOptions = {}): Tensor {
  return argExtremumCall("argmin", x, dim, options);
}

/**
 * Sums `g` down to `shape`, undoing broadcasting: leading dims are summed away and dims
 * where `shape` has 1 are summed with keepdim. Returns `g` when the shapes agree.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const summed = dims.length > 0 ? sum(g, dims, { keepdim: true }) : g;
  return summed.reshape(shape);
}
