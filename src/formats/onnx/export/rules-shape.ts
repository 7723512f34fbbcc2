/**
 * Export rules of the view, shape and indexing primitives. Views carry their target sizes
 * as attributes; with dynamic axes, a dim that follows an input's dynamic dim is written
 * so that ONNX copies it (Reshape 0, Expand 1, Slice to INT64_MAX) — see reshapeSpec in
 * src/graph/trace-dims.ts.
 */
import type { DType } from "../../../core/dtype.ts";
import type { Dim } from "../../../graph/ir.ts";
import { reshapeSpec } from "../../../graph/trace-dims.ts";
import type { DimAttrs, ScatterReduceAttrs } from "../../../ops/defs/indexing.ts";
import type { IndexPutAttrs } from "../../../ops/defs/advanced-index.ts";
import { padSourceIndex, type PadAttrs, type UnfoldAttrs } from "../../../ops/defs/shape.ts";
import type { TriangleAttrs } from "../../../ops/defs/linalg.ts";
import { attr } from "./builder.ts";
import { fail, simple, type EmitContext, type EmitValue, type Rule } from "./emit.ts";

type Any = EmitContext<unknown>;
type SliceAttrs = { dim: number; start: number; end: number; step: number };
const out = (c: Any) => c.outputs[0]!;
const x = (c: Any) => c.inputs[0]!;
const isStatic = (d: Dim): d is number => typeof d === "number";
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const view: Rule<{ shape: readonly number[] }> = (c) => {
  const { spec } = reshapeSpec(x(c), c.attrs.shape);
  // allowzero (opset 14): a literal 0 is a size, not "copy"; only static reshapes use it.
  const literalZero = spec.includes(0) && c.outputs[0]!.dims.every(isStatic);
  c.node("Reshape", [x(c).name, c.ints(spec)], [out(c).name], literalZero && c.opset >= 14 ? [attr.int("allowzero", 1)] : []);
};

const expand: Rule<{ shape: readonly number[] }> = (c) => {
  // A dynamic output dim came from the input's own dim: Expand keeps it when the shape says 1.
  const shape = out(c).dims.map((d, i) => (isStatic(d) ? out(c).shape[i]! : 1));
  c.node("Expand", [x(c).name, c.ints(shape)], [out(c).name]);
};

const slice: Rule<SliceAttrs> = (c) => {
  const { dim, start, step } = c.attrs;
  const v = x(c);
  const toEnd = !isStatic(v.dims[dim]!) && c.attrs.end === v.shape[dim];
  const end = toEnd ? Infinity : c.attrs.end;
  c.node("Slice", [v.name, c.ints([start]), c.ints([end]), c.ints([dim]), c.ints([step])], [out(c).name]);
};

// base with positions start, start+step, ... < end along dim replaced by src.
const sliceScatter: Rule<SliceAttrs> = (c) => {
  const [base, src] = c.inputs as [EmitValue, EmitValue];
  const { dim, start, end, step } = c.attrs;
  const o = out(c);
  if (step === 1) {
    const parts: string[] = [];
    const piece = (from: number, to: number) =>
      c.apply("Slice", [base.name, c.ints([from]), c.ints([to]), c.ints([dim])], o.dtype, o.dims.map((d, i) => (i === dim ? null : d)));
    if (start > 0) parts.push(piece(0, start));
    parts.push(src.name);
    if (end < base.shape[dim]!) parts.push(piece(end, Infinity));
    return parts.length === 1 ? c.node("Identity", parts, [o.name]) : c.node("Concat", parts, [o.name], [attr.int("axis", dim)]);
  }
  if (!src.dims.every(isStatic)) throw fail(c.op, "a strided slice_scatter along dynamic dims");
  // ScatterElements with each element's position along dim.
  const positions: number[] = [];
  const inner = src.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const count = src.shape[dim]!;
  const total = src.shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < total; i++) positions.push(start + Math.floor(i / inner) % count * step);
  const index = c.constant(positions, "int64", src.shape);
  c.node("ScatterElements", [base.name, index, src.name], [o.name], [attr.int("axis", dim)]);
};

const cat: Rule<{ dim: number }> = (c) => {
  // PyTorch's legacy rule: 1-D empty tensors are skipped.
  const kept = c.inputs.filter((v) => !(v.shape.length === 1 && v.shape[0] === 0 && out(c).shape.length !== 1));
  if (kept.length === 1) return c.node("Identity", [kept[0]!.name], [out(c).name]);
  c.node("Concat", kept.map((v) => v.name), [out(c).name], [attr.int("axis", c.attrs.dim)]);
};

