/**
 * Tensor-manipulation ONNX operators: Identity, Constant, Cast, Shape, Reshape, Flatten,
 * Squeeze/Unsqueeze (axes as attribute before opset 13, as input since), Transpose,
 * Concat, Split, Slice (attributes before opset 10; negative steps), Gather, Expand, Tile,
 * Pad, ConstantOfShape, Range, and friends. Shape arithmetic runs on plain numbers.
 */
import type { DType } from "../../../core/dtype.ts";
import { broadcastShapes } from "../../../core/shape.ts";
import { Tensor } from "../../../core/tensor.ts";
import { elemTypeFromCode, isTensorElemType } from "../../../graph/elem-type.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { denseFromSparse, valueFromTensorData } from "../../../graph/tensor-data.ts";
import { HostTensor, type GraphValue } from "../../../graph/value.ts";
import { full, tensor } from "../../../ops/creation.ts";
import { split as splitSizes } from "../../../ops/composite/shape.ts";
import { indexSelect } from "../../../ops/defs/indexing.ts";
import { cat, flip, pad as padOp, repeat } from "../../../ops/defs/shape.ts";
import { expand, permute, reshape, slice, squeeze, to, unsqueeze } from "../../../ops/views.ts";
import type { OpFamily, OpVersion } from "./table.ts";
import { checkCount, int64Tensor, intValues, invalid, normAxis, optionalTensorAt, tensorAt, unsupported, type Inputs } from "./util.ts";

function identity(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const v = inputs[0];
  if (v === undefined) throw invalid(ctx, "input 0 is required");
  return [v];
}

function constant(_inputs: Inputs, ctx: OpContext): GraphValue[] {
  const a = ctx.attrs;
  const t = a.tensor("value");
  if (t) return [valueFromTensorData(t)];
  if (a.has("value_float")) return [tensor([a.float("value_float")!], { dtype: "float32" }).reshape([])];
  if (a.has("value_floats")) return [tensor(a.floats("value_floats")!, { dtype: "float32" })];
  if (a.has("value_int")) return [tensor(BigInt64Array.of(a.bigint("value_int")!)).reshape([])];
  if (a.has("value_ints")) return [tensor(BigInt64Array.from(a.bigints("value_ints")!))];
  if (a.has("value_string")) return [new HostTensor("string", [], [a.string("value_string")!])];
  if (a.has("value_strings")) {
    const s = a.strings("value_strings")!;
    return [new HostTensor("string", [s.length], s)];
  }
  const sparse = a.raw("sparse_value");
  if (sparse?.type === "sparse_tensor") return [valueFromTensorData(denseFromSparse(sparse.value))];
  throw unsupported(ctx, "needs a value attribute");
}

/** The dtype an ONNX `to` code names, or an UnsupportedError for types concord lacks. */
export function dtypeOfCode(code: number, ctx: OpContext): DType {
  const t = elemTypeFromCode(code);
  if (t === undefined) throw invalid(ctx, `unknown data type ${code}`);
  if (!isTensorElemType(t)) throw unsupported(ctx, `element type ${t} is not a concord dtype`);
  return t as DType;
}

const shapeOf = (v: GraphValue | undefined, ctx: OpContext): readonly number[] => {
  if (v instanceof Tensor || v instanceof HostTensor) return v.shape;
  throw invalid(ctx, "input 0 should be a tensor");
};

function shapeOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const shape = shapeOf(inputs[0], ctx);
  const r = shape.length;
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + r : i, 0), r);
  const start = clampIdx(ctx.attrs.int("start", 0));
  const end = ctx.attrs.has("end") ? clampIdx(ctx.attrs.int("end")!) : r;
  return [int64Tensor(shape.slice(start, Math.max(start, end)))];
}

/** ONNX Reshape: 0 copies the input's size (unless allowzero=1), -1 is inferred. */
function reshapeOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const spec = ctx.opset < 5 ? ctx.attrs.ints("shape", []) : intValues(tensorAt(inputs, 1, ctx));
  const allowZero = ctx.attrs.int("allowzero", 0) === 1;
  const shape = spec.map((d, i) => (d === 0 && !allowZero ? x.shape[i]! : d));
  return [reshape(x, shape)];
}

function flattenOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const a = ctx.attrs.int("axis", 1);
  if (a < -x.ndim || a > x.ndim) throw invalid(ctx, `axis ${a} is out of range for rank ${x.ndim}`);
  const axis = a < 0 ? a + x.ndim : a;
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(axis).reduce((a, b) => a * b, 1);
  return [reshape(x, [outer, inner])];
}

