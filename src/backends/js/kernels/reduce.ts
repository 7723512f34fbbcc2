/**
 * Reduction loops: the kept dims index the output, the reduced dims are walked for each
 * output element. Shared by every reduction kernel. Scans, softmax and sorting walk
 * "lines": the elements along one dim, for each position of the other dims.
 *
 * Floats accumulate in JS numbers (float64), as PyTorch's CPU kernels accumulate float32
 * in double, and are rounded once when stored. int64 accumulates in BigInt, wrapping at
 * 64 bits as C does.
 */
import { contiguousStrides, numel, type Shape } from "../../../core/shape.ts";
import { offsetsOf } from "../../../core/strided.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type {
  ArgAttrs,
  ExtremumAttrs,
  ReduceAttrs,
  ScanAttrs,
  SoftmaxAttrs,
  SortAttrs,
  TopkAttrs,
} from "../../../ops/defs/reduce.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";

type Value = number | bigint;
type Values = { [i: number]: Value; length: number };

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
function outputLines(shape: Shape, dim: number): { outer: Int32Array | Float64Array; inner: Int32Array | Float64Array } {
  return reductionPlan({ data: new Float64Array(0), shape, strides: contiguousStrides(shape), offset: 0, dtype: "float64" }, [dim]);
}

const isNan = (v: Value): boolean => v !== v;

/** max/min folding in which nan wins, as PyTorch's max_impl/min_impl. */
const greater = (a: Value, v: Value): Value => (isNan(a) || a >= v ? a : v);
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

function scan(numberStep: (a: number, v: number) => number, bigStep: (a: bigint, v: bigint) => bigint, init: 0 | 1) {
  return ([x]: JsView[], { dim, reverse }: ScanAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const from = reductionPlan(x!, [dim]);
    const to = outputLines(x!.shape, dim);
    const result = allocCompute(out!.dtype, numel(x!.shape)) as unknown as Values;
    const data = x!.data as unknown as Values;
    const big = data instanceof BigInt64Array;
    const n = from.inner.length;
    for (let i = 0; i < from.outer.length; i++) {
      let acc: Value = big ? BigInt(init) : init;
      for (let s = 0; s < n; s++) {
        const j = reverse ? n - 1 - s : s;
        const v = data[from.outer[i]! + from.inner[j]!]!;
        acc = big ? bigStep(acc as bigint, v as bigint) : numberStep(acc as number, v as number);
        result[to.outer[i]! + to.inner[j]!] = acc;
      }
    }
    return [result as unknown as ComputeArray];
  };
}

function softmaxLike(log: boolean) {
  return ([x]: JsView[], { dim }: SoftmaxAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const from = reductionPlan(x!, [dim]);
    const to = outputLines(x!.shape, dim);
    const result = allocCompute(out!.dtype, numel(x!.shape)) as Float64Array;
    const data = x!.data as Float64Array;
    const n = from.inner.length;
    for (let i = 0; i < from.outer.length; i++) {
      const at = (j: number) => data[from.outer[i]! + from.inner[j]!]!;
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = greater(max, at(j)) as number;
      let total = 0;
      for (let j = 0; j < n; j++) total += Math.exp(at(j) - max);
      const logTotal = Math.log(total);
      for (let j = 0; j < n; j++) {
        const shifted = at(j) - max;
        result[to.outer[i]! + to.inner[j]!] = log ? shifted - logTotal : Math.exp(shifted) / total;
      }
    }
    return [result];
  };
}

/**
 * The order of one line's indices: a total order, so every sort algorithm gives the same
 * result. Ties go to the lower index (stable, as ONNX TopK and PyTorch's stable sort); nan
 * counts as larger than every number.
 */
function lineOrder(values: readonly Value[], descending: boolean): (a: number, b: number) => number {
  if (values.length > 0 && typeof values[0] === "number" && !values.some(isNan)) {
    // Fast path; equal infinities subtract to nan, which `||` turns into the index tie-break.
    const v = values as readonly number[];
    return descending ? (a, b) => v[b]! - v[a]! || a - b : (a, b) => v[a]! - v[b]! || a - b;
  }
  const sign = descending ? -1 : 1;
  return (a, b) => {
    const va = values[a]!;
    const vb = values[b]!;
    const na = isNan(va);
    const nb = isNan(vb);
    let c = 0;
    if (na || nb) c = na === nb ? 0 : na ? 1 : -1;
    else if (va < vb) c = -1;
    else if (va > vb) c = 1;
    return c !== 0 ? sign * c : a - b;
  };
}

/** The first `k` indices of a line of `n` under `compare`: a bounded insertion for small k, else a full sort. */
function firstK(n: number, k: number, compare: (a: number, b: number) => number): number[] {
  if (k * 16 >= n) return Array.from({ length: n }, (_, i) => i).sort(compare).slice(0, k);
  const best: number[] = [];
  for (let j = 0; j < n; j++) {
    if (best.length === k && compare(j, best[k - 1]!) >= 0) continue;
    if (best.length < k) best.push(j);
    let p = best.length - 1;
    while (p > 0 && compare(best[p - 1]!, j) > 0) {
      best[p] = best[p - 1]!;
      p--;
    }
    best[p] = j;
  }
  return best;
}

/** Writes the first `k` of each sorted line into the values and indices outputs. */
function sortLines(x: JsView, dim: number, descending: boolean, k: number, outs: readonly TensorMeta[]): ComputeArray[] {
  const from = reductionPlan(x, [dim]);
  const to = outputLines(outs[0]!.shape, dim);
  const values = allocCompute(outs[0]!.dtype, numel(outs[0]!.shape)) as unknown as Values;
  const indices = new BigInt64Array(values.length);
  const data = x.data as unknown as Values;
  for (let i = 0; i < to.outer.length; i++) {
    const line = Array.from(from.inner, (o) => data[from.outer[i]! + o]!);
    const order = firstK(line.length, k, lineOrder(line, descending));
    for (let j = 0; j < k; j++) {
      const o = to.outer[i]! + to.inner[j]!;
      values[o] = line[order[j]!]!;
      indices[o] = BigInt(order[j]!);
    }
  }
  return [values as unknown as ComputeArray, indices];
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
  cumsum: scan((a, v) => a + v, (a, v) => BigInt.asIntN(64, a + v), 0),
  cumprod: scan((a, v) => a * v, (a, v) => BigInt.asIntN(64, a * v), 1),
  softmax: softmaxLike(false),
  logSoftmax: softmaxLike(true),
  sort: ([x]: JsView[], { dim, descending }: SortAttrs, outs: readonly TensorMeta[]): ComputeArray[] =>
    sortLines(x!, dim, descending, x!.shape.length === 0 ? 1 : x!.shape[dim]!, outs),
  topk: ([x]: JsView[], { k, dim, largest }: TopkAttrs, outs: readonly TensorMeta[]): ComputeArray[] => sortLines(x!, dim, largest, k, outs),
};