// Split into pieces of size 1, then Squeeze the ones that are read.
const unbind: Rule<{ dim: number }> = (c) => {
  const v = x(c);
  const { dim } = c.attrs;
  if (!isStatic(v.dims[dim]!)) throw fail(c.op, "unbinding a dynamic dim");
  const pieceDims = v.dims.map((d, i) => (i === dim ? 1 : d));
  const pieces = c.outputs.map((_, i) => c.tmp(`piece${i}`, v.dtype, pieceDims));
  if (pieces.length === 0) return;
  c.node("Split", [v.name, c.ints(pieces.map(() => 1))], pieces, [attr.int("axis", dim)]);
  c.outputs.forEach((o, i) => c.used(i) && c.node("Squeeze", [pieces[i]!, c.ints([dim])], [o.name]));
};

const flip: Rule<{ dims: readonly number[] }> = (c) => {
  const { dims } = c.attrs;
  if (dims.length === 0) return c.node("Identity", [x(c).name], [out(c).name]);
  const starts = c.ints(dims.map(() => -1));
  const ends = c.ints(dims.map(() => -Infinity));
  c.node("Slice", [x(c).name, starts, ends, c.ints(dims), c.ints(dims.map(() => -1))], [out(c).name]);
};

const repeat: Rule<{ repeats: readonly number[] }> = (c) => {
  const { repeats } = c.attrs;
  const v = x(c);
  const extra = repeats.length - v.shape.length;
  const input = extra > 0 ? c.apply("Unsqueeze", [v.name, c.ints(range(extra))], v.dtype, [...repeats.slice(0, extra).map(() => 1), ...v.dims]) : v.name;
  c.node("Tile", [input, c.ints(repeats)], [out(c).name]);
};

const PAD_MODES = { constant: "constant", reflect: "reflect", replicate: "edge", circular: "wrap" } as const;

/**
 * Pad as one Gather per padded dim of the input positions each output position reads
 * (padSourceIndex): circular padding before opset 19 (no "wrap" mode), and negative pads
 * (crops) in the non-constant modes, whose ONNX forms crop differently from PyTorch.
 */
function padByGather(c: EmitContext<PadAttrs>): void {
  const { pads, mode } = c.attrs;
  const v = x(c);
  const padded = pads.map((p, d) => (p[0] !== 0 || p[1] !== 0 ? d : -1)).filter((d) => d >= 0);
  let current = v.name;
  const dims = [...v.dims];
  padded.forEach((d, k) => {
    const n = v.dims[d]!;
    if (!isStatic(n)) throw fail(c.op, `${mode} padding of a dynamic dim`);
    const size = n + pads[d]![0] + pads[d]![1];
    const positions = range(size).map((o) => padSourceIndex(mode, n, pads[d]!, o));
    dims[d] = size;
    const last = k === padded.length - 1;
    const target = last ? out(c).name : c.tmp("padded", v.dtype, [...dims]);
    c.node("Gather", [current, c.constant(positions, "int64", [size])], [target], [attr.int("axis", d)]);
    current = target;
  });
  if (padded.length === 0) c.node("Identity", [v.name], [out(c).name]);
}

const pad: Rule<PadAttrs> = (c) => {
  const { pads, mode, value } = c.attrs;
  const cropping = pads.some((p) => p[0] < 0 || p[1] < 0);
  if (mode !== "constant" && (cropping || (mode === "circular" && c.opset < 19))) return padByGather(c);
  const list = c.ints([...pads.map((p) => p[0]), ...pads.map((p) => p[1])]);
  const inputs = mode === "constant" ? [x(c).name, list, c.scalar(value, x(c).dtype)] : [x(c).name, list];
  c.node("Pad", inputs, [out(c).name], [attr.string("mode", PAD_MODES[mode])]);
};

// Window w's element k is input element w·step + k along dim: Gather, then the window axis last.
const unfold: Rule<UnfoldAttrs> = (c) => {
  const { dim, size, step } = c.attrs;
  const v = x(c);
  const o = out(c);
  if (v.shape.length === 0) return c.node("Reshape", [v.name, c.ints([1])], [o.name]);
  if (!isStatic(v.dims[dim]!)) throw fail(c.op, "unfold along a dynamic dim");
  const windows = o.shape[dim]!;
  const positions = range(windows * size).map((j) => Math.floor(j / size) * step + (j % size));
  const gathered = [...v.dims.slice(0, dim), windows, size, ...v.dims.slice(dim + 1)];
  const g = c.apply("Gather", [v.name, c.constant(positions, "int64", [windows, size])], v.dtype, gathered, [attr.int("axis", dim)]);
  const perm = range(gathered.length).filter((i) => i !== dim + 1);
  perm.push(dim + 1);
  c.node("Transpose", [g], [o.name], [attr.ints("perm", perm)]);
};

