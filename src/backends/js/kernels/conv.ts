/**
 * js kernels of conv and convTranspose: direct loops over strided views, any dtype.
 *
 * Note: conv taps. Both ops compute out[n, co, o] = bias[co] + Σ_ci Σ_(taps of o)
 * x[n, ci, i] · w[.., k]; they differ only in which (input position i, kernel tap k) pairs
 * meet at output position o (Note: conv geometry in ops/defs/conv.ts) and in which weight
 * axis holds the output channel. So each spatial dim is tabulated once as, per output
 * position, the list of its taps with their buffer offsets into x and w; the loops then
 * never test bounds, and 1-d and 2-d run as 3-d with size-1 leading dims. Floats accumulate
 * in float64 and round once when stored (float16/bfloat16 arrive as float64); int8..int32
 * accumulate with Math.imul, exact modulo 2^32, and wrap to their width when stored; int64
 * accumulates exactly in BigInt and wraps when stored, as PyTorch's integer convolutions do.
 */
import { numel } from "../../../core/shape.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { ConvAttrs, ConvTransposeAttrs } from "../../../ops/defs/conv.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";

/** Per output position o: taps start[o] .. start[o+1] − 1, with offsets into x and w. */
export interface Taps {
  readonly start: Int32Array;
  readonly xOffset: Int32Array;
  readonly wOffset: Int32Array;
}

function tabulate(outSize: number, pairs: (o: number, push: (i: number, k: number) => void) => void, xStride: number, wStride: number): Taps {
  const start = new Int32Array(outSize + 1);
  const xs: number[] = [];
  const ws: number[] = [];
  for (let o = 0; o < outSize; o++) {
    start[o] = xs.length;
    pairs(o, (i, k) => {
      xs.push(i * xStride);
      ws.push(k * wStride);
    });
  }
  start[outSize] = xs.length;
  return { start, xOffset: Int32Array.from(xs), wOffset: Int32Array.from(ws) };
}

/** conv: output o meets input o·s − pb + k·d for each tap k inside [0, L). */
function convTaps(outSize: number, inSize: number, kernel: number, s: number, pb: number, d: number, xStride: number, wStride: number): Taps {
  return tabulate(outSize, (o, push) => {
    for (let k = 0; k < kernel; k++) {
      const i = o * s - pb + k * d;
      if (i >= 0 && i < inSize) push(i, k);
    }
  }, xStride, wStride);
}

/** convTranspose: input i reaches output i·s − pb + k·d, so output o meets i = (o + pb − k·d) / s when whole. */
function convTransposeTaps(outSize: number, inSize: number, kernel: number, s: number, pb: number, d: number, xStride: number, wStride: number): Taps {
  return tabulate(outSize, (o, push) => {
    for (let k = 0; k < kernel; k++) {
      const t = o + pb - k * d;
      if (t >= 0 && t % s === 0 && t / s < inSize) push(t / s, k);
    }
  }, xStride, wStride);
}

/** A size-1 dim: one tap at offset 0. */
const UNIT: Taps = { start: Int32Array.of(0, 1), xOffset: Int32Array.of(0), wOffset: Int32Array.of(0) };

/** Everything the loops need, with spatial dims padded to three. */
interface Plan {
  readonly batch: number;
  readonly groups: number;
  readonly cinPerGroup: number;
  readonly coutPerGroup: number;
  readonly outSizes: readonly [number, number, number];
  readonly taps: readonly [Taps, Taps, Taps];
  /** x strides of batch and channel; w offsets per group, per output channel and per input channel within it. */
  readonly xBatch: number;
  readonly xChannel: number;
  readonly wGroup: number;
  readonly wOut: number;
  readonly wIn: number;
}

type TapsFn = typeof convTaps;

function plan(x: JsView, w: JsView, attrs: ConvAttrs, out: TensorMeta, transposed: boolean): Plan {
  const nd = x.shape.length - 2;
  const outSpatial = out.shape.slice(2);
  const make: TapsFn = transposed ? convTransposeTaps : convTaps;
  const taps = outSpatial.map((n, i) =>
    make(n, x.shape[i + 2]!, w.shape[i + 2]!, attrs.stride[i]!, attrs.padBegin[i]!, attrs.dilation[i]!, x.strides[i + 2]!, w.strides[i + 2]!),
  );
  const pad = 3 - nd;
  const cin = x.shape[1]!;
  const cout = out.shape[1]!;
  const cinPerGroup = cin / attrs.groups;
  const coutPerGroup = cout / attrs.groups;
  return {
    batch: x.shape[0]!,
    groups: attrs.groups,
    cinPerGroup,
    coutPerGroup,
    outSizes: [...new Array<number>(pad).fill(1), ...outSpatial] as unknown as [number, number, number],
    taps: [...new Array<Taps>(pad).fill(UNIT), ...taps] as unknown as [Taps, Taps, Taps],
    xBatch: x.strides[0]!,
    xChannel: x.strides[1]!,
    // conv weight [G·Co, Ci, K...]; convTranspose weight [G·Ci, Co, K...] (Note: conv taps).
    wGroup: transposed ? cinPerGroup * w.strides[0]! : coutPerGroup * w.strides[0]!,
    wOut: transposed ? w.strides[1]! : w.strides[0]!,
    wIn: transposed ? w.strides[0]! : w.strides[1]!,
  };
}

