/**
 * Reduction primitives, each one ONNX operator: sum, prod, amax/amin, argmax/argmin over
 * dims with keepdim; the scans cumsum/cumprod; softmax/logSoftmax along a dim; sort and
 * topk (values and indices). `sumTo`, which every broadcasting vjp uses (see Note:
 * broadcasting in vjp, in binary.ts), lives here with `sum`. Reductions written with these
 * (mean, var, std, logsumexp, norm, all, any, max/min with indices) are in
 * composite/reduction.ts.
 *
 * Dtypes follow PyTorch: sum/prod/cumsum/cumprod give int64 for integer and bool inputs;
 * amax/amin/sort/topk keep the dtype; argmax/argmin and indices are int64; softmax and
 * logSoftmax need a floating input.
 *
 * Note: gradients through indices. The ops that select elements (sort, topk, and max/min
 * with a dim, which are argmax + `gather`) send each output gradient to the one input
 * element that was selected, as PyTorch's `value_selecting_reduction_backward`:
 * `scatterAdd` into zeros. gather and scatterAdd are the indexing family's (see Note: index
 * pairs, in defs/indexing.ts): each is the other's vjp, so gradients of any order work.
 */
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { isFloating, type DType } from "../../core/dtype.ts";
import { normalizeDim, normalizeDims, shapesEqual, type Shape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply, apply1 } from "../apply.ts";
import { arange, onesLike } from "../creation.ts";
import { isGradEnabled } from "../../autograd/grad-mode.ts";
import { defineOp, single, type TensorMeta } from "../define-op.ts";

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

/** cumsum/cumprod; `reverse` scans from the end (ONNX CumSum's attribute; the vjp needs it). */
export interface ScanAttrs {
  readonly dim: number;
  readonly reverse: boolean;
  readonly dtype?: DType;
}

export interface SoftmaxAttrs {
  readonly dim: number;
}

export interface SortAttrs {
  readonly dim: number;
  readonly descending: boolean;
}