/** Axes from the attribute (older opsets) or from input 1 (opset 13+ for Squeeze/Unsqueeze/Reduce*). */
export function axesOf(inputs: Inputs, ctx: OpContext, inputSince: number, inputIndex = 1): number[] | undefined {
  if (ctx.opset < inputSince) return ctx.attrs.ints("axes");
  const t = optionalTensorAt(inputs, inputIndex, ctx);
  return t ? intValues(t) : undefined;
}

function squeezeOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const axes = axesOf(inputs, ctx, 13);
  if (!axes) return [squeeze(x)];
  const norm = axes.map((a) => normAxis(a, x.ndim, ctx));
  for (const a of norm) if (x.shape[a] !== 1) throw invalid(ctx, `cannot squeeze axis ${a} of size ${x.shape[a]}`);
  return [reshape(x, x.shape.filter((_, i) => !norm.includes(i)))];
}

function unsqueezeOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const axes = axesOf(inputs, ctx, 13) ?? [];
  const rank = x.ndim + axes.length;
  const norm = axes.map((a) => normAxis(a, rank, ctx)).sort((a, b) => a - b);
  let y = x;
  for (const a of norm) y = unsqueeze(y, a);
  return [y];
}

function transposeOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const perm = ctx.attrs.ints("perm") ?? x.shape.map((_, i) => x.ndim - 1 - i);
  return [permute(x, perm)];
}

function concatOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const xs = inputs.map((_, i) => tensorAt(inputs, i, ctx));
  const rank = xs[0]!.ndim;
  const axis = normAxis(ctx.attrs.int("axis", ctx.opset < 4 ? 1 : 0), rank, ctx);
  // Empty tensors of any shape would be skipped by cat's PyTorch rule; ONNX needs equal ranks.
  return [cat(xs, axis)];
}

function splitOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const axis = normAxis(ctx.attrs.int("axis", 0), x.ndim, ctx);
  const n = x.shape[axis]!;
  const outputs = ctx.node.outputs.length;
  let sizes: number[] | undefined =
    ctx.opset < 13 ? ctx.attrs.ints("split") ?? (inputs[1] instanceof Tensor ? intValues(inputs[1]) : undefined) : optionalTensorAt(inputs, 1, ctx) && intValues(tensorAt(inputs, 1, ctx));
  if (!sizes) {
    const numOutputs = ctx.attrs.int("num_outputs", outputs);
    const size = Math.ceil(n / numOutputs);
    sizes = Array.from({ length: numOutputs }, (_, i) => Math.max(0, Math.min(size, n - i * size)));
  }
  return splitSizes(x, sizes, axis);
}

/** ONNX Slice: per-axis start/end clamped as the spec says; negative steps walk backwards. */
export function sliceAxis(x: Tensor, axis: number, start: number, end: number, step: number, ctx: OpContext): Tensor {
  if (step === 0) throw invalid(ctx, "slice step cannot be 0");
  const n = x.shape[axis]!;
  const norm = (i: number) => (i < 0 ? i + n : i);
  if (step > 0) {
    const s = Math.min(Math.max(norm(start), 0), n);
    const e = Math.min(Math.max(norm(end), 0), n);
    return slice(x, axis, s, Math.max(s, e), step);
  }
  const s = Math.min(Math.max(norm(start), -1), n - 1);
  const e = Math.min(Math.max(norm(end), -1), n - 1);
  if (s <= e) return slice(x, axis, 0, 0);
  // Reversed: index i of the flipped axis is n-1-i.
  return slice(flip(x, axis), axis, n - 1 - s, n - 1 - e, -step);
}

function sliceOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.attrs.ints("starts", []);
    ends = ctx.attrs.ints("ends", []);
    axes = ctx.attrs.ints("axes");
  } else {
    starts = intValues(tensorAt(inputs, 1, ctx));
    ends = intValues(tensorAt(inputs, 2, ctx));
    const a = optionalTensorAt(inputs, 3, ctx);
    const s = optionalTensorAt(inputs, 4, ctx);
    axes = a && intValues(a);
    steps = s && intValues(s);
  }
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, x.ndim, ctx));
  let y = x;
  ax.forEach((a, i) => {
    y = sliceAxis(y, a, starts[i]!, ends[i]!, steps?.[i] ?? 1, ctx);
  });
  return [y];
}

/** Indices with negatives counted from the end of a dim of size n, as int64. */
export function wrapIndices(indices: Tensor, n: number): Tensor {
  const i = to(indices, "int64");
  return i.add(i.lt(0).to("int64").mul(n));
}

function gatherOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const indices = tensorAt(inputs, 1, ctx);
  const axis = normAxis(ctx.attrs.int("axis", 0), x.ndim, ctx);
  const n = x.shape[axis]!;
  const flat = reshape(wrapIndices(indices, n), [indices.size]);
  for (const v of intValues(flat)) if (v < 0 || v >= n) throw invalid(ctx, `index ${v} is out of range for axis ${axis} of size ${n}`);
  const picked = indexSelect(x, axis, flat);
  return [reshape(picked, [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)])];
}

function expandOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const shape = intValues(tensorAt(inputs, 1, ctx));
  // ONNX Expand broadcasts both ways: a 1 in `shape` keeps x's size.
  const target = broadcastShapes(x.shape, shape);
  return [expand(x, target).contiguous()];
}

function tileOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const repeats = intValues(tensorAt(inputs, 1, ctx));
  if (repeats.length !== x.ndim) throw invalid(ctx, `repeats has ${repeats.length} entries for a rank-${x.ndim} input`);
  return [repeat(x, repeats)];
}

function constantOfShape(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const shape = intValues(tensorAt(inputs, 0, ctx));
  const t = ctx.attrs.tensor("value");
  if (!t) return [full(shape, 0, { dtype: "float32" })];
  const v = valueFromTensorData(t);
  if (!(v instanceof Tensor)) throw unsupported(ctx, `value of element type ${t.elemType}`);
  return [expand(reshape(v, []), shape).contiguous()];
}

function rangeOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const [start, limit, delta] = [0, 1, 2].map((i) => tensorAt(inputs, i, ctx));
  const dtype = start!.dtype;
  const s = Number(start!.item()), l = Number(limit!.item()), d = Number(delta!.item());
  if (d === 0) throw invalid(ctx, "delta cannot be 0");
  const n = checkCount(Math.max(Math.ceil((l - s) / d), 0), ctx, "Range");
  const values = Array.from({ length: n }, (_, i) => s + i * d);
  return [tensor(values, { dtype })];
}

const PAD_MODES = { constant: "constant", reflect: "reflect", edge: "replicate", wrap: "circular" } as const;

function padOpImpl(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const mode = ctx.attrs.string("mode", "constant");
  const m = PAD_MODES[mode as keyof typeof PAD_MODES];
  if (!m) throw invalid(ctx, `unknown pad mode ${mode}`);
  let pads: number[];
  let value = 0;
  let axes: number[];
  if (ctx.opset < 11) {
    pads = ctx.attrs.ints(ctx.opset < 2 ? "paddings" : "pads", []);
    value = ctx.attrs.float("value", 0);
    axes = x.shape.map((_, i) => i);
  } else {
    pads = intValues(tensorAt(inputs, 1, ctx));
    const cv = optionalTensorAt(inputs, 2, ctx);
    if (cv && cv.size > 0) value = Number(cv.reshape([cv.size]).dataSync()[0]);
    const a = optionalTensorAt(inputs, 3, ctx);
    axes = a ? intValues(a).map((v) => normAxis(v, x.ndim, ctx)) : x.shape.map((_, i) => i);
  }
  if (pads.length !== 2 * axes.length) throw invalid(ctx, `pads has ${pads.length} entries for ${axes.length} axes`);
  // ONNX lists all begins then all ends; PyTorch's pad lists (before, after) pairs from the last dim.
  const pairs: number[] = new Array<number>(2 * x.ndim).fill(0);
  axes.forEach((a, i) => {
    const k = x.ndim - 1 - a;
    pairs[2 * k] = pads[i]!;
    pairs[2 * k + 1] = pads[i + axes.length]!;
  });
  while (pairs.length > 0 && pairs[pairs.length - 1] === 0 && pairs[pairs.length - 2] === 0) pairs.length -= 2;
  if (pairs.length === 0) return [x.clone()];
  return [padOp(x, pairs, m, m === "constant" ? value : 0)];
}

function sizeOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const shape = shapeOf(inputs[0], ctx);
  return [tensor(BigInt64Array.of(BigInt(shape.reduce((a, b) => a * b, 1)))).reshape([])];
}

/** Tile-1: `tiles` copies along the one axis given as an input. */
function tileV1(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const tiles = intValues(tensorAt(inputs, 1, ctx))[0]!;
  const axis = normAxis(intValues(tensorAt(inputs, 2, ctx))[0]!, x.ndim, ctx);
  return [repeat(x, x.shape.map((_, i) => (i === axis ? tiles : 1)))];
}

const versions = (...list: OpVersion[]) => list;

export const tensorOps: OpFamily = {
  Identity: identity,
  Constant: constant,
  Shape: shapeOp,
  Size: sizeOp,
  Reshape: reshapeOp,
  Flatten: flattenOp,
  Squeeze: squeezeOp,
  Unsqueeze: unsqueezeOp,
  Transpose: transposeOp,
  Concat: concatOp,
  Split: splitOp,
  Slice: sliceOp,
  Gather: gatherOp,
  Expand: expandOp,
  Tile: versions({ since: 1, impl: tileV1 }, { since: 6, impl: tileOp }),
  ConstantOfShape: constantOfShape,
  Range: rangeOp,
  Pad: padOpImpl,
};

