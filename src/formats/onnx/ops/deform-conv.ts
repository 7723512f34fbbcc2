/**
 * DeformConv (2-D): each kernel tap samples the input bilinearly at its position plus a
 * learned offset (zeros outside the image), scaled by an optional mask, and the samples
 * are contracted with the weights per group. Tap positions and bilinear weights are
 * computed on the host; sampling and contraction are concord ops.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { tensor } from "../../../ops/creation.ts";
import { gather } from "../../../ops/defs/indexing.ts";
import { matmul } from "../../../ops/defs/linalg.ts";
import { sum } from "../../../ops/defs/reduce.ts";
import { expand, reshape } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { invalid, numberValues, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

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
  const off = numberValues(offset); // [n, og, kh, kw, 2, oh, ow]
  const index = new Array<number>(n * offsetGroups * k * p * 4);
  const weight = new Float64Array(n * offsetGroups * k * p * 4);
  let at = 0;
  for (let b = 0; b < n; b++)
    for (let g = 0; g < offsetGroups; g++)
      for (let t = 0; t < k; t++) {
        const [ki, kj] = [Math.floor(t / kw), t % kw];
        const base = ((b * offsetGroups + g) * k + t) * 2 * p;
        for (let q = 0; q < p; q++) {
          const [i, j] = [Math.floor(q / ow), q % ow];
          const y = -pads[0]! + sh * i + ki * dh + off[base + q]!;
          const xx = -pads[1]! + sw * j + kj * dw + off[base + p + q]!;
          const [y0, x0] = [Math.floor(y), Math.floor(xx)];
          const [fy, fx] = [y - y0, xx - x0];
          for (const [yy, xw, wy] of [[y0, x0, 1 - fy], [y0, x0 + 1, 1 - fy], [y0 + 1, x0, fy], [y0 + 1, x0 + 1, fy]] as const) {
            const wx = xw === x0 ? 1 - fx : fx;
            const inside = yy >= 0 && yy < ih && xw >= 0 && xw < iw;
            index[at] = inside ? yy * iw + xw : 0;
            weight[at] = inside ? wy * wx : 0;
            at++;
          }
        }
      }
  const perGroup = c / offsetGroups;
  const taps = k * p * 4;
  // [n, og, taps] -> one copy per channel of the offset group: [n, c, taps]
  const idx = reshape(expand(reshape(tensor(BigInt64Array.from(index, (v) => BigInt(v)), { shape: [n, offsetGroups, taps] }), [n, offsetGroups, 1, taps]), [n, offsetGroups, perGroup, taps]), [n, c, taps]);
  const wt = reshape(expand(reshape(tensor(weight, { dtype: x.dtype }), [n, offsetGroups, 1, taps]), [n, offsetGroups, perGroup, taps]), [n, c, k, p, 4]);
  const picked = reshape(gather(reshape(x, [n, c, ih * iw]), 2, idx.contiguous()), [n, c, k, p, 4]);
  let cols = sum(picked.mul(wt), [4]); // [n, c, k, p]
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