/** Σ over input channels and taps for one output position, in float64. */
function dotFloat(xd: ArrayLike<number>, wd: ArrayLike<number>, xBase: number, wBase: number, p: Plan, t0: number, t1: number, t2: number): number {
  const [a, b, c] = p.taps;
  let acc = 0;
  for (let ci = 0; ci < p.cinPerGroup; ci++) {
    const xc = xBase + ci * p.xChannel;
    const wc = wBase + ci * p.wIn;
    for (let i = a.start[t0]!; i < a.start[t0 + 1]!; i++) {
      const x0 = xc + a.xOffset[i]!;
      const w0 = wc + a.wOffset[i]!;
      for (let j = b.start[t1]!; j < b.start[t1 + 1]!; j++) {
        const x1 = x0 + b.xOffset[j]!;
        const w1 = w0 + b.wOffset[j]!;
        for (let k = c.start[t2]!; k < c.start[t2 + 1]!; k++) acc += xd[x1 + c.xOffset[k]!]! * wd[w1 + c.wOffset[k]!]!;
      }
    }
  }
  return acc;
}

/** The same sum for int8..int32, modulo 2^32. */
function dotInt(xd: ArrayLike<number>, wd: ArrayLike<number>, xBase: number, wBase: number, p: Plan, t0: number, t1: number, t2: number): number {
  const [a, b, c] = p.taps;
  let acc = 0;
  for (let ci = 0; ci < p.cinPerGroup; ci++) {
    const xc = xBase + ci * p.xChannel;
    const wc = wBase + ci * p.wIn;
    for (let i = a.start[t0]!; i < a.start[t0 + 1]!; i++) {
      const x0 = xc + a.xOffset[i]!;
      const w0 = wc + a.wOffset[i]!;
      for (let j = b.start[t1]!; j < b.start[t1 + 1]!; j++) {
        const x1 = x0 + b.xOffset[j]!;
        const w1 = w0 + b.wOffset[j]!;
        for (let k = c.start[t2]!; k < c.start[t2 + 1]!; k++) acc = (acc + Math.imul(xd[x1 + c.xOffset[k]!]!, wd[w1 + c.wOffset[k]!]!)) | 0;
      }
    }
  }
  return acc;
}

/** The same sum for int64, exact in BigInt. */
function dotBigInt(xd: BigInt64Array, wd: BigInt64Array, xBase: number, wBase: number, p: Plan, t0: number, t1: number, t2: number): bigint {
  const [a, b, c] = p.taps;
  let acc = 0n;
  for (let ci = 0; ci < p.cinPerGroup; ci++) {
    const xc = xBase + ci * p.xChannel;
    const wc = wBase + ci * p.wIn;
    for (let i = a.start[t0]!; i < a.start[t0 + 1]!; i++) {
      const x0 = xc + a.xOffset[i]!;
      const w0 = wc + a.wOffset[i]!;
      for (let j = b.start[t1]!; j < b.start[t1 + 1]!; j++) {
        const x1 = x0 + b.xOffset[j]!;
        const w1 = w0 + b.wOffset[j]!;
        for (let k = c.start[t2]!; k < c.start[t2 + 1]!; k++) acc += xd[x1 + c.xOffset[k]!]! * wd[w1 + c.wOffset[k]!]!;
      }
    }
  }
  return acc;
}

/** Runs the loops of a plan: outputs in row-major order [N, G·Co, D, H, W]. */
function run(x: JsView, w: JsView, bias: JsView | undefined, p: Plan, out: TensorMeta): ComputeArray {
  const result = allocCompute(out.dtype, numel(out.shape));
  const [od, oh, ow] = p.outSizes;
  const bigint = result instanceof BigInt64Array;
  // float16/bfloat16 compute in Float64Array too (see compute.ts).
  const isFloat = result instanceof Float32Array || result instanceof Float64Array;
  let idx = 0;
  for (let n = 0; n < p.batch; n++) {
    for (let g = 0; g < p.groups; g++) {
      const xBase = x.offset + n * p.xBatch + g * p.cinPerGroup * p.xChannel;
      for (let col = 0; col < p.coutPerGroup; col++) {
        const co = g * p.coutPerGroup + col;
        const wBase = w.offset + g * p.wGroup + col * p.wOut;
        const b = bias ? bias.data[bias.offset + co * bias.strides[0]!]! : bigint ? 0n : 0;
        for (let t0 = 0; t0 < od; t0++) {
          for (let t1 = 0; t1 < oh; t1++) {
            for (let t2 = 0; t2 < ow; t2++) {
              if (bigint) {
                (result as BigInt64Array)[idx++] = (b as bigint) + dotBigInt(x.data as BigInt64Array, w.data as BigInt64Array, xBase, wBase, p, t0, t1, t2);
              } else if (isFloat) {
                (result as Float64Array)[idx++] = (b as number) + dotFloat(x.data as Float64Array, w.data as Float64Array, xBase, wBase, p, t0, t1, t2);
              } else {
                (result as Int32Array)[idx++] = ((b as number) + dotInt(x.data as Int32Array, w.data as Int32Array, xBase, wBase, p, t0, t1, t2)) | 0;
              }
            }
          }
        }
      }
    }
  }
  return result;
}

export const convKernels = {
  conv: ([x, w, bias]: JsView[], attrs: ConvAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    run(x!, w!, bias, plan(x!, w!, attrs, out!, false), out!),
  ],
  convTranspose: ([x, w, bias]: JsView[], attrs: ConvTransposeAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    run(x!, w!, bias, plan(x!, w!, attrs, out!, true), out!),
  ],
};
