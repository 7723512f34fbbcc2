/**
 * Indexing primitives: gather/scatter along one dim (GatherElements / ScatterElements),
 * whole slices by a vector of indices (`indexSelect` / `indexAdd`) and `nonzero`. PyTorch's
 * advanced indexing over leading dims (`advancedIndex` / `indexPut`, GatherND / ScatterND)
 * is in advanced-index.ts. The composites `scatterAdd`, `maskedFill` (Where), `maskedSelect`, `take` and
 * `oneHot` are in composite/indexing.ts; the `x.index(...)` API that reads like Python's
 * `x[1:, idx]` is in src/ops/indexing-api.ts.
 *
 * Note: index pairs. Each gathering op's vjp is its scattering twin and back — gather ↔
 * scatterAdd, indexSelect ↔ indexAdd, advancedIndex ↔ indexPut(accumulate) — so gradients
 * of every order are written with ops. The reductions that select elements (sort, topk,
 * max/min with a dim) take their gradients through gather/scatterAdd too.
 *
 * Note: index checks. Kernels check every index before using it and throw a ValueError
 * naming the index, the dim and its size; no kernel reads or writes out of bounds. As in
 * PyTorch, gather/scatter/indexSelect/indexAdd refuse negative indices, while advanced
 * indexing (`advancedIndex`, `indexPut`, `x.index`) and `take` count them from the end.
 */
import type { DType } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape, normalizeDim, numel, shapesEqual, type Shape } from "../../core/shape.ts";
import type { Scalar, Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { full } from "../creation.ts";
import { defineOp, single, type TensorMeta, type VjpContext } from "../define-op.ts";
import { expand, narrow, reshape } from "../views.ts";
import { where } from "./binary.ts";
import { pad } from "./shape.ts";

export type ScatterReduction = "sum" | "prod" | "mean" | "amax" | "amin";

export interface DimAttrs {
  readonly dim: number;
}
export interface ScatterReduceAttrs {
  readonly dim: number;
  readonly reduce: ScatterReduction;
  readonly includeSelf: boolean;
}

/** PyTorch treats a 0-d tensor as 1-d of size 1 in gather/scatter (`ensure_nonempty_dim`). */
const sizeAt = (shape: Shape, d: number): number => (shape.length === 0 ? 1 : shape[d]!);
const rankOf = (shape: Shape): number => Math.max(shape.length, 1);

function checkIndexDType(op: string, index: TensorMeta, allowed: readonly DType[]): void {
  if (!allowed.includes(index.dtype))
    throw new DTypeError(`${op}(): expected dtype ${allowed.join(" or ")} for index, got ${index.dtype}`);
}

/** PyTorch's gather_shape_check / scatter_shape_check. */
function checkGatherScatter(op: string, x: TensorMeta, index: TensorMeta, dim: number, src?: TensorMeta): void {
  checkIndexDType(op, index, ["int64"]);
  if (rankOf(index.shape) !== rankOf(x.shape))
    throw new ShapeError(`${op}(): index tensor must have the same number of dimensions as input tensor (${index.shape.length} vs ${x.shape.length})`);
  if (src && rankOf(src.shape) !== rankOf(x.shape))
    throw new ShapeError(`${op}(): src tensor must have the same number of dimensions as input tensor (${src.shape.length} vs ${x.shape.length})`);
  if (src && src.dtype !== x.dtype) throw new DTypeError(`${op}(): expected self.dtype to be equal to src.dtype (${x.dtype} vs ${src.dtype})`);
  for (let d = 0; d < rankOf(x.shape); d++) {
    const i = sizeAt(index.shape, d);
    if (d !== dim && i > sizeAt(x.shape, d))
      throw new ShapeError(`${op}(): size does not match at dimension ${d}: expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(x.shape)} apart from dimension ${dim}`);
    if (src && i > sizeAt(src.shape, d))
      throw new ShapeError(`${op}(): expected index ${formatShape(index.shape)} to be smaller than src ${formatShape(src.shape)} at dimension ${d}`);
  }
}

/** `src` cut down to the part scatter reads (its leading `index.shape` block). */
function usedPart(src: Tensor, shape: Shape): Tensor {
  let out = src;
  shape.forEach((n, d) => {
    if (out.shape[d] !== n) out = narrow(out, d, 0, n);
  });
  return out;
}

/** A gradient for the used part of `src`, zero-padded back to src's shape. */
function padToShape(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const padding: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) padding.push(0, shape[d]! - g.shape[d]!);
  return pad(g, padding);
}

