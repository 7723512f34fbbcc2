/**
 * Shape primitives: joining (`cat`) and its inverse (`unbind`), reversing (`flip`), tiling (`repeat`), padding (`pad`)
 * and sliding windows (`unfold`, a view). `stack`, `split`, `chunk`, `roll`, `tile` and
 * `repeatInterleave` are composites over them and the views (composite/shape.ts). (The
 * triangles `tril`/`triu` live in linalg.ts.)
 *
 * Note: index maps. `flip`, `repeat` and `pad` read each output element from one input
 * element, and the input coordinate along each dim depends only on the output coordinate
 * along that dim. `padSourceIndex` gives that map (-1 where `pad` fills a constant); the
 * js kernel gathers through it and the non-constant `pad` vjp scatter-adds back through
 * it, dim by dim, with `indexAdd`.
 */
import { promoteTypes } from "../../core/dtype.ts";
import { ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape, normalizeDim, type Shape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply, apply1 } from "../apply.ts";
import { tensor } from "../creation.ts";
import { defineOp, defineView, single } from "../define-op.ts";
import { flatten, narrow, reshape, unsqueeze } from "../views.ts";
import { sum } from "./reduce.ts";

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

export interface PadAttrs {
  /** [before, after] for every dim of the input, in dim order (negative pads crop). */
  readonly pads: readonly (readonly [number, number])[];
  readonly mode: PadMode;
  readonly value: number;
}

export interface UnfoldAttrs {
  readonly dim: number;
  readonly size: number;
  readonly step: number;
}

/** PyTorch's legacy rule: a 1-d tensor of size 0 is skipped by `cat`, whatever its shape. */
function skippedByCat(shape: Shape): boolean {
  return shape.length === 1 && shape[0] === 0;
}

/**
 * The input coordinate along one dim of size `n` that output coordinate `o` reads (see
 * Note: index maps); -1 means "fill". Negative pads crop first: PyTorch's circular mode
 * wraps around the cropped range, while reflect and replicate mirror or repeat the edges of
 * the whole input (its reflection/replication kernels index the uncropped input).
 */
export function padSourceIndex(mode: PadMode, n: number, [before, after]: readonly [number, number], o: number): number {
  const i = o - before;
  if (i >= 0 && i < n && mode !== "circular") return i;
  switch (mode) {
    case "constant":
      return -1;
    case "reflect":
      return i < 0 ? -i : 2 * (n - 1) - i;
    case "replicate":
      return i < 0 ? 0 : n - 1;
    case "circular": {
      const start = Math.max(0, -before);
      const kept = n - start - Math.max(0, -after);
      const j = o - Math.max(before, 0);
      return start + (((j % kept) + kept) % kept);
    }
  }
}

/** The map of one dim as an int64 tensor (used by the non-constant `pad` vjp). */
function padIndexTensor(mode: PadMode, n: number, pads: readonly [number, number]): Tensor {
  const out = n + pads[0] + pads[1];
  return tensor(BigInt64Array.from({ length: out }, (_, o) => BigInt(padSourceIndex(mode, n, pads, o))));
}

function paddedShape(shape: Shape, pads: PadAttrs["pads"]): number[] {
  return shape.map((n, d) => n + pads[d]![0] + pads[d]![1]);
}