/** PyTorch reads a 0-d tensor as 1-d in gather/scatter; ONNX needs rank ≥ 1. */
function checkRank(c: Any): void {
  if (c.inputs.some((v) => v.shape.length === 0)) throw fail(c.op, "0-d inputs");
}

const scatter: Rule<DimAttrs> = (c) => {
  checkRank(c);
  const [base, index, src] = c.inputs as [EmitValue, EmitValue, EmitValue];
  c.node("ScatterElements", [base.name, index.name, cropTo(c, src, index)], [out(c).name], [attr.int("axis", c.attrs.dim)]);
};

/** PyTorch's scatter reads only the index-shaped corner of src; ONNX needs equal shapes. */
function cropTo(c: Any, src: EmitValue, like: EmitValue): string {
  if (src.shape.every((n, i) => n === like.shape[i])) return src.name;
  const axes = range(src.shape.length);
  return c.apply("Slice", [src.name, c.ints(axes.map(() => 0)), c.ints(like.shape), c.ints(axes)], src.dtype, like.dims);
}

const SCATTER_REDUCTIONS = { sum: ["add", 16], prod: ["mul", 16], amax: ["max", 18], amin: ["min", 18], mean: ["add", 16] } as const;

/** The value that leaves a reduction unchanged: 0, 1, the lowest or the highest of the dtype. */
function reductionIdentity(reduce: "sum" | "prod" | "amax" | "amin", dtype: DType): number {
  if (reduce === "sum") return 0;
  if (reduce === "prod") return 1;
  const low = reduce === "amax";
  if (dtype.startsWith("float") || dtype === "bfloat16") return low ? -Infinity : Infinity;
  if (dtype === "bool") return low ? 0 : 1;
  const bits = Number(/\d+/.exec(dtype)![0]);
  if (dtype.startsWith("uint")) return low ? 0 : 2 ** bits - 1;
  return low ? -(2 ** (bits - 1)) : 2 ** (bits - 1) - 1;
}

/**
 * ScatterElements with a reduction. PyTorch's include_self=False, and its mean, have no
 * reduction of their own: the positions any index reaches are counted (a scatter-add of
 * ones), and those positions start from the reduction's identity (or 0 for the mean's sum)
 * instead of the input.
 */
const scatterReduce: Rule<ScatterReduceAttrs> = (c) => {
  checkRank(c);
  const { reduce, includeSelf, dim } = c.attrs;
  const [onnx, since] = SCATTER_REDUCTIONS[reduce];
  if (c.opset < since) throw fail(c.op, `reduction ${onnx} needs opset ${since}, exporting opset ${c.opset}`);
  const [base, index, src] = c.inputs as [EmitValue, EmitValue, EmitValue];
  const o = out(c);
  const dtype = base.dtype;
  const updates = cropTo(c, src, index);
  const scatter = (data: string, values: string, reduction: string, target = c.tmp("scatter", dtype, o.dims)) => {
    c.node("ScatterElements", [data, index.name, values], [target], [attr.int("axis", dim), attr.string("reduction", reduction)]);
    return target;
  };
  if (includeSelf && reduce !== "mean") return void scatter(base.name, updates, onnx, o.name);
  if (reduce === "mean" && !(dtype.startsWith("float") || dtype === "bfloat16")) throw fail(c.op, `reduce='mean' of ${dtype} (PyTorch floors the quotient)`);
  const fill = (value: number, like: EmitValue) =>
    c.apply("Expand", [c.scalar(value, dtype), c.apply("Shape", [like.name], "int64", [like.shape.length])], dtype, like.dims);
  const count = scatter(fill(0, base), fill(1, index), "add");
  if (reduce === "mean") {
    const sum = scatter(includeSelf ? base.name : fill(0, base), updates, "add");
    const divisor = includeSelf ? c.apply("Add", [count, c.scalar(1, dtype)], dtype, o.dims) : c.apply("Max", [count, c.scalar(1, dtype)], dtype, o.dims);
    const mean = c.apply("Div", [sum, divisor], dtype, o.dims);
    if (includeSelf) return c.node("Identity", [mean], [o.name]);
    return c.node("Where", [c.apply("Greater", [count, c.scalar(0, dtype)], "bool", o.dims), mean, base.name], [o.name]);
  }
  const touched = c.apply("Greater", [count, c.scalar(0, dtype)], "bool", o.dims);
  const start = c.apply("Where", [touched, c.scalar(reductionIdentity(reduce, dtype), dtype), base.name], dtype, o.dims);
  scatter(start, updates, onnx, o.name);
};

