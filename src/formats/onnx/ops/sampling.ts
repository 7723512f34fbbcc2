/**
 * Sampling at computed positions: GridSample (nearest / linear / cubic over 1 to 3 spatial
 * dims, zeros / border / reflection padding, align_corners) and AffineGrid. Linear sampling
 * with zeros or border padding is written in ops, so gradients reach both the input and the
 * grid; the other modes compute positions and weights on the host, as ONNX's reference does
 * per output point, and gather and weight the values with ops (the input keeps its gradient,
 * the grid gets none).
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { tensor } from "../../../ops/creation.ts";
import { gather } from "../../../ops/defs/indexing.ts";
import { matmul } from "../../../ops/defs/linalg.ts";
import { sum } from "../../../ops/defs/reduce.ts";
import { expand, reshape, to, transpose } from "../../../ops/views.ts";
import * as b from "../../../ops/defs/binary.ts";
import { clamp } from "../../../ops/defs/clamp.ts";
import type { OpFamily } from "./table.ts";
import { intValues, invalid, numberValues, tensorAt, type Inputs } from "./util.ts";

/** Reflects x into [lo, hi] by its nearer border, repeatedly (the reference's _gs_reflect). */
function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (x < lo) {
    const dx = lo - x;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

function cubicCoeffs(t: number): number[] {
  const A = -0.75;
  const x = Math.abs(t);
  return [
    ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A,
    ((A + 2) * x - (A + 3)) * x * x + 1,
    ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1,
    ((A * (2 - x) - 5 * A) * (2 - x) + 8 * A) * (2 - x) - 4 * A,
  ];
}

/** numpy's rint: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Linear interpolation of `flat` ([B, C, S], S the row-major product of `dims`) at source
 * coordinates `coords` (one [B, Q] tensor per dim), in ops so the gradient reaches both
 * the values and the coordinates: per dim the floor (constant) and fraction; each of the
 * 2^nd corner taps gathers its pixel with the product of the per-dim weights. A tap outside
 * the image weighs 0 (zeros padding) or reads the edge pixel (border padding, where the
 * caller has clamped the coordinates). Returns [B, C, Q].
 */
export function linearGather(flat: Tensor, coords: readonly Tensor[], dims: readonly number[], border: boolean): Tensor {
  const [batch, channels] = [flat.shape[0]!, flat.shape[1]!];
  const q = coords[0]!.shape[1]!;
  const nd = dims.length;
  const floors = coords.map((u) => u.detach().floor());
  const fracs = coords.map((u, i) => u.sub(floors[i]!));
  let out: Tensor | null = null;
  for (let t = 0; t < 2 ** nd; t++) {
    let index: Tensor | null = null;
    let w: Tensor | null = null;
    dims.forEach((d, i) => {
      const bit = (t >> (nd - 1 - i)) & 1;
      const j = floors[i]!.add(bit);
      let wi = bit ? fracs[i]! : fracs[i]!.neg().add(1);
      if (!border) wi = wi.mul(b.logicalAnd(b.ge(j, 0), b.le(j, d - 1)).to(wi.dtype));
      const jc = to(clamp(j, 0, d - 1), "int64");
      index = index ? index.mul(d).add(jc) : jc;
      w = w ? w.mul(wi) : wi;
    });
    const at = expand(reshape(index!, [batch, 1, q]), [batch, channels, q]).contiguous();
    const term = gather(flat, 2, at).mul(reshape(to(w!, flat.dtype), [batch, 1, q]));
    out = out ? out.add(term) : term;
  }
  return out!;
}

/** Linear GridSample with zeros or border padding (see linearGather). */
function gridSampleLinear(x: Tensor, grid: Tensor, align: boolean, border: boolean): Tensor {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const dims = x.shape.slice(2);
  const nd = dims.length;
  const outSpatial = grid.shape.slice(1, -1);
  const g = reshape(grid, [n, -1, nd]);
  const coords = dims.map((d, i) => {
    // Grid holds (x, y[, z]): the reverse of the dims order.
    const v = g.select(2, nd - 1 - i);
    const u = align ? v.add(1).div(2).mul(d - 1) : v.add(1).mul(d).sub(1).div(2);
    return border ? clamp(u, 0, d - 1) : u;
  });
  return reshape(linearGather(reshape(x, [n, c, -1]), coords, dims, border), [n, c, ...outSpatial]);
}

function gridSample(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const grid = tensorAt(inputs, 1, ctx);
  const mode = ctx.attrs.string("mode", ctx.opset < 20 ? "bilinear" : "linear").replace(/^bi/, "");
  const padding = ctx.attrs.string("padding_mode", "zeros");
  const align = ctx.attrs.int("align_corners", 0) === 1;
  if (mode === "linear" && padding !== "reflection") return [gridSampleLinear(x, grid, align, padding === "border")];
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const dims = x.shape.slice(2);
  const nd = dims.length;
  const outSpatial = grid.shape.slice(1, -1);
  const points = outSpatial.reduce((p, d) => p * d, 1);
  const g = Float32Array.from(numberValues(grid));
  const lo = dims.map(() => (align ? 0 : -0.5));
  const hi = dims.map((d) => (align ? d - 1 : d - 0.5));
  const taps = mode === "nearest" ? 1 : mode === "linear" ? 2 : mode === "cubic" ? 4 : 0;
  if (taps === 0) throw invalid(ctx, `unknown mode ${mode}`);
  const k = taps ** nd;
  const index = new Array<number>(n * points * k).fill(0);
  const weight = new Float64Array(n * points * k);
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((p, d) => p * d, 1));
  /** The pixel a tap reads along dim i, or -1 for a zero. */
  const pixel = (i: number, j: number): number => {
    const d = dims[i]!;
    if (padding === "zeros") return j >= 0 && j < d ? j : -1;
    if (padding === "border") return Math.min(Math.max(j, 0), d - 1);
    return Math.trunc(reflect(j, lo[i]!, hi[i]!));
  };
  for (let b = 0; b < n; b++)
    for (let p = 0; p < points; p++) {
      const base = (b * points + p) * nd;
      // Grid holds (x, y[, z]): the reverse of the dims order.
      const coords = dims.map((d, i) => {
        const v = g[base + nd - 1 - i]!;
        let u = Math.fround(align ? ((v + 1) / 2) * (d - 1) : ((v + 1) * d - 1) / 2);
        if (mode === "nearest") u = rint(u);
        if (u < lo[i]! || u > hi[i]!) {
          if (padding === "border") u = Math.min(Math.max(u, 0), d - 1);
          else if (padding === "reflection") u = reflect(u, lo[i]!, hi[i]!);
        }
        return u;
      });
      // Per dim: the taps' pixels and weights.
      const perDim = coords.map((u, i) => {
        if (mode === "nearest") return [[pixel(i, Math.trunc(u)), 1]] as [number, number][];
        const f = Math.floor(u);
        if (mode === "linear") return [[pixel(i, f), 1 - (u - f)], [pixel(i, f + 1), u - f]] as [number, number][];
        const w = cubicCoeffs(u - f);
        return [-1, 0, 1, 2].map((o, t) => [pixel(i, f + o), w[t]!]) as [number, number][];
      });
      for (let t = 0; t < k; t++) {
        let flat = 0;
        let w = 1;
        let rest = t;
        for (let i = nd - 1; i >= 0; i--) {
          const [j, wi] = perDim[i]![rest % taps]!;
          rest = Math.floor(rest / taps);
          if (j < 0) w = 0;
          else flat += j * strides[i]!;
          w *= wi;
        }
        const at = (b * points + p) * k + t;
        index[at] = w === 0 ? 0 : flat;
        weight[at] = w;
      }
    }
  const flatX = reshape(x, [n, c, -1]);
  const idx = expand(tensor(BigInt64Array.from(index, (v) => BigInt(v)), { shape: [n, 1, points * k] }), [n, c, points * k]).contiguous();
  const picked = reshape(gather(flatX, 2, idx), [n, c, points, k]);
  const w = reshape(tensor(weight, { dtype: "float64" }), [n, 1, points, k]);
  const out = sum(to(picked, "float64").mul(w), [3]);
  return [to(reshape(out, [n, c, ...outSpatial]), x.dtype)];
}