/** PyTorch's scatter_reduce_backward, written with ops. */
function scatterReduceVjp(g: Tensor, ctx: VjpContext<ScatterReduceAttrs>): (Tensor | null)[] {
  const { dim, reduce, includeSelf } = ctx.attrs;
  const index = ctx.inputs[1]!;
  const srcShape = ctx.metas[2]!.shape;
  let gx: Tensor;
  let gsrc: Tensor;
  switch (reduce) {
    case "sum":
      gx = g;
      gsrc = g.gather(dim, index);
      break;
    case "mean": {
      // N counts the values averaged into each position (self included or not).
      const start = includeSelf ? g.newOnes(g.shape) : g.newZeros(g.shape);
      let n = start.scatterAdd(dim, index, g.newOnes(index.shape));
      n = n.maskedFill(n.eq(0), 1);
      gx = g.div(n);
      gsrc = g.gather(dim, index).div(n.gather(dim, index));
      break;
    }
    case "prod": {
      // The exclusive product, computed without dividing by zero: zeros of self are masked
      // to 1 and the product recomputed; a src value that is the only zero scattered to its
      // position gets the product of the others.
      const self = ctx.inputs[0]!;
      const src = usedPart(ctx.inputs[2]!, index.shape);
      const result = ctx.outputs[0]!;
      const maskedSelf = self.maskedFill(self.eq(0), 1);
      gx = g.mul(maskedSelf.scatterReduce(dim, index, src, "prod", { includeSelf })).div(maskedSelf);
      const srcZero = src.eq(0);
      const zerosAtTarget = self.newZeros(self.shape).scatterAdd(dim, index, srcZero.to(self.dtype)).gather(dim, index);
      const singleZero = srcZero.logicalAnd(zerosAtTarget.eq(1));
      const othersProduct = self.scatterReduce(dim, index, src.maskedFill(singleZero, 1), "prod", { includeSelf });
      gsrc = where(singleZero, g.mul(othersProduct).gather(dim, index), g.mul(result).gather(dim, index).div(src.maskedFill(srcZero, 1)));
      break;
    }
    case "amax":
    case "amin": {
      // The gradient is shared evenly between every value equal to the result.
      const self = ctx.inputs[0]!;
      const src = usedPart(ctx.inputs[2]!, index.shape);
      const result = ctx.outputs[0]!;
      const selfIsResult = self.eq(result).to(g.dtype);
      const srcIsResult = src.eq(result.gather(dim, index)).to(g.dtype);
      const share = g.div(selfIsResult.scatterAdd(dim, index, srcIsResult));
      gx = selfIsResult.mul(share);
      gsrc = srcIsResult.mul(share.gather(dim, index));
      break;
    }
  }
  if (!includeSelf) gx = gx.scatter(dim, index, 0);
  return [ctx.needsGrad[0] ? gx : null, null, ctx.needsGrad[2] ? padToShape(gsrc, srcShape) : null];
}

