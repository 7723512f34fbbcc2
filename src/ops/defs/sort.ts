/**
 * Sorting primitives, each ONNX TopK: `sort` (the whole dim) and `topk` (the first k),
 * both giving `[values, indices]` with int64 indices. Sorting is stable and total: ties
 * keep index order, nan counts as larger than every number. `argsort` is a composite
 * (composite/reduction.ts).
 *
 * The vjp sends each output gradient back to the element it came from (see Note:
 * gradients through indices, in defs/reduce.ts).
 */
import { DTypeError, ValueError } from "../../core/errors.ts";
import { normalizeDim, type Shape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply } from "../apply.ts";
import { defineOp, type TensorMeta } from "../define-op.ts";

export interface SortAttrs {
  readonly dim: number;
  readonly descending: boolean;
}

export interface TopkAttrs {
  readonly k: number;
  readonly dim: number;
  readonly largest: boolean;
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

/** The vjp of sort and topk: each gradient scatter-added at its index into zeros. */
const selectedBackward = ([g]: readonly Tensor[], ctx: { outputs: readonly Tensor[]; metas: readonly TensorMeta[]; attrs: { dim: number } }) => [
  g!.newZeros(ctx.metas[0]!.shape).scatterAdd(ctx.attrs.dim, ctx.outputs[1]!, g!),
];

export const sortOps = {
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
  const [values, indices] = apply(sortOps.sort, [x], { dim, descending: options.descending ?? false });
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
  const [values, indices] = apply(sortOps.topk, [x], { k, dim, largest: options.largest ?? true });
  return [values!, indices!];
}
