/**
 * Shapes, strides and broadcasting. Pure functions over number arrays; no data touched.
 */
import { ShapeError, ValueError } from "./errors.ts";

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements. Size-1 dims get the stride they would have anyway. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

/** True when elements laid out by `strides` sit in row-major order with no gaps (size-1 dims ignored). */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (shape[i] === 0) return true;
    if (strides[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** NumPy/PyTorch broadcasting: align right, each pair equal or one of them 1. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = ndim - s.length + i;
      const d = s[i]!;
      if (d === out[o]) continue;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1)
        throw new ShapeError(
          `shapes ${shapes.map(formatShape).join(", ")} cannot broadcast: size ${out[o]} against ${d} at dim ${o}`,
        );
    }
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if expanded to `target` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) {
    out[lead + i] = shape[i] === 1 && target[lead + i] !== 1 ? 0 : strides[i]!;
  }
  return out;
}

/** A dim index in [-ndim, ndim) made non-negative; PyTorch treats a 0-d tensor as having range [-1, 0]. */
export function normalizeDim(dim: number, ndim: number, what = "dim"): number {
  const range = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -range || dim >= range)
    throw new ShapeError(`${what} ${dim} out of range for a tensor of ${ndim} dims (expected in [${-range}, ${range - 1}])`);
  return dim < 0 ? dim + range : dim;
}

/** Normalizes a list of dims, refusing repeats. Undefined means every dim. */
export function normalizeDims(dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === "number" ? [dims] : dims;
  const out = list.map((d) => normalizeDim(d, ndim));
  if (new Set(out).size !== out.length) throw new ShapeError(`dim ${list.join(", ")} appears more than once`);
  return out;
}

/** The permutation that undoes `order`: `x.permute(order).permute(inversePermutation(order))` is x. */
export function inversePermutation(order: readonly number[]): number[] {
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return inverse;
}

/** Resolves one -1 in a requested shape against a known element count (reshape/view). */
export function inferShape(requested: Shape, count: number): number[] {
  let unknown = -1;
  let known = 1;
  requested.forEach((d, i) => {
    if (d === -1) {
      if (unknown >= 0) throw new ShapeError(`only one dimension can be inferred, got ${formatShape(requested)}`);
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`invalid shape dimension ${d} in ${formatShape(requested)}`);
    } else known *= d;
  });
  const out = [...requested];
  if (unknown >= 0) {
    if (known === 0 || count % known !== 0)
      throw new ShapeError(`shape ${formatShape(requested)} is invalid for input of size ${count}`);
    out[unknown] = count / known;
  } else if (known !== count) {
    throw new ShapeError(`shape ${formatShape(requested)} is invalid for input of size ${count}`);
  }
  return out;
}

/** Checks a user-supplied size list: non-negative integers. */
export function checkShape(shape: Shape, what = "size"): number[] {
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0) throw new ValueError(`${what} must be non-negative integers, got ${formatShape(shape)}`);
  return [...shape];
}

/**
 * Strides for viewing a tensor under a new shape without copying, or undefined when the
 * memory layout does not allow it (PyTorch's `computeStride`, used by `view`).
 */
export function viewStrides(oldShape: Shape, oldStrides: readonly number[], newShape: Shape): number[] | undefined {
  if (numel(oldShape) === 0 || oldShape.length === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD]!;
    if (tensorD === 0 || (oldShape[tensorD - 1] !== 1 && oldStrides[tensorD - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return undefined;
      if (tensorD > 0) {
        chunkBaseStride = oldStrides[tensorD - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return undefined;
  return newStrides;
}