export const indexingOps = {
  /** out[i][j] = x[index[i][j]][j] along `dim` (`torch.gather`). */
  gather: defineOp<DimAttrs>({
    name: "gather",
    inputs: ["x", "index"],
    infer: ([x, index], { dim }) => {
      checkGatherScatter("gather", x!, index!, dim);
      return single(index!.shape, x!.dtype);
    },
    vjp: ([g], { metas, inputs, attrs }) => [g!.newZeros(metas[0]!.shape).scatterAdd(attrs.dim, inputs[1]!, g!), null],
    onnx: { type: "GatherElements", sinceOpset: 11 },
  }),
  /** x with x[index[i][j]][j] = src[i][j] along `dim` (`torch.scatter`); later writes win. */
  scatter: defineOp<DimAttrs>({
    name: "scatter",
    inputs: ["x", "index", "src"],
    infer: ([x, index, src], { dim }) => {
      checkGatherScatter("scatter", x!, index!, dim, src!);
      return single(x!.shape, x!.dtype);
    },
    vjp: ([g], { metas, inputs, attrs, needsGrad }) => {
      const index = inputs[1]!;
      return [
        needsGrad[0] ? g!.scatter(attrs.dim, index, 0) : null,
        null,
        needsGrad[2] ? padToShape(g!.gather(attrs.dim, index), metas[2]!.shape) : null,
      ];
    },
    onnx: { type: "ScatterElements", sinceOpset: 11 },
  }),
  /** Scatter that combines colliding values: sum, prod, mean, amax or amin (`torch.scatter_reduce`). */
  scatterReduce: defineOp<ScatterReduceAttrs>({
    name: "scatterReduce",
    inputs: ["x", "index", "src"],
    infer: ([x, index, src], { dim, reduce }) => {
      checkGatherScatter("scatter_reduce", x!, index!, dim, src!);
      if (reduce === "mean" && x!.dtype === "bool") throw new DTypeError("scatter_reduce: reduce 'mean' is not implemented for bool");
      return single(x!.shape, x!.dtype);
    },
    vjp: ([g], ctx) => scatterReduceVjp(g!, ctx),
    onnx: { type: "ScatterElements", sinceOpset: 18, pattern: "ScatterElements reduction=add/mul (opset 16) or max/min (opset 18); mean: add, then Div by the counts" },
  }),
  /** The slices of x at `index` along `dim` (`torch.index_select`). */
  indexSelect: defineOp<DimAttrs>({
    name: "indexSelect",
    inputs: ["x", "index"],
    infer: ([x, index], { dim }) => {
      checkIndexDType("index_select", index!, ["int64", "int32"]);
      if (index!.shape.length > 1) throw new ShapeError("index_select(): index is supposed to be a vector");
      if (x!.shape.length === 0) return single([], x!.dtype);
      const shape = [...x!.shape];
      shape[dim] = numel(index!.shape);
      return single(shape, x!.dtype);
    },
    vjp: ([g], { metas, inputs, attrs }) => [g!.newZeros(metas[0]!.shape).indexAdd(attrs.dim, inputs[1]!, g!), null],
    onnx: { type: "Gather", sinceOpset: 11 },
  }),
  /** x with source's slices added at `index` along `dim` (`torch.index_add`). */
  indexAdd: defineOp<DimAttrs>({
    name: "indexAdd",
    inputs: ["x", "index", "source"],
    infer: ([x, index, source], { dim }) => {
      checkIndexDType("index_add", index!, ["int64", "int32"]);
      if (index!.shape.length > 1) throw new ShapeError("index_add(): index is supposed to be a vector");
      if (source!.dtype !== x!.dtype)
        throw new DTypeError(`index_add(): self (${x!.dtype}) and source (${source!.dtype}) must have the same scalar type`);
      const expected = x!.shape.length === 0 ? [] : x!.shape.map((n, d) => (d === dim ? numel(index!.shape) : n));
      const sourceShape = source!.shape.length === 0 && expected.length === 1 ? [1] : source!.shape;
      if (x!.shape.length === 0 ? numel(source!.shape) !== 1 || numel(index!.shape) !== 1 : !shapesEqual(sourceShape, expected))
        throw new ShapeError(`index_add(): source of shape ${formatShape(source!.shape)} does not match self ${formatShape(x!.shape)} with ${numel(index!.shape)} indices along dim ${dim}`);
      return single(x!.shape, x!.dtype);
    },
    vjp: ([g], { metas, inputs, attrs, needsGrad }) => [
      needsGrad[0] ? g! : null,
      null,
      needsGrad[2] ? g!.indexSelect(attrs.dim, inputs[1]!).reshape(metas[2]!.shape) : null,
    ],
    onnx: { type: "ScatterND", sinceOpset: 16, pattern: "ScatterND reduction=add at the selected slices" },
  }),
  /** The coordinates of the nonzero elements, one row each ([n, ndim], int64). */
  nonzero: defineOp({
    name: "nonzero",
    inputs: ["x"],
    // The row count depends on the data: -1 here, resolved from the kernel's output length.
    infer: ([x]) => single([-1, x!.shape.length], "int64"),
    onnx: { type: "NonZero", sinceOpset: 9, pattern: "NonZero then Transpose" },
  }),
};

// ---------------------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------------------

/** A scalar value as a 0-d tensor of `dtype` (the scalar form of scatter). */
function scalarOf(value: Scalar, dtype: DType): Tensor {
  return full([], value, { dtype });
}

