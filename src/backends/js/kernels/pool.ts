/**
 * js kernels of the pooling primitives and their backward twins.
 *
 * Each spatial dim is tabulated once as, per output position, the input positions of its
 * window and that dim's share of the divisor (Note: pool windows in ops/defs/pool.ts); a
 * window is the product of its dims' lists, and 1-d and 2-d run as 3-d with size-1 leading
 * dims. Max keeps the first of equal values and lets nan win (the last nan), as PyTorch's
 * CPU kernels do. Float sums accumulate in float64 and round once; integer means truncate
 * toward zero as PyTorch's int64 avg_pool2d does (int64 exactly, in BigInt).
 */
import { numel, type Shape } from "../../../core/shape.ts";
import { offsetsOf } from "../../../core/strided.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type {
  AdaptiveAvgPoolBackwardAttrs, AdaptivePoolAttrs, AvgPoolAttrs, AvgPoolBackwardAttrs, MaxPoolAttrs, MaxPoolBackwardAttrs,
} from "../../../ops/defs/pool.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";

/** Per output position o: window positions pos[start[o] .. start[o+1]) and the dim's divisor share. */
export interface Windows {
  readonly start: Int32Array;
  readonly pos: Int32Array;
  readonly divisor: Float64Array;
}

function tabulate(outSize: number, window: (o: number, push: (i: number) => void) => number): Windows {
  const start = new Int32Array(outSize + 1);
  const divisor = new Float64Array(outSize);
  const pos: number[] = [];
  for (let o = 0; o < outSize; o++) {
    start[o] = pos.length;
    divisor[o] = window(o, (i) => pos.push(i));
  }
  start[outSize] = pos.length;
  return { start, pos: Int32Array.from(pos), divisor };
}

/** maxPool: o·s − pb + j·d for j < k, inside [0, L) (PyTorch's max_pool loops). */
export function maxWindows(outSize: number, inSize: number, k: number, s: number, pb: number, d: number): Windows {
  return tabulate(outSize, (o, push) => {
    for (let j = 0; j < k; j++) {
      const i = o * s - pb + j * d;
      if (i >= 0 && i < inSize) push(i);
    }
    return 1;
  });
}

/** avgPool: [o·s − pb, o·s − pb + k) clipped to [0, L); the divisor share counts padding when asked. */
export function avgWindows(outSize: number, inSize: number, k: number, s: number, pb: number, pe: number, countIncludePad: boolean): Windows {
  return tabulate(outSize, (o, push) => {
    const begin = o * s - pb;
    const end = Math.min(begin + k, inSize + pe);
    const from = Math.max(begin, 0);
    const to = Math.min(end, inSize);
    for (let i = from; i < to; i++) push(i);
    return countIncludePad ? end - begin : Math.max(to - from, 0);
  });
}

/** Adaptive pooling: [floor(o·L/out), ceil((o+1)·L/out)), in integer arithmetic as PyTorch. */
export function adaptiveWindows(outSize: number, inSize: number): Windows {
  return tabulate(outSize, (o, push) => {
    const from = Math.floor((o * inSize) / outSize);
    const to = Math.floor(((o + 1) * inSize + outSize - 1) / outSize);
    for (let i = from; i < to; i++) push(i);
    return to - from;
  });
}

/** Strides for walks that only use the plane index. */
const DENSE_UNUSED: Strides3 = [0, 0, 0];

const UNIT: Windows = { start: Int32Array.of(0, 1), pos: Int32Array.of(0), divisor: Float64Array.of(1) };

/** The windows of every dim padded to three, the planes' input sizes and buffer strides. */
interface Plan {
  readonly planes: number;
  readonly channels: number;
  readonly windows: readonly [Windows, Windows, Windows];
  readonly outSizes: readonly [number, number, number];
  /** Strides of the three (padded) spatial dims in the flat plane index. */
  readonly planeStrides: readonly [number, number, number];
  readonly planeSize: number;
}

function pad3<T>(list: readonly T[], fill: T): [T, T, T] {
  return [...new Array<T>(3 - list.length).fill(fill), ...list] as [T, T, T];
}

function makePlan(shape: Shape, inSizes: readonly number[], windows: readonly Windows[]): Plan {
  const sizes3 = pad3(inSizes, 1);
  return {
    planes: shape[0]! * shape[1]!,
    channels: shape[1]!,
    windows: pad3(windows, UNIT),
    outSizes: pad3(windows.map((w) => w.divisor.length), 1),
    planeStrides: [sizes3[1] * sizes3[2], sizes3[2], 1],
    planeSize: numel(inSizes),
  };
}