const indexSelect: Rule<DimAttrs> = (c) => {
  const [v, index] = c.inputs as [EmitValue, EmitValue];
  const idx = index.shape.length === 0 ? c.apply("Reshape", [index.name, c.ints([1])], index.dtype, [1]) : index.name;
  if (v.shape.length === 0) return c.node("Identity", [v.name], [out(c).name]);
  c.node("Gather", [v.name, idx], [out(c).name], [attr.int("axis", c.attrs.dim)]);
};

// x with source's slices added at index along dim: ScatterElements(add) with index broadcast over source.
const indexAdd: Rule<DimAttrs> = (c) => {
  checkRank(c);
  if (c.opset < 16) throw fail(c.op, `needs opset 16 (ScatterElements reduction=add), exporting opset ${c.opset}`);
  const [v, index, source] = c.inputs as [EmitValue, EmitValue, EmitValue];
  const { dim } = c.attrs;
  const along = source.shape.map((_, i) => (i === dim ? index.shape[0] ?? 1 : 1));
  const shaped = c.apply("Reshape", [index.name, c.ints(along)], "int64", along);
  const full = c.apply("Expand", [shaped, c.ints(source.shape)], "int64", source.dims);
  c.node("ScatterElements", [v.name, full, source.name], [out(c).name], [attr.int("axis", dim), attr.string("reduction", "add")]);
};

/** Index tensors broadcast together and stacked on a new last axis: GatherND/ScatterND's indices. */
function stackedIndices(c: Any, indices: readonly EmitValue[]): { name: string; shape: number[] } {
  const shape = indices.map((v) => v.shape).reduce<number[]>((a, b) => broadcast(a, b), []);
  if (indices.some((v) => !v.dims.every(isStatic))) throw fail(c.op, "index tensors with dynamic dims");
  const columns = indices.map((v) => {
    const int64 = v.dtype === "int64" ? v.name : c.apply("Cast", [v.name], "int64", v.dims, [attr.int("to", 7)]);
    const full = c.apply("Expand", [int64, c.ints(shape)], "int64", shape);
    return c.apply("Unsqueeze", [full, c.ints([shape.length])], "int64", [...shape, 1]);
  });
  const name = columns.length === 1 ? columns[0]! : c.apply("Concat", columns, "int64", [...shape, indices.length], [attr.int("axis", -1)]);
  return { name, shape };
}

function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return range(n).map((i) => {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    return x === 1 ? y : x;
  });
}

const advancedIndex: Rule<unknown> = (c) => {
  const [v, ...indices] = c.inputs as [EmitValue, ...EmitValue[]];
  c.node("GatherND", [v.name, stackedIndices(c, indices).name], [out(c).name]);
};

const indexPut: Rule<IndexPutAttrs> = (c) => {
  const [v, values, ...indices] = c.inputs as [EmitValue, EmitValue, ...EmitValue[]];
  if (c.attrs.accumulate && c.opset < 16) throw fail(c.op, `accumulate needs opset 16 (ScatterND reduction=add), exporting opset ${c.opset}`);
  const { name, shape } = stackedIndices(c, indices);
  const updatesShape = [...shape, ...v.shape.slice(indices.length)];
  const updates = c.apply("Expand", [values.name, c.ints(updatesShape)], v.dtype as DType, updatesShape);
  c.node("ScatterND", [v.name, name, updates], [out(c).name], c.attrs.accumulate ? [attr.string("reduction", "add")] : []);
};

const triangle = (upper: boolean): Rule<TriangleAttrs> => (c) =>
  c.node("Trilu", [x(c).name, c.constant([c.attrs.diagonal], "int64", [])], [out(c).name], [attr.int("upper", upper)]);

export const shapeRules = {
  view,
  expand,
  permute: simple<{ dims: readonly number[] }>("Transpose", (a) => [attr.ints("perm", a.dims)]),
  slice,
  sliceScatter,
  clone: simple("Identity"),
  cat,
  unbind,
  flip,
  repeat,
  pad,
  unfold,
  gather: (c: EmitContext<DimAttrs>) => {
    checkRank(c);
    c.node("GatherElements", c.inputs.map((v) => v.name), [c.outputs[0]!.name], [attr.int("axis", c.attrs.dim)]);
  },
  scatter,
  scatterReduce,
  indexSelect,
  indexAdd,
  nonzero: (c: Any) => {
    const v = x(c);
    const nz = c.apply("NonZero", [v.name], "int64", [v.shape.length, null]);
    c.node("Transpose", [nz], [out(c).name], [attr.ints("perm", [1, 0])]);
  },
  advancedIndex,
  indexPut,
  tril: triangle(false),
  triu: triangle(true),
};