export const shapeOps = {
  /** Joins tensors along an existing dim; dtypes promote as in `torch.cat`. */
  cat: defineOp<{ dim: number }>({
    name: "cat",
    inputs: ["tensors..."],
    infer: (metas, { dim }) => {
      if (metas.length === 0) throw new ValueError("cat expects a non-empty list of tensors");
      // Skipped tensors still take part in type promotion, as in PyTorch.
      const dtype = metas.map((m) => m.dtype).reduce(promoteTypes);
      const kept = metas.map((m, i) => ({ m, i })).filter(({ m }) => !skippedByCat(m.shape));
      for (const { m, i } of kept)
        if (m.shape.length === 0) throw new ShapeError(`cat: zero-dimensional tensor (at position ${i}) cannot be concatenated`);
      if (kept.length === 0) return single([0], dtype, metas.map(() => dtype));
      const first = kept[0]!.m.shape;
      const shape = [...first];
      shape[dim] = 0;
      for (const { m, i } of kept) {
        if (m.shape.length !== first.length)
          throw new ShapeError(`cat: tensors must have the same number of dimensions: got ${first.length} and ${m.shape.length} (tensor ${i})`);
        m.shape.forEach((d, j) => {
          if (j !== dim && d !== first[j])
            throw new ShapeError(`cat: sizes of tensors must match except in dimension ${dim}; expected size ${first[j]} but got size ${d} for tensor number ${i} in the list`);
        });
        shape[dim]! += m.shape[dim]!;
      }
      return single(shape, dtype, metas.map(() => dtype));
    },
    vjp: ([g], { metas, attrs, needsGrad }) => {
      let start = 0;
      return metas.map((m, i) => {
        if (skippedByCat(m.shape)) return needsGrad[i] ? g!.newZeros([0]) : null;
        const length = m.shape[attrs.dim]!;
        start += length;
        return needsGrad[i] ? narrow(g!, attrs.dim, start - length, length) : null;
      });
    },
    onnx: { type: "Concat", sinceOpset: 4 },
  }),
  /**
   * The slices along `dim`, that dim removed (`torch.unbind`), as copies. Its vjp stacks
   * the gradients: one cat, where slicing with `select` would add one full-size scatter per
   * slice (what makes a recurrent loop over a precomputed sequence linear in its length).
   */
  unbind: defineOp<{ dim: number }>({
    name: "unbind",
    inputs: ["x"],
    infer: ([x], { dim }) => {
      const shape = x!.shape.filter((_, i) => i !== dim);
      return { outputs: Array.from({ length: x!.shape[dim]! }, () => ({ shape, dtype: x!.dtype })) };
    },
    vjp: (grads, { attrs }) => [cat(grads.map((g) => unsqueeze(g!, attrs.dim)), attrs.dim)],
    onnx: { type: "Gather", sinceOpset: 1, pattern: "one Gather per slice, with a 0-d index along dim" },
  }),
  /** Reverses the order of elements along `dims` (a copy, as in PyTorch). */
  flip: defineOp<{ dims: readonly number[] }>({
    name: "flip",
    inputs: ["x"],
    infer: ([x]) => single(x!.shape, x!.dtype),
    vjp: ([g], { attrs }) => [g!.flip(attrs.dims)],
    onnx: { type: "Slice", sinceOpset: 10, pattern: "Slice from -1 to -inf with step -1 on each flipped dim" },
  }),
  /** Tiles the tensor `repeats[d]` times along each dim (leading repeats add dims). */
  repeat: defineOp<{ repeats: readonly number[] }>({
    name: "repeat",
    inputs: ["x"],
    infer: ([x], { repeats }) => {
      const lead = repeats.length - x!.shape.length;
      return single(repeats.map((r, d) => r * (d < lead ? 1 : x!.shape[d - lead]!)), x!.dtype);
    },
    // Output dim d of size r·s holds r copies of s: read it as [r, s] and sum the copies.
    vjp: ([g], { metas, attrs }) => {
      const x = metas[0]!;
      const lead = attrs.repeats.length - x.shape.length;
      const sizes = attrs.repeats.map((_, d) => (d < lead ? 1 : x.shape[d - lead]!));
      const split = attrs.repeats.flatMap((r, d) => [r, sizes[d]!]);
      const copyDims = attrs.repeats.map((_, d) => 2 * d);
      return [sum(reshape(g!, split), copyDims).reshape(x.shape)];
    },
    onnx: { type: "Tile", sinceOpset: 6 },
  }),
  /** Pads (or, with negative pads, crops) every dim: constant, reflect, replicate or circular. */
  pad: defineOp<PadAttrs>({
    name: "pad",
    inputs: ["x"],
    infer: ([x], { pads }) => single(paddedShape(x!.shape, pads), x!.dtype),
    vjp: ([g], { metas, attrs }): Tensor[] => {
      // Constant padding is linear with a 0/1 pattern: its transpose is cropping by the same pads.
      if (attrs.mode === "constant")
        return [apply1(shapeOps.pad, [g!], { pads: attrs.pads.map(([b, a]) => [-b, -a] as const), mode: "constant", value: 0 })];
      // The other modes gather through the index map of each dim; scatter-add back through it.
      let gx = g!;
      metas[0]!.shape.forEach((n, d) => {
        const p = attrs.pads[d]!;
        if (p[0] === 0 && p[1] === 0) return;
        const shape = [...gx.shape];
        shape[d] = n;
        gx = gx.newZeros(shape).indexAdd(d, padIndexTensor(attrs.mode, n, p), gx);
      });
      return [gx];
    },
    onnx: { type: "Pad", sinceOpset: 11, pattern: "Pad mode constant/reflect/edge/wrap (wrap since opset 19)" },
  }),
  /** Windows of `size` elements every `step` along `dim`, as a new last dim (a view). */
  unfold: defineView<UnfoldAttrs>({
    name: "unfold",
    inputs: ["x"],
    layout: (x, { dim, size, step }) => {
      if (x.shape.length === 0) return { shape: [size], strides: [1], offset: x.offset };
      const shape = [...x.shape];
      const strides = [...x.strides];
      shape[dim] = Math.floor((x.shape[dim]! - size) / step) + 1;
      strides[dim] = x.strides[dim]! * step;
      return { shape: [...shape, size], strides: [...strides, x.strides[dim]!], offset: x.offset };
    },
    // Element w·step + k of the input collects window w's element k: scatter-add the windows.
    vjp: ([g], { metas, attrs }) => {
      const x = metas[0]!;
      if (x.shape.length === 0) return [g!.sum().reshape([])];
      const { dim, size, step } = attrs;
      const windows = g!.shape[dim]!;
      const positions = tensor(BigInt64Array.from({ length: windows * size }, (_, j) => BigInt(Math.floor(j / size) * step + (j % size))));
      const order = [...Array(g!.ndim - 1).keys()];
      order.splice(dim + 1, 0, g!.ndim - 1);
      const byWindow = flatten(g!.permute(order), dim, dim + 1);
      return [byWindow.newZeros(x.shape).indexAdd(dim, positions, byWindow)];
    },
    onnx: { type: "Gather", pattern: "Gather of the window positions along dim, then Transpose the window axis last" },
  }),
};

