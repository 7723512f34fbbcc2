/**
 * NonMaxSuppression, RoiAlign, MaxUnpool and Col2Im. Selection (NMS) runs on the host; the
 * scatters of MaxUnpool and Col2Im are concord ops, so values keep their gradient.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { tensor, zeros } from "../../../ops/creation.ts";
import * as b from "../../../ops/defs/binary.ts";
import { amax, sum } from "../../../ops/defs/reduce.ts";
import { scatterAdd } from "../../../ops/composite/indexing.ts";
import { gather, indexSelect, scatter } from "../../../ops/defs/indexing.ts";
import { pad } from "../../../ops/defs/shape.ts";
import { expand, reshape } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { checkCount, int64Tensor, intValues, invalid, numberValues, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

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

/** RoiAlign: bilinear samples on a grid in each bin of each region, averaged or maxed (ONNX's reference). */
function roiAlign(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const rois = numberValues(tensorAt(inputs, 1, ctx));
  const batchIndex = intValues(tensorAt(inputs, 2, ctx));
  const a = ctx.attrs;
  const mode = a.string("mode", "avg").toLowerCase();
  const [outH, outW] = [a.int("output_height", 1), a.int("output_width", 1)];
  const ratio = a.int("sampling_ratio", 0);
  const scale = a.float("spatial_scale", 1);
  const halfPixel = a.string("coordinate_transformation_mode", ctx.opset >= 16 ? "half_pixel" : "output_half_pixel").toLowerCase() === "half_pixel";
  const [c, height, width] = [x.shape[1]!, x.shape[2]!, x.shape[3]!];
  const nRois = batchIndex.length;
  const cols = rois.length / Math.max(nRois, 1);
  // Samples per bin vary by region; pad every region to the largest count with zero weights.
  const plans = batchIndex.map((_, n) => {
    const off = halfPixel ? 0.5 : 0;
    const [x0, y0, x1, y1] = [0, 1, 2, 3].map((k) => rois[n * cols + k]! * scale - off) as [number, number, number, number];
    let [rw, rh] = [x1 - x0, y1 - y0];
    if (!halfPixel) [rw, rh] = [Math.max(rw, 1), Math.max(rh, 1)];
    const [bh, bw] = [rh / outH, rw / outW];
    const gh = ratio > 0 ? ratio : Math.ceil(rh / outH);
    const gw = ratio > 0 ? ratio : Math.ceil(rw / outW);
    checkCount(gh * gw * outH * outW * 4 * batchIndex.length, ctx, "the RoiAlign samples");
    const taps: [number, number][][] = [];
    for (let ph = 0; ph < outH; ph++)
      for (let pw = 0; pw < outW; pw++) {
        const bin: [number, number][] = [];
        for (let iy = 0; iy < gh; iy++)
          for (let ix = 0; ix < gw; ix++) {
            let yy = y0 + ph * bh + ((iy + 0.5) * bh) / gh;
            let xx = x0 + pw * bw + ((ix + 0.5) * bw) / gw;
            if (yy < -1 || yy > height || xx < -1 || xx > width) {
              bin.push([0, 0], [0, 0], [0, 0], [0, 0]);
              continue;
            }
            yy = Math.max(yy, 0);
            xx = Math.max(xx, 0);
            let [yl, xl] = [Math.trunc(yy), Math.trunc(xx)];
            let yhigh = yl + 1;
            let xhigh = xl + 1;
            if (yl >= height - 1) [yhigh, yl, yy] = [height - 1, height - 1, height - 1];
            if (xl >= width - 1) [xhigh, xl, xx] = [width - 1, width - 1, width - 1];
            const [ly, lx] = [yy - yl, xx - xl];
            const [hy, hx] = [1 - ly, 1 - lx];
            bin.push([yl * width + xl, hy * hx], [yl * width + xhigh, hy * lx], [yhigh * width + xl, ly * hx], [yhigh * width + xhigh, ly * lx]);
          }
        taps.push(bin);
      }
    return { taps, count: Math.max(gh * gw, 1) };
  });
  const k = Math.max(...plans.flatMap((p) => p.taps.map((t) => t.length)), 4);
  const bins = outH * outW;
  const index: number[] = [];
  const weight: number[] = [];
  const valid: number[] = [];
  for (const p of plans)
    for (const bin of p.taps)
      for (let t = 0; t < k; t++) {
        const tap = bin[t];
        index.push(tap ? tap[0] : 0);
        weight.push(tap ? tap[1] / (mode === "avg" ? p.count : 1) : 0);
        valid.push(tap ? 1 : 0);
      }
  const planes = reshape(indexSelect(x, 0, int64Tensor(batchIndex)), [nRois, c, height * width]);
  const idx = expand(int64Tensor(index, [nRois, 1, bins * k]), [nRois, c, bins * k]).contiguous();
  const picked = reshape(gather(planes, 2, idx), [nRois, c, bins, k]);
  const weighted = picked.mul(reshape(tensor(Float64Array.from(weight), { dtype: x.dtype }), [nRois, 1, bins, k]));
  if (mode === "avg") return [reshape(sum(weighted, [3]), [nRois, c, outH, outW])];
  const mask = reshape(tensor(Uint8Array.from(valid), { dtype: "bool" }), [nRois, 1, bins, k]);
  return [reshape(amax(b.where(mask, weighted, -Infinity), [3]), [nRois, c, outH, outW])];
}

export const detectionOps: OpFamily = {
  RoiAlign: roiAlign,
  NonMaxSuppression: nonMaxSuppression,
  MaxUnpool: maxUnpool,
  Col2Im: col2im,
};