/**
 * Values along `dim` picked by `index` (int64, same rank as x): `out[i][j] = x[index[i][j]][j]`
 * for dim 0 (`torch.gather`). The output has index's shape.
 *
 * ```ts
 * gather(tensor([[1, 2], [3, 4]]), 1, tensor([[0, 0], [1, 0]])); // [[1, 1], [4, 3]]
 * ```
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  return apply1(indexingOps.gather, [x, index], { dim: normalizeDim(dim, rankOf(x.shape)) });
}

export interface ScatterOptions {
  /** Combine with the existing value instead of replacing it (PyTorch's `reduce=`). */
  reduce?: "add" | "multiply";
}

/**
 * x with `x[index[i][j]][j] = src[i][j]` for dim 0 (`torch.scatter`); `src` may be a tensor
 * (same dtype, at least index's size) or a scalar. With duplicate indices the last write
 * wins. `{ reduce: "add" | "multiply" }` combines instead (as scatterReduce with includeSelf).
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, options: ScatterOptions = {}): Tensor {
  const d = normalizeDim(dim, rankOf(x.shape));
  const source = typeof src === "object" ? src : expand(scalarOf(src, x.dtype), index.shape);
  if (options.reduce !== undefined) {
    if (options.reduce !== "add" && options.reduce !== "multiply")
      throw new ValueError(`scatter: reduce argument must be either add or multiply, got ${String(options.reduce)}`);
    return scatterReduce(x, d, index, source, options.reduce === "add" ? "sum" : "prod");
  }
  return apply1(indexingOps.scatter, [x, index, source], { dim: d });
}

/**
 * Scatter that reduces every value sent to a position (`torch.scatter_reduce`): "sum",
 * "prod", "mean" (integers floor-divide), "amax" or "amin". With `includeSelf: false` the
 * positions that receive values forget their old value.
 *
 * ```ts
 * scatterReduce(zeros([2]), 0, tensor([0, 0, 1]), tensor([1, 5, 2], { dtype: "float32" }), "amax"); // [5, 2]
 * ```
 */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduction, options: { includeSelf?: boolean } = {}): Tensor {
  if (!["sum", "prod", "mean", "amax", "amin"].includes(reduce))
    throw new ValueError(`scatter_reduce: reduce argument must be one of sum, prod, mean, amax, amin, got ${String(reduce)}`);
  return apply1(indexingOps.scatterReduce, [x, index, src], { dim: normalizeDim(dim, rankOf(x.shape)), reduce, includeSelf: options.includeSelf ?? true });
}

/**
 * The slices of x at positions `index` (a vector of int32/int64) along `dim`
 * (`torch.index_select`).
 *
 * ```ts
 * indexSelect(tensor([[1, 2], [3, 4]]), 0, tensor([1, 1])); // [[3, 4], [3, 4]]
 * ```
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  return apply1(indexingOps.indexSelect, [x, index], { dim: normalizeDim(dim, rankOf(x.shape)) });
}

/**
 * x with `alpha · source` added to its slices at `index` along `dim` (`torch.index_add`);
 * repeated indices accumulate.
 */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, options: { alpha?: number } = {}): Tensor {
  const alpha = options.alpha ?? 1;
  const scaled = alpha === 1 ? source : source.mul(alpha);
  return apply1(indexingOps.indexAdd, [x, index, scaled], { dim: normalizeDim(dim, rankOf(x.shape)) });
}

export interface NonzeroOptions {
  /** Return one 1-d tensor of coordinates per dim instead of an [n, ndim] matrix. */
  asTuple?: boolean;
}

/**
 * The coordinates of the nonzero elements (`torch.nonzero`): an int64 [n, ndim] tensor in
 * row-major order, or with `{ asTuple: true }` one tensor per dim (a 0-d input counts as 1-d).
 */
export function nonzero(x: Tensor): Tensor;
export function nonzero(x: Tensor, options: NonzeroOptions & { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, options?: NonzeroOptions): Tensor | Tensor[];
export function nonzero(x: Tensor, options: NonzeroOptions = {}): Tensor | Tensor[] {
  if (options.asTuple) {
    const coords = nonzero(x.ndim === 0 ? reshape(x, [1]) : x);
    return Array.from({ length: coords.shape[1]! }, (_, d) => coords.select(1, d));
  }
  if (x.ndim === 0) return narrow(apply1(indexingOps.nonzero, [reshape(x, [1])], {}), 1, 0, 0);
  return apply1(indexingOps.nonzero, [x], {});
}