// ---------------------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------------------

/**
 * Concatenates tensors along `dim` (`torch.cat`). Dtypes promote; 1-d empty tensors are
 * skipped whatever the other shapes (PyTorch's legacy rule).
 *
 * ```ts
 * cat([zeros([2, 3]), ones([1, 3])]); // shape [3, 3]
 * ```
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError("cat expects a non-empty list of tensors");
  const reference = tensors.find((t) => !skippedByCat(t.shape)) ?? tensors[0]!;
  return apply1(shapeOps.cat, tensors, { dim: normalizeDim(dim, reference.ndim) });
}

/**
 * The slices of `x` along `dim`, each without that dim (`torch.unbind`).
 *
 * ```ts
 * unbind(tensor([[1, 2], [3, 4]]), 1); // [tensor([1, 3]), tensor([2, 4])]
 * ```
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  if (x.ndim === 0) throw new ShapeError("unbind: dimension specified as 0 but tensor has no dimensions");
  return apply(shapeOps.unbind, [x], { dim: normalizeDim(dim, x.ndim) });
}

/** Reverses the order of elements along each of `dims` (`torch.flip`; a copy). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const list = (typeof dims === "number" ? [dims] : dims).map((d) => normalizeDim(d, x.ndim));
  if (new Set(list).size !== list.length) throw new ShapeError(`flip: dims [${list.join(", ")}] has a repeated dim`);
  return apply1(shapeOps.flip, [x], { dims: list });
}

/**
 * Repeats the tensor `repeats[d]` times along each dim (`Tensor.repeat`); extra leading
 * repeats add leading dims.
 *
 * ```ts
 * repeat(tensor([1, 2]), [2, 2]); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 * ```
 */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.ndim)
    throw new ShapeError(`repeat: number of repeat dims (${repeats.length}) can not be smaller than number of tensor dims (${x.ndim})`);
  if (repeats.some((r) => !Number.isInteger(r) || r < 0))
    throw new ValueError(`repeat: repeats must be non-negative integers, got [${repeats.join(", ")}]`);
  return apply1(shapeOps.repeat, [x], { repeats: [...repeats] });
}

