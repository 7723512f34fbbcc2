/**
 * Export rules of pooling. Adaptive pooling whose input sizes are multiples of the output
 * sizes is a fixed-window pool; otherwise (see Note: uneven adaptive windows) the windows
 * are written out from the static sizes.
 */
import type { Dim } from "../../../graph/ir.ts";
import type { AdaptivePoolAttrs, AvgPoolAttrs, MaxPoolAttrs } from "../../../ops/defs/pool.ts";
import { attr } from "./builder.ts";
import { fail, unsupported, type EmitContext, type Rule } from "./emit.ts";
import { GRADIENT, reduceNode } from "./rules-nn.ts";

type Any = EmitContext<unknown>;
const out = (c: Any) => c.outputs[0]!;
const x = (c: Any) => c.inputs[0]!;
const isStatic = (d: Dim): d is number => typeof d === "number";
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/**
 * MaxPool with PyTorch's indices when they are read: ONNX counts positions over the whole
 * tensor ((n·C + c)·H + h)·W + w, PyTorch within each plane: the remainder by the plane size.
 */
function maxPoolNode(c: Any, kernel: readonly number[], stride: readonly number[], pads: readonly number[], dilation: readonly number[], ceil: boolean): void {
  const v = x(c);
  const attrs = [attr.ints("kernel_shape", kernel), attr.ints("strides", stride), attr.ints("pads", pads), attr.ints("dilations", dilation), attr.int("ceil_mode", ceil)];
  if (!c.used(1)) return c.node("MaxPool", [v.name], [out(c).name], attrs);
  if (!v.dims.slice(2).every(isStatic)) throw fail(c.op, "max-pool indices over dynamic spatial dims");
  const flat = c.tmp("maxpool_flat_indices", "int64", c.outputs[1]!.dims);
  c.node("MaxPool", [v.name], [out(c).name, flat], attrs);
  const plane = product(v.shape.slice(2));
  c.node("Mod", [flat, c.constant([plane], "int64", [])], [c.outputs[1]!.name], [attr.int("fmod", 0)]);
}

const maxPool: Rule<MaxPoolAttrs> = (c) =>
  maxPoolNode(c, c.attrs.kernelSize, c.attrs.stride, [...c.attrs.padBegin, ...c.attrs.padEnd], c.attrs.dilation, c.attrs.ceilMode);

const avgPool: Rule<AvgPoolAttrs> = (c) => {
  const a = c.attrs;
  const override = a.divisorOverride;
  const attrs = [
    attr.ints("kernel_shape", a.kernelSize),
    attr.ints("strides", a.stride),
    attr.ints("pads", [...a.padBegin, ...a.padEnd]),
    attr.int("ceil_mode", a.ceilMode),
    attr.int("count_include_pad", override !== null || a.countIncludePad),
  ];
  if (override === null) return c.node("AveragePool", [x(c).name], [out(c).name], attrs);
  // Every window averaged over its full size, then rescaled to the given divisor.
  const mean = c.apply("AveragePool", [x(c).name], out(c).dtype, out(c).dims, attrs);
  c.node("Mul", [mean, c.scalar(product(a.kernelSize) / override, out(c).dtype)], [out(c).name]);
};

// Note: uneven adaptive windows. PyTorch's output position i of n -> m reads the input
// range [floor(i·n/m), ceil((i+1)·n/m)): windows of two sizes that may overlap, which no
// fixed-window pool gives. An average is separable, so each uneven dim becomes m
// Slice + ReduceMean pieces joined by a Concat (dims whose size is a multiple share one
// AveragePool). A maximum with its index is not: the input plane is flattened and one
// Gather reads every window at once, padded to the largest window by repeating its first
// position (a repeat changes neither the maximum nor the first index of it, which is
// PyTorch's); ReduceMax and ArgMax over the window axis then give the values and, through
// the table of positions, the indices.

/** The input range each output position of an adaptive pool reads. */
function adaptiveRanges(n: number, m: number): [number, number][] {
  return range(m).map((i) => [Math.floor((i * n) / m), Math.ceil(((i + 1) * n) / m)]);
}

/** The spatial input sizes, which uneven windows need to know. */
function staticSpatial(c: Any): number[] {
  const sizes = x(c).dims.slice(2);
  if (!sizes.every(isStatic)) throw fail(c.op, "adaptive pooling over dynamic spatial dims to a size other than 1");
  return sizes;
}

