/**
 * Indexing operators: GatherElements, GatherND (batch_dims), ScatterElements/Scatter
 * (reductions), ScatterND (reductions), OneHot, NonZero, Compress, Unique. Negative indices
 * count from the end of their axis, as ONNX allows.
 */
import { isFloating } from "../../../core/dtype.ts";
import { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { arange } from "../../../ops/creation.ts";
import { advancedIndex, indexPut } from "../../../ops/defs/advanced-index.ts";
import { gather, indexSelect, nonzero, scatter, scatterReduce } from "../../../ops/defs/indexing.ts";
import * as b from "../../../ops/defs/binary.ts";
import { reshape, to, transpose } from "../../../ops/views.ts";
import { wrapIndices } from "./tensor.ts";
import type { OpFamily } from "./table.ts";
import { checkCount, int64Tensor, intValues, invalid, normAxis, numberValues, tensorAt, type Inputs } from "./util.ts";

function checkRange(index: Tensor, n: number, ctx: OpContext): void {
  for (const v of intValues(index)) if (v < 0 || v >= n) throw invalid(ctx, `index ${v} is out of range for an axis of size ${n}`);
}

function gatherElements(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const axis = normAxis(ctx.attrs.int("axis", 0), x.ndim, ctx);
  const index = wrapIndices(tensorAt(inputs, 1, ctx), x.shape[axis]!);
  checkRange(index, x.shape[axis]!, ctx);
  return [gather(x, axis, index)];
}

const REDUCTIONS = { add: "sum", mul: "prod", max: "amax", min: "amin" } as const;

function scatterElements(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const axis = normAxis(ctx.attrs.int("axis", 0), x.ndim, ctx);
  const index = wrapIndices(tensorAt(inputs, 1, ctx), x.shape[axis]!);
  checkRange(index, x.shape[axis]!, ctx);
  const updates = tensorAt(inputs, 2, ctx);
  const reduction = ctx.attrs.string("reduction", "none");
  if (reduction === "none") return [scatter(x, axis, index, updates)];
  const r = REDUCTIONS[reduction as keyof typeof REDUCTIONS];
  if (!r) throw invalid(ctx, `unknown reduction ${reduction}`);
  return [scatterReduce(x, axis, index, updates, r)];
}

/** The k index tensors of an ONNX [..., k] index tensor, negatives wrapped by `dims`. */
function splitLastAxis(indices: Tensor, dims: readonly number[]): Tensor[] {
  const k = indices.shape[indices.ndim - 1]!;
  return Array.from({ length: k }, (_, j) => wrapIndices(indices.select(-1, j), dims[j]!));
}

function gatherND(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const indices = tensorAt(inputs, 1, ctx);
  const bd = ctx.attrs.int("batch_dims", 0);
  const batchShape = x.shape.slice(0, bd);
  const batch = batchShape.reduce((p, d) => p * d, 1);
  const k = indices.shape[indices.ndim - 1]!;
  const data = reshape(x, [batch, ...x.shape.slice(bd)]);
  const idx = reshape(indices, [batch, ...indices.shape.slice(bd)]);
  const parts = splitLastAxis(idx, data.shape.slice(1));
  const batchIndex = reshape(arange(batch), [batch, ...idx.shape.slice(1, -1).map(() => 1)]);
  const picked = advancedIndex(data, [batchIndex, ...parts]);
  return [reshape(picked, [...batchShape, ...indices.shape.slice(bd, -1), ...x.shape.slice(bd + k)])];
}

function scatterND(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const indices = tensorAt(inputs, 1, ctx);
  const updates = tensorAt(inputs, 2, ctx);
  const reduction = ctx.attrs.string("reduction", "none");
  const parts = splitLastAxis(indices, x.shape);
  if (reduction === "none" || reduction === "add") return [indexPut(x, parts, updates, reduction === "add")];
  // mul / max / min: apply the updates one index tuple at a time, in order.
  const k = parts.length;
  const rows = indices.size / Math.max(k, 1);
  const flatIdx = parts.map((p) => intValues(reshape(p, [rows])));
  const upd = reshape(updates, [rows, ...x.shape.slice(k)]);
  let y = x.clone();
  for (let r = 0; r < rows; r++) {
    const at = flatIdx.map((list) => int64Tensor([list[r]!]));
    const current = advancedIndex(y, at);
    const u = upd.narrow(0, r, 1);
    const combined = reduction === "mul" ? current.mul(u) : reduction === "max" ? b.maximum(current, u) : reduction === "min" ? b.minimum(current, u) : null;
    if (!combined) throw invalid(ctx, `unknown reduction ${reduction}`);
    y = indexPut(y, at, combined);
  }
  return [y];
}

function oneHotOp(inputs: Inputs, ctx: OpContext): Tensor[] {
  const indices = tensorAt(inputs, 0, ctx);
  const depth = checkCount(Math.trunc(numberValues(tensorAt(inputs, 1, ctx))[0]!), ctx, "the OneHot depth");
  const values = tensorAt(inputs, 2, ctx);
  const rank = indices.ndim + 1;
  const axis = normAxis(ctx.attrs.int("axis", -1), rank, ctx);
  const idx = isFloating(indices.dtype) ? to(indices.trunc(), "int64") : to(indices, "int64");
  const wrapped = idx.add(idx.lt(0).to("int64").mul(depth));
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = depth;
  const classes = reshape(arange(depth), shape);
  const hot = b.eq(wrapped.unsqueeze(axis), classes);
  const [off, on] = [values.select(0, 0), values.select(0, 1)];
  return [b.where(hot, on, off)];
}

function compress(inputs: Inputs, ctx: OpContext): Tensor[] {
  let x = tensorAt(inputs, 0, ctx);
  const condition = tensorAt(inputs, 1, ctx);
  const axisAttr = ctx.attrs.int("axis");
  if (axisAttr === undefined) x = reshape(x, [x.size]);
  const axis = axisAttr === undefined ? 0 : normAxis(axisAttr, x.ndim, ctx);
  const picks = intValues(reshape(nonzero(condition.ne(0)), [-1])).filter((i) => i < x.shape[axis]!);
  return [indexSelect(x, axis, int64Tensor(picks))];
}

/** Unique (host): sorted or first-occurrence order, over the flattened input or along an axis. */
function unique(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const axisAttr = ctx.attrs.int("axis");
  const sorted = ctx.attrs.int("sorted", 1) === 1;
  const data = axisAttr === undefined ? reshape(x, [x.size, 1]) : transposeToFront(x, normAxis(axisAttr, x.ndim, ctx));
  const n = data.shape[0]!;
  const rowLen = n === 0 ? 0 : data.size / n;
  const flat = numberValues(data.contiguous());
  const rows = Array.from({ length: n }, (_, i) => flat.slice(i * rowLen, (i + 1) * rowLen));
  const key = (r: number[]) => r.join(",");
  const firstIndex = new Map<string, number>();
  rows.forEach((r, i) => {
    if (!firstIndex.has(key(r))) firstIndex.set(key(r), i);
  });
  let order = [...firstIndex.values()];
  if (sorted)
    order.sort((p, q) => {
      const [a, c] = [rows[p]!, rows[q]!];
      for (let j = 0; j < a.length; j++) if (a[j] !== c[j]) return a[j]! - c[j]!;
      return 0;
    });
  const position = new Map(order.map((i, k) => [key(rows[i]!), k]));
  const counts = new Array<number>(order.length).fill(0);
  const inverse = rows.map((r) => {
    const k = position.get(key(r))!;
    counts[k]!++;
    return k;
  });
  order = order.slice();
  const picked = indexSelect(data, 0, int64Tensor(order));
  const y = axisAttr === undefined ? reshape(picked, [order.length]) : transposeFromFront(picked, normAxis(axisAttr, x.ndim, ctx));
  return [y, int64Tensor(order), int64Tensor(inverse), int64Tensor(counts)];
}

const transposeToFront = (x: Tensor, axis: number) => (axis === 0 ? x : transpose(x, 0, axis));
const transposeFromFront = (x: Tensor, axis: number) => (axis === 0 ? x : transpose(x, 0, axis));

export const indexingOps: OpFamily = {
  GatherElements: gatherElements,
  GatherND: gatherND,
  ScatterElements: scatterElements,
  Scatter: scatterElements,
  ScatterND: scatterND,
  OneHot: oneHotOp,
  NonZero: (inputs, ctx) => {
    const x = tensorAt(inputs, 0, ctx);
    return [transpose(nonzero(x.ndim === 0 ? reshape(x, [1]) : x), 0, 1).contiguous()];
  },
  Compress: compress,
  Unique: unique,
};

