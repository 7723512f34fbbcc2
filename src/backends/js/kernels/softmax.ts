/**
 * softmax / logSoftmax kernels, one line along the dim at a time: shift by the line's max
 * (nan wins, as in the max reduction) so exp cannot overflow, then normalize by the sum of
 * the shifted exponentials, in float64.
 */
import { numel } from "../../../core/shape.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { SoftmaxAttrs } from "../../../ops/defs/softmax.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";
import { greater, outputLines, reductionPlan } from "./reduce.ts";

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

export const softmaxKernels = {
  softmax: softmaxLike(false),
  logSoftmax: softmaxLike(true),
};
