/**
 * Shape ops written with the shape primitives (defs/shape.ts) and the views: `stack`
 * (unsqueeze + cat), `split` / `chunk` (narrow views), `roll` (two narrows and a cat per
 * dim), `tile` (repeat) and `repeatInterleave` (expand + flatten, or indexSelect). They get
 * gradients and every backend for free. Also the `shapeMethods` table of the family.
 */
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape, normalizeDim } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { tensor } from "../creation.ts";
import { cat, flip, repeat, unbind, unfold } from "../defs/shape.ts";
import { flatten, narrow, unsqueeze } from "../views.ts";

/**
 * Joins equally shaped tensors along a new dim (`torch.stack`): unsqueeze, then cat.
 *
 * ```ts
 * stack([tensor([1, 2]), tensor([3, 4])], 1); // [[1, 3], [2, 4]]
 * ```
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError("stack expects a non-empty list of tensors");
  const first = tensors[0]!.shape;
  tensors.forEach((t, i) => {
    if (t.shape.length !== first.length || t.shape.some((d, j) => d !== first[j]))
      throw new ShapeError(`stack expects each tensor to be equal size, but got ${formatShape(first)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`);
  });
  const d = normalizeDim(dim, first.length + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/**
 * Splits into views along `dim` (`torch.split`): pieces of `size` elements (the last may be
 * smaller), or pieces of the listed sizes, which must add up to the dim's size.
 *
 * ```ts
 * split(arange(5), 2); // [0, 1], [2, 3], [4]
 * split(arange(5), [1, 4]); // [0], [1, 2, 3, 4]
 * ```
 */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  if (x.ndim === 0) throw new ShapeError("split: a 0-d tensor cannot be split");
  const d = normalizeDim(dim, x.ndim);
  const n = x.shape[d]!;
  let sizes: readonly number[];
  if (typeof sizeOrSizes === "number") {
    const size = sizeOrSizes;
    if (!Number.isInteger(size) || size < 0) throw new ValueError(`split expects split_size be non-negative, but got split_size=${size}`);
    if (size === 0 && n !== 0) throw new ValueError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${n}`);
    const count = size === 0 ? 1 : Math.max(Math.ceil(n / size), 1);
    sizes = Array.from({ length: count }, (_, i) => Math.min(size, n - i * size));
  } else {
    sizes = sizeOrSizes;
    if (sizes.some((s) => !Number.isInteger(s) || s < 0))
      throw new ValueError(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[${sizes.join(", ")}]`);
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n)
      throw new ShapeError(`split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(", ")}]`);
  }
  let start = 0;
  return sizes.map((s) => {
    start += s;
    return narrow(x, d, start - s, s);
  });
}

/**
 * Splits into `chunks` views of equal size along `dim`, the last smaller (`torch.chunk`);
 * may return fewer than `chunks` pieces, as PyTorch does.
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  if (x.ndim === 0) throw new ShapeError("chunk expects at least a 1-dimensional tensor");
  const d = normalizeDim(dim, x.ndim);
  const n = x.shape[d]!;
  // An empty dim gives `chunks` empty pieces, as torch.chunk does.
  if (n === 0) return split(x, Array<number>(chunks).fill(0), d);
  return split(x, Math.ceil(n / chunks), d);
}

/**
 * Rolls elements along `dims` by `shifts` (`torch.roll`); without dims the tensor is rolled
 * flat and reshaped back. Written as two narrows and a cat per dim.
 *
 * ```ts
 * roll(tensor([1, 2, 3, 4]), 1); // [4, 1, 2, 3]
 * ```
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  const shiftList = typeof shifts === "number" ? [shifts] : shifts;
  if (dims === undefined) {
    if (shiftList.length !== 1) throw new ValueError(`roll: shifts and dimensions must align; shifts: ${shiftList.length}, dims: 0`);
    return roll(flatten(x), shiftList[0]!, 0).view(x.shape);
  }
  const dimList = typeof dims === "number" ? [dims] : dims;
  if (shiftList.length !== dimList.length || dimList.length === 0)
    throw new ValueError(`roll: shifts and dimensions must align; shifts: ${shiftList.length}, dims: ${dimList.length}`);
  if (x.ndim === 0) throw new ShapeError(`roll: dimension specified as ${dimList[0]} but tensor has no dimensions`);
  let out = x;
  dimList.forEach((dim, k) => {
    const d = normalizeDim(dim, x.ndim);
    const n = x.shape[d]!;
    const s = n === 0 ? 0 : ((shiftList[k]! % n) + n) % n;
    if (s === 0) return;
    out = cat([narrow(out, d, n - s, s), narrow(out, d, 0, n - s)], d);
  });
  return out === x ? x.clone() : out;
}

/** `torch.tile`: `repeat` with the repeats padded with leading 1s to the tensor's rank. */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  const padded = reps.length < x.ndim ? [...Array<number>(x.ndim - reps.length).fill(1), ...reps] : reps;
  return repeat(x, padded);
}