const adaptiveAvgPool: Rule<AdaptivePoolAttrs> = (c) => {
  const v = x(c);
  const { outputSize } = c.attrs;
  if (outputSize.every((n) => n === 1)) return c.node("GlobalAveragePool", [v.name], [out(c).name]);
  const sizes = staticSpatial(c);
  const even = sizes.map((n, i) => n % outputSize[i]! === 0);
  const dims: Dim[] = [...v.dims];
  // Each step with the dims of its output.
  const steps: [(input: string, target: string) => void, Dim[]][] = [];
  if (even.some((e, i) => e && sizes[i] !== outputSize[i])) {
    const window = sizes.map((n, i) => (even[i] ? n / outputSize[i]! : 1));
    window.forEach((w, i) => (dims[i + 2] = sizes[i]! / w));
    steps.push([(input, target) => c.node("AveragePool", [input], [target], [attr.ints("kernel_shape", window), attr.ints("strides", window)]), [...dims]]);
  }
  sizes.forEach((n, i) => {
    if (even[i]) return;
    const axis = i + 2;
    const pieceDims = [...dims];
    pieceDims[axis] = 1;
    steps.push([(input, target) => {
      const pieces = adaptiveRanges(n, outputSize[i]!).map(([start, end]) => {
        const part = c.apply("Slice", [input, c.ints([start]), c.ints([end]), c.ints([axis])], v.dtype, pieceDims.map((d, k) => (k === axis ? end - start : d)));
        const mean = c.tmp("window_mean", v.dtype, pieceDims);
        reduceNode(c, "ReduceMean", part, [axis], true, mean);
        return mean;
      });
      c.node("Concat", pieces, [target], [attr.int("axis", axis)]);
    }, dims.map((d, k) => (k === axis ? outputSize[i]! : d))]);
    dims[axis] = outputSize[i]!;
  });
  let current = v.name;
  steps.forEach(([step, stepDims], k) => {
    const target = k === steps.length - 1 ? out(c).name : c.tmp("pooled", v.dtype, stepDims);
    step(current, target);
    current = target;
  });
  if (steps.length === 0) c.node("Identity", [v.name], [out(c).name]);
};

const adaptiveMaxPool: Rule<AdaptivePoolAttrs> = (c) => {
  const v = x(c);
  const { outputSize } = c.attrs;
  if (outputSize.every((n) => n === 1) && !c.used(1)) return c.node("GlobalMaxPool", [v.name], [out(c).name]);
  const sizes = staticSpatial(c);
  if (sizes.every((n, i) => n % outputSize[i]! === 0)) {
    const w = sizes.map((n, i) => n / outputSize[i]!);
    return maxPoolNode(c, w, w, w.flatMap(() => [0, 0]), w.map(() => 1), false);
  }
  // The plane positions of each output position's window, in PyTorch's scan order.
  const strides = sizes.map((_, i) => product(sizes.slice(i + 1)));
  let windows: number[][] = [[0]];
  sizes.forEach((n, d) => {
    const ranges = adaptiveRanges(n, outputSize[d]!);
    windows = windows.flatMap((w) => ranges.map(([start, end]) => w.flatMap((p) => range(end - start).map((k) => p + (start + k) * strides[d]!))));
  });
  const width = Math.max(...windows.map((w) => w.length));
  const table = windows.flatMap((w) => [...w, ...Array<number>(width - w.length).fill(w[0]!)]);
  const cells = windows.length;
  const [n, ch] = v.dims as [Dim, Dim];
  const flat = c.apply("Reshape", [v.name, c.ints([0, 0, product(sizes)])], v.dtype, [n, ch, product(sizes)]);
  const gathered = c.apply("Gather", [flat, c.constant(table, "int64", [cells, width])], v.dtype, [n, ch, cells, width], [attr.int("axis", 2)]);
  const maxima = c.tmp("window_max", v.dtype, [n, ch, cells]);
  reduceNode(c, "ReduceMax", gathered, [3], false, maxima);
  c.node("Reshape", [maxima, c.ints([0, 0, ...outputSize])], [out(c).name]);
  if (!c.used(1)) return;
  const arg = c.apply("ArgMax", [gathered], "int64", [n, ch, cells, 1], [attr.int("axis", 3), attr.int("keepdims", 1), attr.int("select_last_index", 0)]);
  const rowStart = c.constant(range(cells).map((r) => r * width), "int64", [cells, 1]);
  const position = c.apply("Gather", [c.constant(table, "int64", [cells * width]), c.apply("Add", [arg, rowStart], "int64", [n, ch, cells, 1])], "int64", [n, ch, cells, 1], [attr.int("axis", 0)]);
  c.node("Reshape", [position, c.ints([0, 0, ...outputSize])], [c.outputs[1]!.name]);
};

export const poolRules = {
  maxPool,
  maxPoolBackward: unsupported(GRADIENT),
  avgPool,
  avgPoolBackward: unsupported(GRADIENT),
  adaptiveAvgPool,
  adaptiveAvgPoolBackward: unsupported(GRADIENT),
  adaptiveMaxPool,
};