/** Visits every (plane, output position, window) in output order. */
function forEachWindow(p: Plan, visit: (plane: number, t0: number, t1: number, t2: number) => void): void {
  const [od, oh, ow] = p.outSizes;
  for (let plane = 0; plane < p.planes; plane++)
    for (let t0 = 0; t0 < od; t0++) for (let t1 = 0; t1 < oh; t1++) for (let t2 = 0; t2 < ow; t2++) visit(plane, t0, t1, t2);
}

/**
 * Calls `visit(index, offset)` for each position of the window at (t0, t1, t2): its flat
 * index in the plane and its buffer offset from the plane's start in `x`.
 */
function forEachPosition(p: Plan, x: Strides3, t0: number, t1: number, t2: number, visit: (index: number, offset: number) => void): void {
  const [a, b, c] = p.windows;
  const [s0, s1] = p.planeStrides;
  for (let i = a.start[t0]!; i < a.start[t0 + 1]!; i++) {
    const i0 = a.pos[i]! * s0;
    const x0 = a.pos[i]! * x[0];
    for (let j = b.start[t1]!; j < b.start[t1 + 1]!; j++) {
      const i1 = i0 + b.pos[j]! * s1;
      const x1 = x0 + b.pos[j]! * x[1];
      for (let k = c.start[t2]!; k < c.start[t2 + 1]!; k++) visit(i1 + c.pos[k]!, x1 + c.pos[k]! * x[2]);
    }
  }
}

type Strides3 = readonly [number, number, number];

/** The spatial strides of a view padded to three dims. */
const spatialStrides = (x: JsView): Strides3 => pad3(x.strides.slice(2), 0);

/** Buffer offset of the start of plane `plane` (= n·C + c) of a strided [N, C, ...] view. */
function planeOffset(x: JsView, p: Plan, plane: number): number {
  const n = Math.floor(plane / p.channels);
  return x.offset + n * x.strides[0]! + (plane - n * p.channels) * x.strides[1]!;
}

/** Max over each window: values in x's compute type and int64 plane indices. */
function maxOver(x: JsView, p: Plan, out: TensorMeta): ComputeArray[] {
  const values = allocCompute(out.dtype, numel(out.shape));
  const indices = new BigInt64Array(values.length);
  const data = x.data;
  const strides = spatialStrides(x);
  let o = 0;
  forEachWindow(p, (plane, t0, t1, t2) => {
    const base = planeOffset(x, p, plane);
    let best: number | bigint = 0;
    let at = -1;
    forEachPosition(p, strides, t0, t1, t2, (index, offset) => {
      const v = data[base + offset]!;
      // PyTorch: `if ((val > maxval) || std::isnan(val))`, starting from the first position.
      if (at < 0 || v > best || v !== v) {
        best = v;
        at = index;
      }
    });
    (values as Float64Array)[o] = best as number;
    indices[o++] = BigInt(at);
  });
  return [values, indices];
}

/** Window means; `divisorOverride` replaces the product of the dims' divisor shares. */
function meanOver(x: JsView, p: Plan, out: TensorMeta, divisorOverride: number | null): ComputeArray {
  const result = allocCompute(out.dtype, numel(out.shape));
  const data = x.data;
  const strides = spatialStrides(x);
  const [a, b, c] = p.windows;
  let o = 0;
  forEachWindow(p, (plane, t0, t1, t2) => {
    const base = planeOffset(x, p, plane);
    const divisor = divisorOverride ?? a.divisor[t0]! * b.divisor[t1]! * c.divisor[t2]!;
    if (result instanceof BigInt64Array) {
      let sum = 0n;
      forEachPosition(p, strides, t0, t1, t2, (_, offset) => (sum += (data as BigInt64Array)[base + offset]!));
      result[o++] = divisor === 0 ? 0n : sum / BigInt(divisor);
      return;
    }
    let sum = 0;
    let count = 0;
    forEachPosition(p, strides, t0, t1, t2, (_, offset) => {
      sum += (data as Float64Array)[base + offset]!;
      count++;
    });
    const isFloat = result instanceof Float32Array || result instanceof Float64Array;
    // An empty window (all padding) gives 0, as PyTorch's kernels do.
    const mean = count === 0 ? 0 : sum / divisor;
    result[o++] = isFloat ? mean : Math.trunc(mean);
  });
  return result;
}