/**
 * Repeats each element (`torch.repeat_interleave`): `repeats` times each when a number,
 * `repeats[i]` times element i when a tensor. Without `dim` the input is flattened. With
 * only a tensor of repeats (`repeatInterleave(counts)`), gives the indices
 * `[0]*counts[0] ++ [1]*counts[1] ++ ...`.
 *
 * ```ts
 * repeatInterleave(tensor([1, 2]), 2); // [1, 1, 2, 2]
 * repeatInterleave(tensor([[1, 2], [3, 4]]), tensor([1, 2]), 0); // [[1, 2], [3, 4], [3, 4]]
 * ```
 */
export function repeatInterleave(x: Tensor, repeats?: number | Tensor, dim?: number): Tensor {
  if (repeats === undefined) return repeatIndices(x);
  const input = dim === undefined ? flatten(x) : x;
  const d = dim === undefined ? 0 : normalizeDim(dim, x.ndim);
  if (input.ndim === 0) return repeatInterleave(input.reshape([1]), repeats, 0);
  if (typeof repeats === "number") {
    if (!Number.isInteger(repeats) || repeats < 0) throw new ValueError(`repeat_interleave: repeats can not be negative, got ${repeats}`);
    const shape = [...input.shape];
    shape.splice(d + 1, 0, repeats);
    return flatten(unsqueeze(input, d + 1).expand(shape), d, d + 1);
  }
  if (repeats.ndim > 1) throw new ShapeError("repeat_interleave only accepts a 0-d or 1-d tensor of repeats");
  const n = input.shape[d]!;
  const counts = repeats.size === 1 && n !== 1 ? repeats.reshape([1]).expand([n]) : repeats.reshape([-1]);
  if (counts.size !== n) throw new ShapeError(`repeat_interleave: repeats must have the same size as input along dim ${d}: ${counts.size} vs ${n}`);
  return input.indexSelect(d, repeatIndices(counts));
}

/** `[0]*counts[0] ++ [1]*counts[1] ++ ...` as int64 (the one-argument repeat_interleave). */
function repeatIndices(counts: Tensor): Tensor {
  if (counts.dtype !== "int64" && counts.dtype !== "int32")
    throw new DTypeError(`repeat_interleave: repeats has to be a Long or Int tensor, got ${counts.dtype}`);
  if (counts.ndim > 1) throw new ShapeError("repeat_interleave only accepts a 0-d or 1-d tensor of repeats");
  const values = counts.values().map(Number);
  if (values.some((v) => v < 0)) throw new ValueError("repeat_interleave: repeats can not be negative");
  const out: bigint[] = [];
  values.forEach((r, i) => {
    for (let k = 0; k < r; k++) out.push(BigInt(i));
  });
  return tensor(BigInt64Array.from(out));
}

/** Shape functions that are also Tensor methods (`x.flip(0)`, `x.split(2)`, ...). */
export const shapeMethods = {
  split,
  chunk,
  unbind,
  flip,
  roll,
  repeat,
  tile,
  repeatInterleave,
  unfold,
};
