/**
 * PyTorch's advanced indexing, `x[i0, i1, ...]` with index tensors, as two primitives over
 * the leading dims: `advancedIndex` (GatherND) and `indexPut` (ScatterND), each the
 * other's vjp (see Note: index pairs, in indexing.ts). The public functions apply NumPy's
 * rules first: bool masks become the int64 coordinates of their true elements, the indexed
 * dims are moved to the front for the primitive, and the broadcast index dims land where
 * NumPy puts them. Negative indices count from the end (see Note: index checks, in
 * indexing.ts). The Python-like `x.index(...)` / `x.setIndex(...)` are in
 * src/ops/indexing-api.ts.
 */
import { DTypeError, ShapeError } from "../../core/errors.ts";
import { broadcastShapes, formatShape, inversePermutation, shapesEqual, type Shape } from "../../core/shape.ts";
import type { Scalar, Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { full } from "../creation.ts";
import { defineOp, single, type TensorMeta } from "../define-op.ts";
import { expand, permute } from "../views.ts";
import { nonzero } from "./indexing.ts";
import { sumTo } from "./reduce.ts";

export interface IndexPutAttrs {
  readonly accumulate: boolean;
}

/** The broadcast shape of the index tensors of an advanced index, checked. */
function indexShape(op: string, x: TensorMeta, indices: readonly TensorMeta[]): number[] {
  if (indices.length > x.shape.length)
    throw new ShapeError(`${op}: too many indices for tensor of dimension ${x.shape.length} (got ${indices.length})`);
  for (const t of indices) if (t.dtype !== "int64") throw new DTypeError(`${op}: index tensors must be int64 here, got ${t.dtype}`);
  return broadcastIndexShapes(indices.map((t) => t.shape));
}

function broadcastIndexShapes(shapes: readonly Shape[]): number[] {
  const shape = broadcastShapesOrNull(...shapes);
  if (shape === null)
    throw new ShapeError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${shapes.map(formatShape).join(", ")}`);
  return shape;
}

/** Whether `shape` broadcasts to exactly `target`. */
function broadcastsTo(shape: Shape, target: Shape): boolean {
  if (shape.length > target.length) return false;
  const out = broadcastShapesOrNull(shape, target);
  return out !== null && shapesEqual(out, target);
}

function broadcastShapesOrNull(...shapes: readonly Shape[]): number[] | null {
  try {
    return broadcastShapes(...shapes);
  } catch {
    return null;
  }
}

/** index_put's rule for `values`: x's dtype, and broadcastable to the indexed shape `target`. */
function checkValues(x: TensorMeta, values: TensorMeta, target: Shape): void {
  if (values.dtype !== x.dtype)
    throw new DTypeError(`index_put requires the source and destination dtypes match, got ${x.dtype} for the destination and ${values.dtype} for the source`);
  if (!broadcastsTo(values.shape, target))
    throw new ShapeError(`index_put: shape mismatch: value tensor of shape ${formatShape(values.shape)} cannot be broadcast to indexing result of shape ${formatShape(target)}`);
}

export const advancedIndexOps = {
  /**
   * x[i0, i1, ..., :] for int64 index tensors over the leading dims, broadcast together:
   * the output is the broadcast index shape followed by the remaining dims (aten::index).
   */
  advancedIndex: defineOp({
    name: "advancedIndex",
    inputs: ["x", "indices..."],
    infer: ([x, ...indices]) => single([...indexShape("index", x!, indices), ...x!.shape.slice(indices.length)], x!.dtype),
    vjp: ([g], { metas, inputs }): (Tensor | null)[] => [
      apply1(advancedIndexOps.indexPut, [g!.newZeros(metas[0]!.shape), g!, ...inputs.slice(1)], { accumulate: true }),
      ...inputs.slice(1).map(() => null),
    ],
    onnx: { type: "GatherND", sinceOpset: 11, pattern: "GatherND on the broadcast, stacked indices" },
  }),
  /** x with x[i0, i1, ...] = values (or += with accumulate), index tensors over the leading dims. */
  indexPut: defineOp<IndexPutAttrs>({
    name: "indexPut",
    inputs: ["x", "values", "indices..."],
    infer: ([x, values, ...indices]) => {
      checkValues(x!, values!, [...indexShape("index_put", x!, indices), ...x!.shape.slice(indices.length)]);
      return single(x!.shape, x!.dtype);
    },
    vjp: ([g], { metas, inputs, attrs, needsGrad }): (Tensor | null)[] => {
      const indices = inputs.slice(2);
      const gx = attrs.accumulate ? g! : apply1(advancedIndexOps.indexPut, [g!, g!.newZeros([]), ...indices], { accumulate: false });
      const gv = needsGrad[1] ? sumTo(apply1(advancedIndexOps.advancedIndex, [g!, ...indices], {}), metas[1]!.shape) : null;
      return [needsGrad[0] ? gx : null, gv, ...indices.map(() => null)];
    },
    onnx: { type: "ScatterND", sinceOpset: 11, pattern: "ScatterND on the broadcast, stacked indices (reduction=add when accumulating, opset 16)" },
  }),
};

/**
 * PyTorch's index list made explicit: one int64 tensor or null per dim of x. A bool (or
 * uint8) mask covering k dims becomes k int64 tensors, its nonzero coordinates.
 */
function expandIndices(x: Tensor, indices: readonly (Tensor | null)[]): (Tensor | null)[] {
  const out: (Tensor | null)[] = [];
  for (const t of indices) {
    if (t === null) out.push(null);
    else if (t.dtype === "bool" || t.dtype === "uint8") {
      if (t.ndim === 0) throw new ShapeError("a 0-d bool index is supported by Tensor.index and setIndex, not here");
      const d = out.length;
      t.shape.forEach((n, j) => {
        if (d + j < x.ndim && x.shape[d + j] !== n)
          throw new ShapeError(`the shape of the mask ${formatShape(t.shape)} at index ${j} does not match the shape of the indexed tensor ${formatShape(x.shape)} at index ${d + j}`);
      });
      const coords = nonzero(t);
      for (let j = 0; j < t.ndim; j++) out.push(coords.select(1, j));
    } else if (t.dtype === "int64") out.push(t);
    else throw new DTypeError(`tensors used as indices must be long, byte or bool tensors, got ${t.dtype}`);
  }
  if (out.length > x.ndim) throw new ShapeError(`too many indices for tensor of dimension ${x.ndim} (got ${out.length})`);
  while (out.length < x.ndim) out.push(null);
  return out;
}

/**
 * Where advanced indexing puts things (NumPy's rule, as PyTorch): the indexed dims are moved
 * to the front for the primitive; the broadcast index dims then replace them in place when
 * they were adjacent, and go first otherwise.
 */
function advancedLayout(x: Tensor, list: readonly (Tensor | null)[]) {
  const dims = list.flatMap((t, d) => (t ? [d] : []));
  const rest = list.flatMap((t, d) => (t ? [] : [d]));
  const tensors = dims.map((d) => list[d]!);
  const adjacent = dims.every((d, i) => d === dims[0]! + i);
  const before = adjacent && dims.length > 0 ? dims[0]! : 0;
  const front = dims.every((d, i) => d === i) ? x : permute(x, [...dims, ...rest]);
  const broadcast = broadcastIndexShapes(tensors.map((t) => t.shape));
  /** From the primitive's layout [B..., rest...] to the result's [rest[:before], B..., rest[before:]]. */
  const nb = broadcast.length;
  const resultOrder = (ndim: number): number[] => [...range(nb, nb + before), ...range(0, nb), ...range(nb + before, ndim)];
  const toResult = (t: Tensor): Tensor => (before === 0 ? t : permute(t, resultOrder(t.ndim)));
  const fromResult = (t: Tensor): Tensor => (before === 0 ? t : permute(t, inversePermutation(resultOrder(t.ndim))));
  const resultShape = (): number[] => {
    const restShape = rest.map((d) => x.shape[d]!);
    return [...restShape.slice(0, before), ...broadcast, ...restShape.slice(before)];
  };
  return { dims, rest, tensors, front, toResult, fromResult, resultShape };
}

const range = (start: number, end: number): number[] => Array.from({ length: end - start }, (_, i) => start + i);

/**
 * PyTorch's advanced indexing `x[i0, i1, ...]` with index tensors: `indices[d]` indexes dim d
 * (null keeps the dim whole; a bool mask covers as many dims as it has). Index tensors
 * broadcast together; negative indices count from the end. Always a copy.
 *
 * ```ts
 * advancedIndex(x, [null, tensor([0, 2])]); // x[:, [0, 2]]
 * ```
 */
export function advancedIndex(x: Tensor, indices: readonly (Tensor | null)[]): Tensor {
  const list = expandIndices(x, indices);
  const layout = advancedLayout(x, list);
  if (layout.tensors.length === 0) return x.clone();
  return layout.toResult(apply1(advancedIndexOps.advancedIndex, [layout.front, ...layout.tensors], {}));
}

/**
 * x with `x[indices] = values` (`torch.index_put`), or `+=` with `accumulate` (then
 * repeated indices add up). `values` (same dtype as x, or a scalar) broadcasts to the
 * shape `advancedIndex(x, indices)` would have. For the in-place, Python-like form see
 * `x.setIndex(...)` / `x.indexPut_(...)`.
 */
export function indexPut(x: Tensor, indices: readonly (Tensor | null)[], values: Tensor | Scalar, accumulate = false): Tensor {
  const list = expandIndices(x, indices);
  const layout = advancedLayout(x, list);
  const given = typeof values === "object" ? values : full([], values, { dtype: x.dtype });
  // Checked here too, in the caller's dim order, so the message shows the shapes they wrote.
  const target = layout.resultShape();
  checkValues(x, given, target);
  const v = layout.fromResult(expand(given, target));
  const out = apply1(advancedIndexOps.indexPut, [layout.front, v, ...layout.tensors], { accumulate });
  if (layout.front === x) return out;
  return permute(out, inversePermutation([...layout.dims, ...layout.rest]));
}