/** Adds each output gradient, times `scale` of its window, into every position of the window. */
function spreadOver(g: JsView, p: Plan, out: TensorMeta, scale: (t0: number, t1: number, t2: number) => number): ComputeArray {
  const acc = new Float64Array(numel(out.shape));
  const offsets = offsetsOf(g.shape, g.strides, g.offset);
  const data = g.data as Float64Array;
  let o = 0;
  forEachWindow(p, (plane, t0, t1, t2) => {
    const base = plane * p.planeSize;
    const share = data[offsets[o++]!]! * scale(t0, t1, t2);
    forEachPosition(p, DENSE_UNUSED, t0, t1, t2, (index) => (acc[base + index] += share));
  });
  const result = allocCompute(out.dtype, acc.length) as Float64Array;
  result.set(acc);
  return result;
}

const spatialOf = (shape: Shape) => shape.slice(2);

function maxPlan(x: JsView, attrs: MaxPoolAttrs, out: TensorMeta): Plan {
  const inSizes = spatialOf(x.shape);
  const windows = spatialOf(out.shape).map((n, i) =>
    maxWindows(n, inSizes[i]!, attrs.kernelSize[i]!, attrs.stride[i]!, attrs.padBegin[i]!, attrs.dilation[i]!),
  );
  return makePlan(x.shape, inSizes, windows);
}

function avgPlan(shape: Shape, inSizes: readonly number[], outSizes: readonly number[], attrs: AvgPoolAttrs): Plan {
  const windows = outSizes.map((n, i) =>
    avgWindows(n, inSizes[i]!, attrs.kernelSize[i]!, attrs.stride[i]!, attrs.padBegin[i]!, attrs.padEnd[i]!, attrs.countIncludePad),
  );
  return makePlan(shape, inSizes, windows);
}

function adaptivePlan(shape: Shape, inSizes: readonly number[], outSizes: readonly number[]): Plan {
  return makePlan(shape, inSizes, outSizes.map((n, i) => adaptiveWindows(n, inSizes[i]!)));
}

/** 1 / (product of divisor shares, or the override) of the window at (t0, t1, t2). */
function inverseDivisor(p: Plan, divisorOverride: number | null) {
  const [a, b, c] = p.windows;
  return (t0: number, t1: number, t2: number) => 1 / (divisorOverride ?? a.divisor[t0]! * b.divisor[t1]! * c.divisor[t2]!);
}

export const poolKernels = {
  maxPool: ([x]: JsView[], attrs: MaxPoolAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => maxOver(x!, maxPlan(x!, attrs, out!), out!),
  adaptiveMaxPool: ([x]: JsView[], attrs: AdaptivePoolAttrs, [out]: readonly TensorMeta[]): ComputeArray[] =>
    maxOver(x!, adaptivePlan(x!.shape, spatialOf(x!.shape), attrs.outputSize), out!),
  avgPool: ([x]: JsView[], attrs: AvgPoolAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    meanOver(x!, avgPlan(x!.shape, spatialOf(x!.shape), spatialOf(out!.shape), attrs), out!, attrs.divisorOverride),
  ],
  adaptiveAvgPool: ([x]: JsView[], attrs: AdaptivePoolAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    meanOver(x!, adaptivePlan(x!.shape, spatialOf(x!.shape), attrs.outputSize), out!, null),
  ],
  maxPoolBackward: ([g, indices]: JsView[], attrs: MaxPoolBackwardAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const acc = new Float64Array(numel(out!.shape));
    const planeSize = numel(attrs.inputSize);
    const perPlane = numel(spatialOf(g!.shape));
    const gOffsets = offsetsOf(g!.shape, g!.strides, g!.offset);
    const iOffsets = offsetsOf(indices!.shape, indices!.strides, indices!.offset);
    const gd = g!.data as Float64Array;
    const id = indices!.data as BigInt64Array;
    for (let o = 0; o < gOffsets.length; o++) {
      const plane = Math.floor(o / perPlane);
      acc[plane * planeSize + Number(id[iOffsets[o]!]!)] += gd[gOffsets[o]!]!;
    }
    const result = allocCompute(out!.dtype, acc.length) as Float64Array;
    result.set(acc);
    return [result];
  },
  avgPoolBackward: ([g]: JsView[], attrs: AvgPoolBackwardAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const p = avgPlan(g!.shape, attrs.inputSize, spatialOf(g!.shape), attrs);
    return [spreadOver(g!, p, out!, inverseDivisor(p, attrs.divisorOverride))];
  },
  adaptiveAvgPoolBackward: ([g]: JsView[], attrs: AdaptiveAvgPoolBackwardAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const p = adaptivePlan(g!.shape, attrs.inputSize, attrs.outputSize);
    return [spreadOver(g!, p, out!, inverseDivisor(p, null))];
  },
};
