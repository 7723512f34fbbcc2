/**
 * Reductions over dims, with keepdim. `sum` lives here with `sumTo`, which every
 * broadcasting vjp uses (see Note: broadcasting in vjp, in binary.ts).
 */
import { isFloating, type DType } from "../../core/dtype.ts";
import { normalizeDims, shapesEqual, type Shape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { defineOp, single, type TensorMeta } from "../define-op.ts";

/** Attributes shared by reductions: dims already normalized and sorted. */
export interface ReduceAttrs {
  readonly dims: readonly number[];
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

/** PyTorch's sum promotes bool and integer inputs to int64. */
function sumDType(d: DType, requested?: DType): DType {
  return requested ?? (isFloating(d) ? d : "int64");
}

export const reduceOps = {
  sum: defineOp<ReduceAttrs & { dtype?: DType }>({
    name: "sum",
    inputs: ["x"],
    infer: ([x], attrs) => {
      const dtype = sumDType(x!.dtype, attrs.dtype);
      return single(reducedShape(x!.shape, attrs.dims, attrs.keepdim), dtype, [dtype]);
    },
    vjp: ([g], { metas, attrs }) => [expandReduced(g!, metas[0]!, attrs)],
    onnx: { type: "ReduceSum", sinceOpset: 13 },
  }),
};

export interface SumOptions {
  keepdim?: boolean;
  dtype?: DType;
}

/**
 * Sum over `dim` (one dim, several, or all when omitted).
 * `sum(x)` is a 0-d tensor; `sum(x, 1, { keepdim: true })` keeps dim 1 as size 1.
 */
export function sum(x: Tensor, dim?: number | readonly number[], options: SumOptions = {}): Tensor {
  const dims = normalizeDims(dim, x.ndim).sort((a, b) => a - b);
  return apply1(reduceOps.sum, [x], { dims, keepdim: options.keepdim ?? false, ...(options.dtype ? { dtype: options.dtype } : {}) });
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
