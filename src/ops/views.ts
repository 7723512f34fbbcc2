/**
 * Views and copies written with the view primitives: reshape, squeeze, transpose, select,
 * narrow, indexing with slices, contiguous, clone, detach, casts.
 */
import { isDType, type DType } from "../core/dtype.ts";
import { ShapeError, ValueError } from "../core/errors.ts";
import { formatShape, inferShape, normalizeDim, viewStrides, type Shape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { apply1 } from "./apply.ts";
import { castOps } from "./defs/cast.ts";
import { viewOps } from "./defs/view.ts";

/** A view with a new shape (one size may be -1); fails when strides do not allow a view. */
export function view(x: Tensor, shape: Shape): Tensor {
  return apply1(viewOps.view, [x], { shape: inferShape(shape, x.size) });
}

/** A tensor with a new shape: a view when the layout allows, a contiguous copy otherwise. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const target = inferShape(shape, x.size);
  if (viewStrides(x.shape, x.strides, target)) return apply1(viewOps.view, [x], { shape: target });
  return apply1(viewOps.view, [contiguous(x)], { shape: target });
}

/** Broadcasts to `shape` without copying (-1 keeps a size). */
export function expand(x: Tensor, shape: Shape): Tensor {
  return apply1(viewOps.expand, [x], { shape });
}

export function expandAs(x: Tensor, other: Tensor): Tensor {
  return expand(x, other.shape);
}

/** Reorders dims: `permute(x, [2, 0, 1])`. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim)
    throw new ShapeError(`permute: number of dims don't match (tensor has ${x.ndim}, got ${dims.length})`);
  const norm = dims.map((d) => normalizeDim(d, x.ndim));
  if (new Set(norm).size !== norm.length) throw new ShapeError(`permute: repeated dim in [${dims.join(", ")}]`);
  return apply1(viewOps.permute, [x], { dims: norm });
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim === 0) return x;
  const order = Array.from({ length: x.ndim }, (_, i) => i);
  const a = normalizeDim(dim0, x.ndim);
  const b = normalizeDim(dim1, x.ndim);
  [order[a], order[b]] = [order[b]!, order[a]!];
  return permute(x, order);
}

/** Transpose of a matrix (a vector or scalar is returned as is). */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new ShapeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/** Removes size-1 dims (all, or the given ones when they have size 1). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims =
    dim === undefined
      ? x.shape.map((_, i) => i)
      : (typeof dim === "number" ? [dim] : dim).map((d) => normalizeDim(d, x.ndim));
  const shape = x.shape.filter((d, i) => !(d === 1 && dims.includes(i)));
  return view(x, shape);
}

/** Inserts a size-1 dim at `dim` (in [-ndim-1, ndim]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return view(x, shape);
}

/** Merges dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim);
  const e = normalizeDim(endDim, x.ndim);
  if (s > e) throw new ShapeError("flatten() has invalid args: startDim cannot come after endDim");
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Splits dim `dim` into `sizes` (one may be -1). */
export function unflatten(x: Tensor, dim: number, sizes: Shape): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const inner = inferShape(sizes, x.shape[d]!);
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/** Elements start, start+step, ... before end along `dim`; bounds clamp like Python slices. */
export function slice(x: Tensor, dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor {
  if (!Number.isInteger(step) || step <= 0) throw new ValueError(`slice step must be a positive integer, got ${step}`);
  const d = normalizeDim(dim, x.ndim);
  const n = x.shape[d]!;
  const clampIndex = (i: number | null, fallback: number) => {
    if (i === null) return fallback;
    const j = i < 0 ? i + n : i;
    return Math.min(Math.max(j, 0), n);
  };
  const s = clampIndex(start, 0);
  const e = Math.max(clampIndex(end, n), s);
  return apply1(viewOps.slice, [x], { dim: d, start: s, end: e, step });
}

/** `length` elements from `start` along `dim`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const n = x.shape[d]!;
  const s = start < 0 ? start + n : start;
  if (s < 0 || length < 0 || s + length > n)
    throw new ShapeError(`narrow: start (${start}) + length (${length}) exceeds dimension size (${n})`);
  return slice(x, d, s, s + length);
}

/** The slice at `index` along `dim`, with that dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const n = x.shape[d]!;
  if (index < -n || index >= n)
    throw new ShapeError(`select: index ${index} out of range for dim ${d} of size ${n}`);
  const i = index < 0 ? index + n : index;
  return squeeze(slice(x, d, i, i + 1), d);
}

/** `base` with `src` written over one slice (torch.slice_scatter); differentiable in both. */
export function sliceScatter(base: Tensor, src: Tensor, attrs: { dim: number; start: number; end: number; step: number }): Tensor {
  const expected = slice(base, attrs.dim, attrs.start, attrs.end, attrs.step).shape;
  if (expected.join() !== src.shape.join())
    throw new ShapeError(`sliceScatter: src of shape ${formatShape(src.shape)} does not fit the slice of shape ${formatShape(expected)}`);
  return apply1(viewOps.sliceScatter, [base, src], attrs);
}

/** The tensor itself when contiguous, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : apply1(viewOps.clone, [x], {});
}

/** A contiguous copy that stays in the graph. */
export function clone(x: Tensor): Tensor {
  return apply1(viewOps.clone, [x], {});
}

/** A tensor sharing the data but cut from the graph. */
export function detach(x: Tensor): Tensor {
  return new Tensor(x.storage, x.shape, { strides: x.strides, offset: x.offset, base: x.base ?? x });
}

/** Converts to `dtype` (the tensor itself when it already has it). */
export function to(x: Tensor, dtype: DType): Tensor {
  if (!isDType(dtype)) throw new ValueError(`unknown dtype ${String(dtype)}`);
  return dtype === x.dtype ? x : apply1(castOps.cast, [x], { dtype });
}
