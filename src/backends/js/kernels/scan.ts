/**
 * Scan kernels (cumsum, cumprod): each line along the dim is folded in order (or from the
 * end with `reverse`) and every running value stored. Accumulation follows the reductions
 * (reduce.ts): float64 numbers for floats, BigInt wrapped to 64 bits for int64.
 */
import { numel } from "../../../core/shape.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { ScanAttrs } from "../../../ops/defs/scan.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";
import { outputLines, reductionPlan, type Value, type Values } from "./reduce.ts";

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

export const scanKernels = {
  cumsum: scan((a, v) => a + v, (a, v) => BigInt.asIntN(64, a + v), 0),
  cumprod: scan((a, v) => a * v, (a, v) => BigInt.asIntN(64, a * v), 1),
};