export interface TopkAttrs {
  readonly k: number;
  readonly dim: number;
  readonly largest: boolean;
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

/** PyTorch's sum, prod, cumsum and cumprod promote bool and integer inputs to int64. */
function accumulateDType(d: DType, requested?: DType): DType {
  return requested ?? (isFloating(d) ? d : "int64");
}

/** max/min/argmax... have no identity element: a reduced dim of size 0 is an error. */
function checkNonEmpty(name: string, x: TensorMeta, dims: readonly number[]): void {
  for (const d of dims)
    if (x.shape[d] === 0) throw new ShapeError(`${name}(): Expected reduction dim ${d} to have non-zero size`);
}

function checkFloating(name: string, d: DType): void {
  if (!isFloating(d)) throw new DTypeError(`${name}: expected a floating point input, got ${d}`);
}

/** The size of `dim` as line kernels see it: a 0-d tensor is one line of one element. */
function lineSize(shape: Shape, dim: number): number {
  return shape.length === 0 ? 1 : shape[dim]!;
}

function withDimSize(shape: Shape, dim: number, size: number): number[] {
  const out = [...shape];
  if (out.length > 0) out[dim] = size;
  return out;
}

/** The permutation that undoes `order`. */
function inversePermutation(order: readonly number[]): number[] {
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return inverse;
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

/** cumprod of `x` shifted by one along `dim` with 1 coming in: element i is the product of the elements before i. */
function exclusiveCumprod(x: Tensor, dim: number, reverse: boolean): Tensor {
  const n = x.shape[dim]!;
  const ones = onesLike(x);
  if (n <= 1) return ones;
  const shifted = reverse
    ? ones.sliceScatter(x.slice(dim, 1, n), { dim, start: 0, end: n - 1, step: 1 })
    : ones.sliceScatter(x.slice(dim, 0, n - 1), { dim, start: 1, end: n, step: 1 });
  return scan("cumprod", shifted, dim, reverse);
}

function scan(op: "cumsum" | "cumprod", x: Tensor, dim: number, reverse: boolean): Tensor {
  return apply1(reduceOps[op], [x], { dim, reverse });
}

const hasZero = (x: Tensor): boolean => x.size > 0 && x.eq(0).sum().item() !== 0n;

/**
 * The cumprod vjp. Without zeros: reversed cumsum of g·out, divided by x. With zeros
 * (PyTorch's cumprod_backward): elements before the first zero of their line use that
 * formula; the first zero gets (product before it) · Σ_{j≥z} g_j · Π_{z<k≤j} x_k; elements
 * after it get 0, since every product through them contains that zero.
 */
function cumprodBackward(g: Tensor, x: Tensor, out: Tensor, dim: number, reverse: boolean): Tensor {
  if (!hasZero(x)) return scan("cumsum", g.mul(out), dim, !reverse).div(x);
  if (isGradEnabled()) return cumprodBackwardByPairs(g, x, dim, reverse);
  const isZero = x.eq(0);
  const zerosSoFar = scan("cumsum", isZero, dim, reverse);
  const before = zerosSoFar.eq(0);
  const first = isZero.logicalAnd(zerosSoFar.eq(1));
  const fromFirst = zerosSoFar.ge(1);
  const beforeTerm = scan("cumsum", g.mul(out), dim, !reverse).div(x.where(before, 1)).where(before, 0);
  const afterFirst = scan("cumprod", x.where(fromFirst.logicalAnd(first.logicalNot()), 1), dim, reverse);
  const tail = sum(g.mul(afterFirst).where(fromFirst, 0), dim, { keepdim: true });
  const head = apply1(reduceOps.prod, [x.where(before, 1)], { dims: [dim], keepdim: true });
  return beforeTerm.add(head.mul(tail).where(first, 0));
}

/**
 * The cumprod vjp written so that it is itself differentiable where x has zeros (used when
 * the backward is being recorded, as PyTorch's cumprod_backward under GradMode): for each
 * line, grad_i = (Π of the elements before i) · Σ_{j≥i} g_j · Π_{i<k≤j} x_k, with the
 * inner products taken by a cumprod over an n × n (i, k) grid. O(n²) per line.
 */
function cumprodBackwardByPairs(g: Tensor, x: Tensor, dim: number, reverse: boolean): Tensor {
  if (x.ndim === 0 || x.size === 0) return g;
  const n = x.shape[dim]!;
  const order = [...x.shape.map((_, d) => d).filter((d) => d !== dim), dim];
  const lines = x.permute(order);
  const last = lines.ndim - 1;
  const i = arange(n).reshape([n, 1]);
  const k = arange(n).reshape([1, n]);
  // k comes strictly after i in scan order; j comes at or after i.
  const after = reverse ? k.lt(i) : k.gt(i);
  const atOrAfter = reverse ? k.le(i) : k.ge(i);
  const grid = lines.unsqueeze(-2).expand([...lines.shape.slice(0, -1), n, n]); // grid[…, i, k] = x_k
  const between = scan("cumprod", grid.where(after, 1), last + 1, reverse);
  const tail = sum(between.mul(g.permute(order).unsqueeze(-2)).where(atOrAfter, 0), -1);
  return exclusiveCumprod(lines, last, reverse).mul(tail).permute(inversePermutation(order));
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

function softmaxLike(name: "softmax" | "logSoftmax", onnx: "Softmax" | "LogSoftmax") {
  return defineOp<SoftmaxAttrs>({
    name,
    inputs: ["x"],
    infer: ([x]) => {
      checkFloating(name, x!.dtype);
      return single(x!.shape, x!.dtype);
    },
    vjp: ([g], { outputs, attrs: { dim } }) => {
      const y = outputs[0]!;
      // softmax: y·(g − Σ g·y); logSoftmax: g − exp(y)·Σ g (PyTorch's _softmax_backward_data).
      if (name === "softmax") return [y.mul(g!.sub(sum(g!.mul(y), dim, { keepdim: true })))];
      return [g!.sub(y.exp().mul(sum(g!, dim, { keepdim: true })))];
    },
    onnx: { type: onnx, sinceOpset: 13 },
  });
}

/** The vjp of sort and topk (see Note: gradients through indices). */
const selectedBackward = ([g]: readonly Tensor[], ctx: { outputs: readonly Tensor[]; metas: readonly TensorMeta[]; attrs: { dim: number } }) => [
  g!.newZeros(ctx.metas[0]!.shape).scatterAdd(ctx.attrs.dim, ctx.outputs[1]!, g!),
];

export const reduceOps = {
  sum: defineOp<ReduceDTypeAttrs>({
    name: "sum",
    inputs: ["x"],
    infer: ([x], attrs) => {
      const dtype = accumulateDType(x!.dtype, attrs.dtype);
      return single(reducedShape(x!.shape, attrs.dims, attrs.keepdim), dtype, [dtype]);
    },
    vjp: ([g], { metas, attrs }) => [expandReduced(g!, metas[0]!, attrs)],
    onnx: { type: "ReduceSum", sinceOpset: 13 },
  }),
  prod: defineOp<ReduceDTypeAttrs>({
    name: "prod",
    inputs: ["x"],
    infer: ([x], attrs) => {
      const dtype = accumulateDType(x!.dtype, attrs.dtype);
      return single(reducedShape(x!.shape, attrs.dims, attrs.keepdim), dtype, [dtype]);
    },
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
  cumsum: defineOp<ScanAttrs>({
    name: "cumsum",
    inputs: ["x"],
    infer: ([x], attrs) => {
      const dtype = accumulateDType(x!.dtype, attrs.dtype);
      return single(x!.shape, dtype, [dtype]);
    },
    // Each input element feeds every later output: the gradient is the cumsum of g run the other way.
    vjp: ([g], { attrs }) => [scan("cumsum", g!, attrs.dim, !attrs.reverse)],
    onnx: { type: "CumSum", sinceOpset: 11 },
  }),
  cumprod: defineOp<ScanAttrs>({
    name: "cumprod",
    inputs: ["x"],
    infer: ([x], attrs) => {
      const dtype = accumulateDType(x!.dtype, attrs.dtype);
      return single(x!.shape, dtype, [dtype]);
    },
    vjp: ([g], { inputs, outputs, attrs }) => [cumprodBackward(g!, inputs[0]!, outputs[0]!, attrs.dim, attrs.reverse)],
    // ONNX has no CumProd: a Loop along the axis carrying the running product.
    onnx: { type: "Loop", sinceOpset: 11, pattern: "Loop over the axis multiplying a running product (no ONNX CumProd)" },
  }),
  softmax: softmaxLike("softmax", "Softmax"),
  logSoftmax: softmaxLike("logSoftmax", "LogSoftmax"),
  sort: defineOp<SortAttrs>({
    name: "sort",
    inputs: ["x"],
    infer: ([x]) => ({ outputs: [{ shape: x!.shape, dtype: x!.dtype }, { shape: x!.shape, dtype: "int64" }] }),
    vjp: selectedBackward,
    onnx: { type: "TopK", sinceOpset: 11, pattern: "TopK with K = size of the axis, largest = descending" },
  }),
  topk: defineOp<TopkAttrs>({
    name: "topk",
    inputs: ["x"],
    infer: ([x], { k, dim }) => {
      if (x!.dtype === "bool") throw new DTypeError("topk is not implemented for bool tensors");
      const n = lineSize(x!.shape, dim);
      if (!Number.isInteger(k) || k < 0 || k > n) throw new ValueError(`topk: selected index k=${k} out of range for a dim of size ${n}`);
      const shape = withDimSize(x!.shape, dim, k);
      return { outputs: [{ shape, dtype: x!.dtype }, { shape, dtype: "int64" }] };
    },
    vjp: selectedBackward,
    onnx: { type: "TopK", sinceOpset: 11 },
  }),
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

export interface ScanOptions {
  /** Convert the input to this dtype first (integers otherwise scan in int64). */
  dtype?: DType;
}

/** Running sums along `dim`: out[i] = x[0] + … + x[i]. `cumsum(tensor([1, 2, 3]), 0)` is `[1, 3, 6]`. */
export function cumsum(x: Tensor, dim: number, options: ScanOptions = {}): Tensor {
  return apply1(reduceOps.cumsum, [x], { dim: normalizeDim(dim, x.ndim), reverse: false, ...(options.dtype ? { dtype: options.dtype } : {}) });
}

/** Running products along `dim`: out[i] = x[0] · … · x[i]. */
export function cumprod(x: Tensor, dim: number, options: ScanOptions = {}): Tensor {
  return apply1(reduceOps.cumprod, [x], { dim: normalizeDim(dim, x.ndim), reverse: false, ...(options.dtype ? { dtype: options.dtype } : {}) });
}

export interface SoftmaxOptions {
  /** Convert the input to this dtype first. */
  dtype?: DType;
}

/**
 * exp(x − max) / Σ exp(x − max) along `dim` (the max shift keeps exp from overflowing).
 * `softmax(logits, -1)`.
 */
export function softmax(x: Tensor, dim: number, options: SoftmaxOptions = {}): Tensor {
  const input = options.dtype ? x.to(options.dtype) : x;
  return apply1(reduceOps.softmax, [input], { dim: normalizeDim(dim, x.ndim) });
}

/** log(softmax(x)) computed stably as (x − max) − log Σ exp(x − max). */
export function logSoftmax(x: Tensor, dim: number, options: SoftmaxOptions = {}): Tensor {
  const input = options.dtype ? x.to(options.dtype) : x;
  return apply1(reduceOps.logSoftmax, [input], { dim: normalizeDim(dim, x.ndim) });
}

export interface SortOptions {
  /** Default -1 (the last dim). */
  dim?: number;
  descending?: boolean;
  /** Accepted for PyTorch compatibility: sorting is always stable. */
  stable?: boolean;
}

/**
 * Sorts along `dim`, returning `[values, indices]`. Stable: equal elements keep their
 * order. nan sorts as larger than every number (last ascending, first descending).
 */
export function sort(x: Tensor, options: SortOptions = {}): [Tensor, Tensor] {
  const dim = normalizeDim(options.dim ?? -1, x.ndim);
  const [values, indices] = apply(reduceOps.sort, [x], { dim, descending: options.descending ?? false });
  return [values!, indices!];
}

export interface TopkOptions {
  /** Default -1 (the last dim). */
  dim?: number;
  /** The k largest (default) or the k smallest. */
  largest?: boolean;
  /** Accepted for PyTorch compatibility: results always come sorted. */
  sorted?: boolean;
}

/**
 * The `k` largest (or smallest) elements along `dim` and their indices, sorted, as
 * `[values, indices]`. Ties go to the lower index first (as ONNX TopK); nan counts as the
 * largest. `topk(scores, 5)`.
 */
export function topk(x: Tensor, k: number, options: TopkOptions = {}): [Tensor, Tensor] {
  const dim = normalizeDim(options.dim ?? -1, x.ndim);
  const [values, indices] = apply(reduceOps.topk, [x], { k, dim, largest: options.largest ?? true });
  return [values!, indices!];
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
