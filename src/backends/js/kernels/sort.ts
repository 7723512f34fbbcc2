/**
 * sort / topk kernels: each line along the dim is read out, ordered by a total order
 * (stable, nan largest) and its first k written with their int64 indices.
 */
import { numel } from "../../../core/shape.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { SortAttrs, TopkAttrs } from "../../../ops/defs/sort.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";
import { isNan, outputLines, reductionPlan, type Value, type Values } from "./reduce.ts";

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

export const sortKernels = {
  sort: ([x]: JsView[], { dim, descending }: SortAttrs, outs: readonly TensorMeta[]): ComputeArray[] =>
    sortLines(x!, dim, descending, x!.shape.length === 0 ? 1 : x!.shape[dim]!, outs),
  topk: ([x]: JsView[], { k, dim, largest }: TopkAttrs, outs: readonly TensorMeta[]): ComputeArray[] => sortLines(x!, dim, largest, k, outs),
};
