/** Copies within the heap: `clone` of a contiguous tensor of any dtype is one memory move. */
import { DTYPES } from "../../../core/dtype.ts";
import type { Tensor } from "../../../core/tensor.ts";
import { addressOf, wasmBackend, type WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";

const clone: WasmKernel = (inputs: readonly Tensor[]) => {
  const x = inputs[0]!;
  if (x.storage.owner !== wasmBackend || !x.isContiguous()) return null;
  const storage = wasmBackend.alloc(x.dtype, x.size);
  const bytes = x.size * DTYPES[x.dtype].itemsize;
  const heap = new Uint8Array(wasmRuntime().heap.buffer);
  const from = addressOf(x);
  heap.copyWithin((storage.handle as { ptr: number }).ptr, from, from + bytes);
  return [storage];
};

export const copyKernels: Record<string, WasmKernel> = { clone };
