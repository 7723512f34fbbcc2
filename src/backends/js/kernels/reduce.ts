/**
 * Reduction loops: the kept dims index the output, the reduced dims are walked for each
 * output element. Shared by every reduction kernel.
 */
import { numel } from "../../../core/shape.ts";
import { offsetsOf } from "../../../core/strided.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { ReduceAttrs } from "../../../ops/defs/reduce.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";

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

/** Folds each group with `step` from `init`; `finish` may post-process (e.g. divide). */
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
  for (let i = 0; i < outer.length; i++) {
    const base = outer[i]!;
    let acc = init;
    for (let j = 0; j < inner.length; j++) acc = step(acc, data[base + inner[j]!]!);
    result[i] = acc;
  }
  return result as unknown as ComputeArray;
}

export const reduceKernels = {
  sum: ([x]: JsView[], attrs: ReduceAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    x!.data instanceof BigInt64Array
      ? reduceGroups<bigint>(x!, attrs, out!, 0n, (a, v) => BigInt.asIntN(64, a + v))
      : reduceGroups<number>(x!, attrs, out!, 0, (a, v) => a + v),
  ],
};
