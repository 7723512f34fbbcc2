/**
 * Rearranging operators: DepthToSpace, SpaceToDepth, ReverseSequence, CenterCropPad,
 * TensorScatter (KV-cache writes), EyeLike and BitCast.
 */
import { Tensor } from "../../../core/tensor.ts";
import { elemTypeFromCode, isTensorElemType } from "../../../graph/elem-type.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { storageValues, valueFromTensorData } from "../../../graph/tensor-data.ts";
import { HostTensor, isTensorLike, type GraphValue, type HostArray } from "../../../graph/value.ts";
import type { DType } from "../../../core/dtype.ts";
import { tensor } from "../../../ops/creation.ts";
import { gather, scatter } from "../../../ops/defs/indexing.ts";
import { pad } from "../../../ops/defs/shape.ts";
import { expand, permute, reshape } from "../../../ops/views.ts";
import { elemBits } from "../../../graph/elem-type.ts";
import { fromRawBytes, toRawBytes } from "../tensor-proto.ts";
import { dtypeOfCode } from "./tensor.ts";
import type { OpFamily } from "./table.ts";
import { int64Tensor, intValues, invalid, normAxis, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

function depthToSpace(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const b = ctx.attrs.int("blocksize", 1);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const crd = ctx.attrs.string("mode", "DCR") === "CRD";
  const split = crd ? reshape(x, [n, c / (b * b), b, b, h, w]) : reshape(x, [n, b, b, c / (b * b), h, w]);
  const moved = permute(split, crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2]);
  return [reshape(moved, [n, c / (b * b), h * b, w * b])];
}

function spaceToDepth(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const b = ctx.attrs.int("blocksize", 1);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const moved = permute(reshape(x, [n, c, h / b, b, w / b, b]), [0, 3, 5, 1, 2, 4]);
  return [reshape(moved, [n, c * b * b, h / b, w / b])];
}

/** Reverses the first seq_len[b] steps along the time axis of every batch entry (a gather). */
function reverseSequence(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const lens = intValues(tensorAt(inputs, 1, ctx));
  const timeAxis = normAxis(ctx.attrs.int("time_axis", 0), x.ndim, ctx);
  const batchAxis = normAxis(ctx.attrs.int("batch_axis", 1), x.ndim, ctx);
  const [T, B] = [x.shape[timeAxis]!, x.shape[batchAxis]!];
  const idx: number[] = [];
  const timeFirst = timeAxis < batchAxis;
  for (let i = 0; i < (timeFirst ? T : B); i++)
    for (let j = 0; j < (timeFirst ? B : T); j++) {
      const [t, b] = timeFirst ? [i, j] : [j, i];
      const len = lens[b]!;
      idx.push(t < len ? len - 1 - t : t);
    }
  const shape = x.shape.map((d, k) => (k === timeAxis || k === batchAxis ? d : 1));
  return [gather(x, timeAxis, expand(int64Tensor(idx, shape), x.shape).contiguous())];
}

function centerCropPad(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const sizes = intValues(tensorAt(inputs, 1, ctx));
  const axes = (ctx.attrs.ints("axes") ?? x.shape.map((_, i) => i)).map((a) => normAxis(a, x.ndim, ctx));
  const pairs = new Array<number>(2 * x.ndim).fill(0);
  axes.forEach((a, i) => {
    const d = sizes[i]! - x.shape[a]!;
    const half = Math.trunc(d / 2);
    const k = x.ndim - 1 - a;
    // Growing pads the odd extra position at the end; shrinking crops it there too.
    pairs[2 * k] = half;
    pairs[2 * k + 1] = d - half;
  });
  return [pad(x, pairs)];
}

function tensorScatter(inputs: Inputs, ctx: OpContext): Tensor[] {
  const past = tensorAt(inputs, 0, ctx);
  const update = tensorAt(inputs, 1, ctx);
  const axis = normAxis(ctx.attrs.int("axis", -2), past.ndim, ctx);
  if (axis === 0) throw invalid(ctx, "the sequence axis cannot be the batch axis 0");
  const circular = ctx.attrs.string("mode", "linear") === "circular";
  const w = optionalTensorAt(inputs, 2, ctx);
  const batch = past.shape[0]!;
  const starts = w ? intValues(w) : new Array<number>(batch).fill(0);
  const max = past.shape[axis]!;
  const steps = update.shape[axis]!;
  const idx: number[] = [];
  for (let b = 0; b < batch; b++)
    for (let s = 0; s < steps; s++) {
      const p = starts[b]! + s;
      const pos = circular ? ((p % max) + max) % max : p;
      if (pos < 0 || pos >= max) throw invalid(ctx, `write position ${pos} is outside the cache of ${max}`);
      idx.push(pos);
    }
  const shape = update.shape.map((_, k) => (k === 0 ? batch : k === axis ? steps : 1));
  const index = expand(int64Tensor(idx, shape), update.shape).contiguous();
  return [scatter(past, axis, index, update)];
}

function eyeLike(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const code = ctx.attrs.int("dtype");
  const dtype: DType = code ? dtypeOfCode(code, ctx) : x.dtype;
  const [n, m] = x.shape as [number, number];
  const k = ctx.attrs.int("k", 0);
  const values = new Float64Array(n * m);
  for (let i = 0; i < n; i++) if (i + k >= 0 && i + k < m) values[i * m + i + k] = 1;
  return [tensor(values, { shape: [n, m], dtype })];
}

/** Reinterprets the bytes of each element as another type of the same width. */
function bitCast(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const v = inputs[0];
  if (!isTensorLike(v)) throw invalid(ctx, "input 0 should be a tensor");
  const target = elemTypeFromCode(ctx.attrs.int("to", 0));
  const from = v instanceof Tensor ? v.dtype : v.elemType;
  if (!target || target === "string" || from === "string") throw invalid(ctx, "BitCast needs numeric types");
  if (elemBits(target) !== elemBits(from)) throw invalid(ctx, `${from} and ${target} differ in width`);
  const data: HostArray = v instanceof Tensor ? (storageValues(v) as HostArray) : v.data;
  const bytes = toRawBytes(data, from);
  const out = fromRawBytes(bytes, target, v instanceof Tensor ? v.size : v.size, "BitCast");
  if (isTensorElemType(target)) return [valueFromTensorData({ elemType: target, dims: [...v.shape], data: out })];
  return [new HostTensor(target, v.shape, out)];
}

export const layoutOps: OpFamily = {
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  ReverseSequence: reverseSequence,
  CenterCropPad: centerCropPad,
  TensorScatter: tensorScatter,
  EyeLike: eyeLike,
  BitCast: bitCast,
};
