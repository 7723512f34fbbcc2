/**
 * The wasm backend: tensors live in the runtime's heap (one WebAssembly.Memory shared with
 * the worker threads), so kernels read them in place. Ops with a wasm kernel for the given
 * dtypes and layouts run here; the others run on the js kernels, which read wasm tensors
 * in place too, and their results are copied into the heap (dispatch.ts counts these).
 */
import { DTYPES, type DType, type StorageArray } from "../../core/dtype.ts";
import { Storage } from "../../core/storage.ts";
import type { Tensor } from "../../core/tensor.ts";
import type { Inference } from "../../ops/define-op.ts";
import type { Backend } from "../backend.ts";
import { jsBackend } from "../js/index.ts";
import { wasmKernels } from "./kernels/index.ts";
import { assignFast } from "./kernels/copy.ts";
import { wasmRuntime } from "./runtime.ts";

/** A block of the heap holding `length` elements of `dtype`. */
export interface WasmHandle {
  readonly ptr: number;
  readonly dtype: DType;
  readonly length: number;
}

/** The elements of a wasm storage, viewed in place (valid until the memory grows). */
export function heapView(h: WasmHandle): StorageArray {
  const rt = wasmRuntime();
  return new DTYPES[h.dtype].array(rt.heap.buffer as ArrayBuffer, h.ptr, h.length) as StorageArray;
}

/** Address of a tensor's first element in the heap. */
export function addressOf(t: Tensor): number {
  const h = t.storage.handle as WasmHandle;
  return h.ptr + t.offset * DTYPES[t.dtype].itemsize;
}

export const wasmBackend: Backend = {
  name: "wasm",
  stableViews: false,
  alloc(dtype: DType, length: number): Storage {
    const ptr = wasmRuntime().heap.alloc(length * DTYPES[dtype].itemsize);
    return new Storage(wasmBackend, { ptr, dtype, length } satisfies WasmHandle, dtype, length);
  },
  adopt(dtype: DType, array: StorageArray): Storage {
    // Every element is written at once: the block needs no zeroing.
    const ptr = wasmRuntime().heap.alloc(array.length * DTYPES[dtype].itemsize, false);
    const storage = new Storage(wasmBackend, { ptr, dtype, length: array.length } satisfies WasmHandle, dtype, array.length);
    (heapView(storage.handle as WasmHandle) as Float64Array).set(array as Float64Array);
    return storage;
  },
  free(handle: unknown): void {
    wasmRuntime().heap.free((handle as WasmHandle).ptr);
  },
  readSync(handle: unknown): StorageArray {
    return heapView(handle as WasmHandle);
  },
  async read(handle: unknown): Promise<StorageArray> {
    return heapView(handle as WasmHandle).slice() as StorageArray;
  },
  liveBytes(): number {
    return wasmRuntime().heap.liveBytes;
  },
  hasKernel(op: string): boolean {
    return Object.prototype.hasOwnProperty.call(wasmKernels, op);
  },
  run(op: string, inputs: readonly Tensor[], attrs: unknown, inference: Inference): Storage[] | null {
    const kernel = (wasmKernels as Record<string, WasmKernel | undefined>)[op];
    return kernel ? kernel(inputs, attrs, inference) : null;
  },
  assign(dst: Tensor, src: Tensor): void {
    // Same dtype and shape: a heap copy; otherwise the js loop writes through dst's view.
    if (!assignFast(dst, src)) jsBackend.assign(dst, src);
  },
};

/**
 * A wasm kernel: new storages for the outputs, or null when it does not handle these
 * dtypes or layouts (the op then runs on the js kernels).
 */
export type WasmKernel = (inputs: readonly Tensor[], attrs: unknown, inference: Inference) => Storage[] | null;
