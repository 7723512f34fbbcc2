/**
 * softmax / logSoftmax of contiguous float32 tensors (assembly/softmax.ts), fused per
 * line: max, exponentials and their sum, normalisation. Lines along the last dim are rows;
 * along another dim, columns of [M, K, N] taken eight at a time.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { SoftmaxAttrs } from "../../../ops/defs/softmax.ts";
import type { WasmKernel } from "../index.ts";
import { allocOutput, GRAIN } from "./elementwise.ts";
import { denseF32, reductionLayout, runUnits } from "./reduce.ts";

function softmaxLike(name: "softmax" | "logSoftmax"): WasmKernel {
  return (inputs, attrs, inference) => {
    const x = inputs[0] as Tensor;
    const ptr = denseF32(x);
    if (ptr === null || inference.outputs[0]!.dtype !== "float32") return null;
    const out = allocOutput("float32", x.size);
    if (x.size === 0) return [out.storage];
    const layout = reductionLayout(x.shape, [(attrs as SoftmaxAttrs).dim]);
    if (!layout) return null;
    const { m, k, n } = layout;
    if (n === 1) runUnits(`${name}RowsF32`, [ptr, k, out.ptr], m, k, GRAIN.transcendental);
    else runUnits(`${name}ColsF32`, [ptr, k, n, out.ptr], m * Math.ceil(n / 8), 8 * k, GRAIN.transcendental);
    return [out.storage];
  };
}

export const softmaxKernels: Record<string, WasmKernel> = {
  softmax: softmaxLike("softmax"),
  logSoftmax: softmaxLike("logSoftmax"),
};
