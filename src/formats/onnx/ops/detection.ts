/**
 * NonMaxSuppression, MaxUnpool and Col2Im. Selection (NMS) runs on the host; the
 * scatters of MaxUnpool and Col2Im are concord ops, so values keep their gradient.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { zeros } from "../../../ops/creation.ts";
import { scatterAdd } from "../../../ops/composite/indexing.ts";
import { scatter } from "../../../ops/defs/indexing.ts";
import { pad } from "../../../ops/defs/shape.ts";
import { expand, reshape } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { int64Tensor, intValues, invalid, numberValues, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

/** Intersection over union above the threshold (ONNX's suppress_by_iou, corner or center boxes). */
function suppresses(a: number[], b: number[], centerBox: boolean, threshold: number): boolean {
  const bounds = (box: number[]) =>
    centerBox
      ? { x0: box[0]! - box[2]! / 2, x1: box[0]! + box[2]! / 2, y0: box[1]! - box[3]! / 2, y1: box[1]! + box[3]! / 2 }
      : { x0: Math.min(box[1]!, box[3]!), x1: Math.max(box[1]!, box[3]!), y0: Math.min(box[0]!, box[2]!), y1: Math.max(box[0]!, box[2]!) };
  const [p, q] = [bounds(a), bounds(b)];
  const ix = Math.min(p.x1, q.x1) - Math.max(p.x0, q.x0);
  const iy = Math.min(p.y1, q.y1) - Math.max(p.y0, q.y0);
  if (ix <= 0 || iy <= 0) return false;
  const inter = ix * iy;
  const areaA = (p.x1 - p.x0) * (p.y1 - p.y0);
  const areaB = (q.x1 - q.x0) * (q.y1 - q.y0);
  const union = areaA + areaB - inter;
  if (areaA <= 0 || areaB <= 0 || union <= 0) return false;
  return inter / union > threshold;
}

function nonMaxSuppression(inputs: Inputs, ctx: OpContext): Tensor[] {
  const boxes = tensorAt(inputs, 0, ctx);
  const scores = tensorAt(inputs, 1, ctx);
  const first = (i: number) => {
    const t = optionalTensorAt(inputs, i, ctx, true);
    return t ? numberValues(t)[0]! : undefined;
  };
  const maxPerClass = Math.max(first(2) ?? 0, 0);
  const iou = first(3) ?? 0;
  const scoreThreshold = first(4);
  const centerBox = ctx.attrs.int("center_point_box", 0) === 1;
  const [batches, nBoxes] = [boxes.shape[0]!, boxes.shape[1]!];
  const classes = scores.shape[1]!;
  const boxValues = numberValues(boxes);
  const scoreValues = numberValues(scores);
  const box = (bi: number, i: number) => boxValues.slice((bi * nBoxes + i) * 4, (bi * nBoxes + i + 1) * 4);
  const selected: number[] = [];
  for (let bi = 0; bi < batches; bi++)
    for (let c = 0; c < classes; c++) {
      const offset = (bi * classes + c) * nBoxes;
      const candidates: number[] = [];
      for (let i = 0; i < nBoxes; i++) if (scoreThreshold === undefined || scoreValues[offset + i]! > scoreThreshold) candidates.push(i);
      // Highest score first; among equal scores, the lower index first.
      candidates.sort((i, j) => scoreValues[offset + j]! - scoreValues[offset + i]! || i - j);
      const kept: number[] = [];
      for (const i of candidates) {
        if (kept.length >= maxPerClass) break;
        if (kept.every((k) => !suppresses(box(bi, i), box(bi, k), centerBox, iou))) {
          kept.push(i);
          selected.push(bi, c, i);
        }
      }
    }
  return [int64Tensor(selected, [selected.length / 3, 3])];
}

function maxUnpool(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const indices = tensorAt(inputs, 1, ctx);
  const outputShape = optionalTensorAt(inputs, 2, ctx);
  const kernel = ctx.attrs.ints("kernel_shape") ?? [];
  const nd = kernel.length;
  const strides = ctx.attrs.ints("strides") ?? kernel.map(() => 1);
  const pads = ctx.attrs.ints("pads") ?? new Array<number>(2 * nd).fill(0);
  const inferred = [x.shape[0]!, x.shape[1]!, ...kernel.map((k, i) => (x.shape[i + 2]! - 1) * strides[i]! - (pads[i]! + pads[nd + i]!) + k)];
  const total = inferred.reduce((p, d) => p * d, 1);
  const flat = scatter(zeros([total], { dtype: x.dtype }), 0, reshape(indices, [indices.size]), reshape(x, [x.size]));
  const y = reshape(flat, inferred);
  if (!outputShape) return [y];
  const target = intValues(outputShape);
  const pairs: number[] = [];
  for (let d = target.length - 1; d >= 0; d--) pairs.push(0, target[d]! - inferred[d]!);
  return [pad(y, pairs)];
}

function col2im(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const image = intValues(tensorAt(inputs, 1, ctx));
  const block = intValues(tensorAt(inputs, 2, ctx));
  const nd = image.length;
  const dilations = ctx.attrs.ints("dilations") ?? image.map(() => 1);
  const strides = ctx.attrs.ints("strides") ?? image.map(() => 1);
  const pads = ctx.attrs.ints("pads") ?? new Array<number>(2 * nd).fill(0);
  const kernelSize = block.reduce((p, d) => p * d, 1);
  const [n, rows, length] = x.shape as [number, number, number];
  if (rows % kernelSize !== 0) throw invalid(ctx, `input dim 1 (${rows}) is not a multiple of the block size ${kernelSize}`);
  const channels = rows / kernelSize;
  const cols = image.map((s, i) => Math.floor((s + pads[i]! + pads[nd + i]! - (dilations[i]! * (block[i]! - 1) + 1)) / strides[i]!) + 1);
  if (cols.reduce((p, d) => p * d, 1) !== length) throw invalid(ctx, `input dim 2 (${length}) does not match the ${cols.join("x")} sliding blocks`);
  const imageSize = image.reduce((p, d) => p * d, 1);
  // Each input element adds into one image position, or into a dropped slot past the end.
  const target: number[] = [];
  const unravel = (i: number, dims: readonly number[]) => {
    const out = new Array<number>(dims.length);
    for (let d = dims.length - 1; d >= 0; d--) {
      out[d] = i % dims[d]!;
      i = Math.floor(i / dims[d]!);
    }
    return out;
  };
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(r / kernelSize);
    const offset = unravel(r % kernelSize, block);
    for (let l = 0; l < length; l++) {
      const at = unravel(l, cols);
      let flat = 0;
      let inside = true;
      for (let d = 0; d < nd; d++) {
        const p = at[d]! * strides[d]! - pads[d]! + offset[d]! * dilations[d]!;
        if (p < 0 || p >= image[d]!) inside = false;
        flat = flat * image[d]! + p;
      }
      target.push(inside ? c * imageSize + flat : channels * imageSize);
    }
  }
  const index = expand(int64Tensor(target, [1, rows * length]), [n, rows * length]).contiguous();
  const sums = scatterAdd(zeros([n, channels * imageSize + 1], { dtype: x.dtype }), 1, index, reshape(x, [n, rows * length]));
  return [reshape(sums.narrow(1, 0, channels * imageSize), [n, channels, ...image])];
}

export const detectionOps: OpFamily = {
  NonMaxSuppression: nonMaxSuppression,
  MaxUnpool: maxUnpool,
  Col2Im: col2im,
};