/** AffineGrid: the sampling grid theta · [x, y(, z), 1] over normalized output coordinates. */
function affineGrid(inputs: Inputs, ctx: OpContext): Tensor[] {
  const theta = tensorAt(inputs, 0, ctx);
  const size = intValues(tensorAt(inputs, 1, ctx));
  const align = ctx.attrs.int("align_corners", 0) === 1;
  const spatial = size.slice(2);
  const nd = spatial.length;
  const axis = (d: number) => Array.from({ length: d }, (_, i) => (align ? (d === 1 ? 0 : -1 + (2 * i) / (d - 1)) : (2 * i + 1) / d - 1));
  const axes = spatial.map(axis);
  const count = spatial.reduce((p, d) => p * d, 1);
  const base: number[] = [];
  for (let flat = 0; flat < count; flat++) {
    let rest = flat;
    const coord = new Array<number>(nd);
    for (let i = nd - 1; i >= 0; i--) {
      coord[i] = axes[i]![rest % spatial[i]!]!;
      rest = Math.floor(rest / spatial[i]!);
    }
    // (x, y[, z], 1): the reverse of the dims order.
    base.push(...coord.reverse(), 1);
  }
  const baseGrid = tensor(Float64Array.from(base), { dtype: theta.dtype, shape: [count, nd + 1] });
  const grid = matmul(baseGrid, transpose(theta, 1, 2));
  return [reshape(grid, [size[0]!, ...spatial, nd])];
}

export const samplingOps: OpFamily = {
  GridSample: gridSample,
  AffineGrid: affineGrid,
};
