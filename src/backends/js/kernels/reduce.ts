/**
 * Reduction loops: the kept dims index the output, the reduced dims are walked for each
 * output element. Shared by every reduction kernel. Scans, softmax and sorting (scan.ts,
 * softmax.ts, sort.ts) walk "lines": the elements along one dim, for each position of the
 * other dims (`reductionPlan` over that one dim, `outputLines` for where they write).
 *
 * Floats accumulate in JS numbers (float64), as PyTorch's CPU kernels accumulate float32
 * in double, and are rounded once when stored. int64 accumulates in BigInt, wrapping at
 * 64 bits as C does.
 */
import { contiguousStrides, numel, type Shape } from "../../../core/shape.ts";
import { offsetsOf } from "../../../core/strided.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { ArgAttrs, ExtremumAttrs, ReduceAttrs } from "../../../ops/defs/reduce.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";

export type Value = number | bigint;
export type Values = { [i: number]: Value; length: number };

/**
 * For each output position, the buffer offset where its group starts (`outer`) and the
 * relative offsets of the group's elements (`inner`), so that element j of group i is
 * at `outer[i] + inner[j]`.
 */
export function reductionPlan(x: JsView, dims: readonly number[]): { outer: Int32Array | Float64Array; inner: Int32Array | Float64Array } {
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  x.shape.forEach((d, i) => {
    if (dims.includes(i)) {
      redShape.push(d);
      redStrides.push(x.strides[i]!);
    } else {
      keptShape.push(d);
      keptStrides.push(x.strides[i]!);
    }
  });
  return { outer: offsetsOf(keptShape, keptStrides, x.offset), inner: offsetsOf(redShape, redStrides, 0) };
}

/** Folds each group of the reduction described by `attrs` with `step`, starting from `init`. */
export function reduceGroups<T extends number | bigint>(
  x: JsView,
  attrs: ReduceAttrs,
  out: TensorMeta,
  init: T,
  step: (acc: T, v: T) => T,
): ComputeArray {
  const { outer, inner } = reductionPlan(x, attrs.dims);
  const result = allocCompute(out.dtype, numel(out.shape)) as unknown as T[];
  const data = x.data as unknown as T[];
  // When the reduced elements of a group are consecutive in memory, skip the offset table.
  const consecutive = inner.length > 0 && inner.every((o, j) => o === j);
  for (let i = 0; i < outer.length; i++) {
    const base = outer[i]!;
    let acc = init;
    if (consecutive) for (let j = base, end = base + inner.length; j < end; j++) acc = step(acc, data[j]!);
    else for (let j = 0; j < inner.length; j++) acc = step(acc, data[base + inner[j]!]!);
    result[i] = acc;
  }
  return result as unknown as ComputeArray;
}

/** The lines along `dim` of a contiguous tensor of `shape` (where a kernel writes its output). */
export function outputLines(shape: Shape, dim: number): { outer: Int32Array | Float64Array; inner: Int32Array | Float64Array } {
  return reductionPlan({ data: new Float64Array(0), shape, strides: contiguousStrides(shape), offset: 0, dtype: "float64" }, [dim]);
}

export const isNan = (v: Value): boolean => v !== v;

/** max/min folding in which nan wins, as PyTorch's max_impl/min_impl. */
export const greater = (a: Value, v: Value): Value => (isNan(a) || a >= v ? a : v);
const lesser = (a: Value, v: Value): Value => (isNan(a) || a <= v ? a : v);

function extremum(pick: (a: Value, v: Value) => Value) {
  return ([x]: JsView[], attrs: ExtremumAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const { outer, inner } = reductionPlan(x!, attrs.dims);
    const result = allocCompute(out!.dtype, outer.length) as unknown as Values;
    const data = x!.data as unknown as Values;
    for (let i = 0; i < outer.length; i++) {
      const base = outer[i]!;
      let acc = data[base + inner[0]!]!;
      for (let j = 1; j < inner.length; j++) acc = pick(acc, data[base + inner[j]!]!);
      result[i] = acc;
    }
    return [result as unknown as ComputeArray];
  };
}

/** The first index of the extremum; a nan is the extremum (its first occurrence wins). */
function argExtremum(better: (v: Value, best: Value) => boolean) {
  return ([x]: JsView[], { dim }: ArgAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const dims = dim === null ? x!.shape.map((_, i) => i) : [dim];
    const { outer, inner } = reductionPlan(x!, dims);
    const result = allocCompute(out!.dtype, outer.length) as BigInt64Array;
    const data = x!.data as unknown as Values;
    for (let i = 0; i < outer.length; i++) {
      const base = outer[i]!;
      let best = data[base + inner[0]!]!;
      let at = 0;
      for (let j = 1; j < inner.length && !isNan(best); j++) {
        const v = data[base + inner[j]!]!;
        if (isNan(v) || better(v, best)) [best, at] = [v, j];
      }
      result[i] = BigInt(at);
    }
    return [result];
  };
}

export const reduceKernels = {
  sum: ([x]: JsView[], attrs: ReduceAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    x!.data instanceof BigInt64Array
      ? reduceGroups<bigint>(x!, attrs, out!, 0n, (a, v) => BigInt.asIntN(64, a + v))
      : reduceGroups<number>(x!, attrs, out!, 0, (a, v) => a + v),
  ],
  prod: ([x]: JsView[], attrs: ReduceAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    x!.data instanceof BigInt64Array
      ? reduceGroups<bigint>(x!, attrs, out!, 1n, (a, v) => BigInt.asIntN(64, a * v))
      : reduceGroups<number>(x!, attrs, out!, 1, (a, v) => a * v),
  ],
  amax: extremum(greater),
  amin: extremum(lesser),
  argmax: argExtremum((v, best) => v > best),
  argmin: argExtremum((v, best) => v < best),
};
