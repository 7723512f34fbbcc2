/**
 * Indexing ops written with the indexing primitives (defs/indexing.ts) and others:
 * `scatterAdd` (scatterReduce "sum"), `maskedFill` (where), `maskedSelect` (nonzero +
 * indexSelect), `take` (indexSelect on the flattened tensor) and `oneHot` (eq against
 * arange). Also the `indexingMethods` table of the family, with the `x.index(...)` API of
 * src/ops/indexing-api.ts.
 */
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { broadcastShapes } from "../../core/shape.ts";
import type { Scalar, Tensor } from "../../core/tensor.ts";
import { arange, full } from "../creation.ts";
import { index, indexPut_, setIndex } from "../indexing-api.ts";
import { expand, reshape } from "../views.ts";
import { where } from "../defs/binary.ts";
import { indexPut } from "../defs/advanced-index.ts";
import { gather, indexAdd, indexSelect, nonzero, scatter, scatterReduce } from "../defs/indexing.ts";

/** x with src's values added at `index` along `dim` (`torch.scatter_add`); duplicates accumulate. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterReduce(x, dim, index, src, "sum");
}

/**
 * x where `mask` is false, `value` where it is true (`torch.masked_fill`); mask (bool)
 * and x broadcast together; value is a scalar or a 0-d tensor (differentiable).
 *
 * ```ts
 * maskedFill(tensor([1, 2, 3]), tensor([true, false, true]), 0); // [0, 2, 0]
 * ```
 */
export function maskedFill(x: Tensor, mask: Tensor, value: Tensor | Scalar): Tensor {
  if (mask.dtype !== "bool" && mask.dtype !== "uint8")
    throw new DTypeError(`masked_fill only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  if (typeof value === "object" && value.ndim !== 0)
    throw new ShapeError(`masked_fill only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s)`);
  const v = typeof value === "object" ? value.to(x.dtype) : full([], value, { dtype: x.dtype });
  return where(mask.dtype === "bool" ? mask : mask.to("bool"), v, x);
}

/**
 * The elements of x where `mask` is true, as a 1-d tensor (`torch.masked_select`); x and
 * mask broadcast together.
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  if (mask.dtype !== "bool" && mask.dtype !== "uint8")
    throw new DTypeError(`masked_select: expected bool mask, got ${mask.dtype}`);
  const shape = broadcastShapes(x.shape, mask.shape);
  const flatMask = reshape(expand(mask, shape), [-1]);
  return reshape(expand(x, shape), [-1]).indexSelect(0, reshape(nonzero(flatMask), [-1]));
}

/**
 * The elements of x at flat positions `index` (int64, negative counts from the end), in
 * index's shape (`torch.take`).
 */
export function take(x: Tensor, index: Tensor): Tensor {
  if (index.dtype !== "int64") throw new DTypeError(`take(): expected a long tensor for index, but got ${index.dtype}`);
  const n = x.size;
  const flat = reshape(index, [-1]);
  const wrapped = flat.add(flat.lt(0).mul(n));
  return reshape(x, [-1]).indexSelect(0, wrapped).reshape(index.shape);
}

/**
 * One-hot encoding of int64 class indices (`torch.nn.functional.one_hot`): a new last dim of
 * `numClasses` (-1: max + 1) with a 1 at each index; int64.
 *
 * ```ts
 * oneHot(tensor([0, 2])); // [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export function oneHot(x: Tensor, numClasses = -1): Tensor {
  if (x.dtype !== "int64") throw new DTypeError(`one_hot is only applicable to index tensor (int64), got ${x.dtype}`);
  const values = x.values() as bigint[];
  if (numClasses === -1) {
    if (values.length === 0) throw new ValueError("one_hot: can not infer total number of classes from empty tensor");
    numClasses = Number(values.reduce((a, b) => (b > a ? b : a))) + 1;
  }
  if (!Number.isInteger(numClasses) || numClasses < -1) throw new ValueError(`one_hot: num_classes must be a non-negative integer or -1, got ${numClasses}`);
  for (const v of values) {
    if (v < 0n) throw new ValueError("one_hot: class values must be non-negative");
    if (v >= BigInt(numClasses)) throw new ValueError("one_hot: class values must be smaller than num_classes");
  }
  return x.unsqueeze(-1).eq(arange(numClasses)).to("int64");
}

/** Indexing functions that are also Tensor methods (`x.gather(1, idx)`, `x.index(0, sl(1))`, ...). */
export const indexingMethods = {
  gather,
  scatter,
  scatterAdd,
  scatterReduce,
  indexSelect,
  indexAdd,
  indexPut,
  maskedFill,
  maskedSelect,
  take,
  /** `x.nonzero()`: the [n, ndim] coordinates; for the tuple form call `nonzero(x, { asTuple: true })`. */
  nonzero: (x: Tensor): Tensor => nonzero(x),
  index,
  setIndex,
  indexPut_,
  // The in-place twins (maskedFill_, scatter_, ...) come from inplaceNames in method-table.ts.
};
