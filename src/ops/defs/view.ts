/**
 * View primitives: results share their input's buffer; only shape, strides and offset
 * change. Composite views (squeeze, flatten, transpose, select, narrow ...) are written
 * with these in `ops/views.ts`.
 */
import { ShapeError } from "../../core/errors.ts";
import { broadcastStrides, formatShape, inversePermutation, numel, viewStrides, type Shape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { defineOp, defineView, single } from "../define-op.ts";
import { sumTo } from "./reduce.ts";

export const viewOps = {
  /** A new shape over the same elements; fails when the strides do not allow it. */
  view: defineView<{ shape: Shape }>({
    name: "view",
    inputs: ["x"],
    layout: (x, { shape }) => {
      if (numel(shape) !== numel(x.shape))
        throw new ShapeError(`shape ${formatShape(shape)} is invalid for input of size ${numel(x.shape)}`);
      const strides = viewStrides(x.shape, x.strides, shape);
      if (!strides)
        throw new ShapeError(
          `view size ${formatShape(shape)} is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces); use reshape() instead`,
        );
      return { shape, strides, offset: x.offset };
    },
    vjp: ([g], { metas }) => [g!.reshape(metas[0]!.shape)],
    onnx: { type: "Reshape", sinceOpset: 5 },
  }),
  /** Broadcasts to a larger shape by giving repeated dims stride 0. */
  expand: defineView<{ shape: Shape }>({
    name: "expand",
    inputs: ["x"],
    layout: (x, { shape }) => {
      if (shape.length < x.shape.length)
        throw new ShapeError(`expand: the number of sizes provided (${shape.length}) must be at least the number of dims (${x.shape.length})`);
      const lead = shape.length - x.shape.length;
      const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead]! : d));
      target.forEach((d, i) => {
        const src = i >= lead ? x.shape[i - lead]! : 1;
        if (d < 0 || (src !== 1 && src !== d))
          throw new ShapeError(`expand: size ${formatShape(shape)} does not match ${formatShape(x.shape)} at dim ${i}`);
      });
      return { shape: target, strides: broadcastStrides(x.shape, x.strides, target), offset: x.offset };
    },
    vjp: ([g], { metas }) => [sumTo(g!, metas[0]!.shape)],
    onnx: { type: "Expand", sinceOpset: 8 },
  }),
  /** Reorders dims. */
  permute: defineView<{ dims: readonly number[] }>({
    name: "permute",
    inputs: ["x"],
    layout: (x, { dims }) => ({
      shape: dims.map((d) => x.shape[d]!),
      strides: dims.map((d) => x.strides[d]!),
      offset: x.offset,
    }),
    vjp: ([g], { attrs }) => [g!.permute(inversePermutation(attrs.dims))],
    onnx: { type: "Transpose" },
  }),
  /** Elements start, start+step, ... < end along one dim (start/end already clamped). */
  slice: defineView<{ dim: number; start: number; end: number; step: number }>({
    name: "slice",
    inputs: ["x"],
    layout: (x, { dim, start, end, step }) => {
      const shape = [...x.shape];
      const strides = [...x.strides];
      shape[dim] = Math.max(0, Math.ceil((end - start) / step));
      strides[dim] = x.strides[dim]! * step;
      return { shape, strides, offset: x.offset + (shape[dim]! > 0 ? start * x.strides[dim]! : 0) };
    },
    vjp: ([g], { metas, attrs }) => [sliceScatterOf(g!, metas[0]!.shape, attrs)],
    onnx: { type: "Slice", sinceOpset: 10 },
  }),
  /** `base` with the slice along `dim` replaced by `src` (torch.slice_scatter). */
  sliceScatter: defineOp<{ dim: number; start: number; end: number; step: number }>({
    name: "sliceScatter",
    inputs: ["base", "src"],
    infer: ([base, src]) => single(base!.shape, base!.dtype, [undefined, base!.dtype]),
    vjp: ([g], { attrs }) => [g!.sliceScatter(g!.mul(0).slice(attrs.dim, attrs.start, attrs.end, attrs.step), attrs), g!.slice(attrs.dim, attrs.start, attrs.end, attrs.step)],
    onnx: { type: "ScatterND", pattern: "ScatterND at the slice's indices" },
  }),
  /** A contiguous copy (the op behind `contiguous()` and `clone()`). */
  clone: defineOp({
    name: "clone",
    inputs: ["x"],
    infer: ([x]) => single(x!.shape, x!.dtype),
    vjp: ([g]) => [g!],
    onnx: { type: "Identity" },
  }),
};

function sliceScatterOf(g: Tensor, shape: Shape, attrs: { dim: number; start: number; end: number; step: number }): Tensor {
  return g.newZeros(shape).sliceScatter(g, attrs);
}