/**
 * Pads (`torch.nn.functional.pad`). `padding` lists [before, after] pairs starting from the
 * LAST dim, as PyTorch does: `pad(x, [1, 1, 2, 0])` pads the last dim by 1 on each side and
 * the one before by 2 at the start. Negative pads crop. Modes: "constant" (with `value`),
 * "reflect" (mirror without the edge), "replicate" (repeat the edge), "circular" (wrap).
 *
 * ```ts
 * pad(tensor([1, 2, 3]), [2, 1], "reflect"); // [3, 2, 1, 2, 3, 2]
 * ```
 */
export function pad(x: Tensor, padding: readonly number[], mode: PadMode = "constant", value = 0): Tensor {
  if (!["constant", "reflect", "replicate", "circular"].includes(mode))
    throw new ValueError(`pad: mode must be one of constant, reflect, replicate, circular; got '${String(mode)}'`);
  if (padding.length % 2 !== 0) throw new ValueError("pad: padding length must be divisible by 2");
  if (padding.length / 2 > x.ndim) throw new ValueError(`pad: padding length too large (${padding.length} for a tensor of ${x.ndim} dims)`);
  if (padding.some((p) => !Number.isInteger(p))) throw new ValueError(`pad: padding must be integers, got [${padding.join(", ")}]`);
  if (mode !== "constant" && value !== 0) throw new ValueError(`pad: padding mode "${mode}" doesn't take in value argument`);
  const pads: [number, number][] = x.shape.map(() => [0, 0]);
  for (let k = 0; k < padding.length / 2; k++) pads[x.ndim - 1 - k] = [padding[2 * k]!, padding[2 * k + 1]!];
  pads.forEach(([before, after], d) => {
    const n = x.shape[d]!;
    if (before === 0 && after === 0) return;
    const out = n + before + after;
    if (out < 0) throw new ShapeError(`pad: padding (${before}, ${after}) at dim ${d} of size ${n} gives a negative size ${out}`);
    if (mode === "reflect" && (before >= n || after >= n))
      throw new ValueError(`pad: padding size should be less than the corresponding input dimension, but got padding (${before}, ${after}) at dimension ${d} of input ${formatShape(x.shape)}`);
    if (mode === "circular" && (before > n || after > n)) throw new ValueError("pad: padding value causes wrapping around more than once");
    if (mode === "circular" && n - Math.max(0, -before) - Math.max(0, -after) <= 0 && out > 0)
      throw new ValueError(`pad: circular padding (${before}, ${after}) crops all of dim ${d} of size ${n} before wrapping`);
    if ((mode === "replicate" || mode === "circular") && n === 0 && out > 0)
      throw new ValueError(`pad: ${mode} padding needs a non-empty dim ${d}`);
  });
  return apply1(shapeOps.pad, [x], { pads, mode, value });
}

/**
 * Windows of `size` elements every `step` along `dim`, as a new last dim (`Tensor.unfold`);
 * a view of the input.
 *
 * ```ts
 * unfold(arange(5), 0, 2, 2); // [[0, 1], [2, 3]]
 * ```
 */
export function unfold(x: Tensor, dim: number, size: number, step: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(step) || step <= 0) throw new ValueError(`unfold: step is ${step} but must be > 0`);
  if (!Number.isInteger(size) || size < 0 || size > n)
    throw new ShapeError(`unfold: maximum size for tensor at dimension ${d} is ${n} but size is ${size}`);
  return apply1(shapeOps.unfold, [x], { dim: d, size, step });
}
