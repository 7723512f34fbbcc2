/** Elementwise float32 kernels on contiguous, same-shape operands, split across threads. */
import { shapesEqual } from "../../../core/shape.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { Inference } from "../../../ops/define-op.ts";
import { addressOf, wasmBackend, type WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { splitRange } from "./split.ts";

function dense(t: Tensor, shape: readonly number[]): boolean {
  return t.dtype === "float32" && t.isContiguous() && shapesEqual(t.shape, shape) && t.storage.owner === wasmBackend;
}

function binaryF32(fn: string): WasmKernel {
  return (inputs: readonly Tensor[], _attrs: unknown, inference: Inference) => {
    const [a, b] = inputs as [Tensor, Tensor];
    const out = inference.outputs[0]!;
    if (out.dtype !== "float32" || !dense(a, out.shape) || !dense(b, out.shape)) return null;
    const storage = wasmBackend.alloc("float32", a.size);
    const o = (storage.handle as { ptr: number }).ptr;
    const pa = addressOf(a);
    const pb = addressOf(b);
    wasmRuntime().parallel(splitRange(a.size, 16384).map(([s, e]) => ({ fn, args: [pa, pb, o, s, e] })));
    return [storage];
  };
}

export const elementwiseKernels: Record<string, WasmKernel> = {
  add: binaryF32("addF32"),
};
