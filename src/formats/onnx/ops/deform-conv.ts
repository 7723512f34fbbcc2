/**
 * DeformConv (2-D): each kernel tap samples the input bilinearly at its position plus a
 * learned offset (zeros outside the image), scaled by an optional mask, and the samples
 * are contracted with the weights per group — all in ops, so the offsets and the mask get
 * gradients too.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { tensor } from "../../../ops/creation.ts";
import { matmul } from "../../../ops/defs/linalg.ts";
import { expand, reshape } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { linearGather } from "./sampling.ts";
import { invalid, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

function deformConv(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const w = tensorAt(inputs, 1, ctx);
  const offset = tensorAt(inputs, 2, ctx);
  const bias = optionalTensorAt(inputs, 3, ctx);
  const mask = optionalTensorAt(inputs, 4, ctx);
  if (x.ndim !== 4) throw invalid(ctx, "only 2-D DeformConv is supported");
  const a = ctx.attrs;
  const [kh, kw] = (a.ints("kernel_shape") ?? w.shape.slice(2)) as [number, number];
  const [sh, sw] = a.ints("strides", [1, 1]) as [number, number];
  const [dh, dw] = a.ints("dilations", [1, 1]) as [number, number];
  const pads = a.ints("pads", [0, 0, 0, 0]);
  const group = a.int("group", 1);
  const offsetGroups = a.int("offset_group", 1);
  const [n, c, ih, iw] = x.shape as [number, number, number, number];
  const [oh, ow] = [offset.shape[2]!, offset.shape[3]!];
  const k = kh * kw;
  const p = oh * ow;
  // Sampling positions: the tap's place in the window plus its learned offset.
  const perGroup = c / offsetGroups;
  const off = reshape(offset, [n, offsetGroups, k, 2, p]);
  /** Where tap t of output position q sits along one dim before its offset: [1, 1, k, p]. */
  const base = (stride: number, pad: number, dilation: number, tapOf: (t: number) => number, posOf: (q: number) => number) => {
    const values = new Float64Array(k * p);
    for (let t = 0; t < k; t++) for (let q = 0; q < p; q++) values[t * p + q] = -pad + stride * posOf(q) + tapOf(t) * dilation;
    return reshape(tensor(values, { dtype: offset.dtype }), [1, 1, k, p]);
  };
  const ys = base(sh, pads[0]!, dh, (t) => Math.floor(t / kw), (q) => Math.floor(q / ow)).add(off.select(3, 0));
  const xs = base(sw, pads[1]!, dw, (t) => t % kw, (q) => q % ow).add(off.select(3, 1));
  // One sampling per (batch, offset group) over that group's channels: [n·og, c/og, k·p].
  const planes = reshape(x, [n * offsetGroups, perGroup, ih * iw]);
  const flatCoords = [ys, xs].map((u) => reshape(u, [n * offsetGroups, k * p]));
  let cols = reshape(linearGather(planes, flatCoords, [ih, iw], false), [n, c, k, p]);
  if (mask) cols = cols.mul(reshape(expand(reshape(mask, [n, offsetGroups, 1, k, p]), [n, offsetGroups, perGroup, k, p]), [n, c, k, p]));
  const oc = w.shape[0]!;
  const grouped = reshape(cols, [n, group, (c / group) * k, p]);
  const weights = reshape(w, [1, group, oc / group, (c / group) * k]);
  let out = reshape(matmul(weights, grouped), [n, oc, oh, ow]);
  if (bias) out = out.add(reshape(bias, [oc, 1, 1]));
  return [out];
}

export const deformConvOps: OpFamily = {
  DeformConv: deformConv,
};
