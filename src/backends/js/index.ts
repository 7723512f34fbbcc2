/**
 * The js backend: the reference. Plain loops over typed arrays, every op, every dtype.
 * Buffers are the typed arrays themselves; `liveBytes` counts those not yet freed.
 */
import { DTYPES, type DType, type StorageArray } from "../../core/dtype.ts";
import { Storage } from "../../core/storage.ts";
import type { Tensor } from "../../core/tensor.ts";
import { forEachOffset } from "../../core/strided.ts";
import { isContiguous } from "../../core/shape.ts";
import type { Inference } from "../../ops/define-op.ts";
import type { Backend } from "../backend.ts";
import { toStorageArray, viewOf, type ComputeArray } from "./compute.ts";
import { castArray } from "./kernels/cast.ts";
import { jsKernels } from "./kernels/index.ts";
import { UnsupportedError } from "../../core/errors.ts";

let live = 0;
const sizes = new WeakMap<object, number>();

function track(array: StorageArray): StorageArray {
  const bytes = array.byteLength;
  sizes.set(array, bytes);
  live += bytes;
  return array;
}

/**
 * Runs the js kernel of `op` and returns the outputs as plain arrays in their dtypes'
 * storage form. Inputs may live on any backend whose buffers read in place (wasm's heap).
 */
export function computeJs(op: string, inputs: readonly Tensor[], attrs: unknown, inference: Inference): StorageArray[] {
  const kernel = (jsKernels as Record<string, unknown>)[op] as
    | ((views: ReturnType<typeof viewOf>[], attrs: unknown, outs: Inference["outputs"]) => ComputeArray[])
    | undefined;
  if (!kernel) throw new UnsupportedError(`the js backend has no kernel for ${op}`);
  const views = inputs.map((t, i) => viewOf(t, inference.inputDtypes?.[i] ?? t.dtype));
  const results = kernel(views, attrs, inference.outputs);
  return results.map((data, i) => toStorageArray(inference.outputs[i]!.dtype, data));
}

export const jsBackend: Backend = {
  name: "js",
  stableViews: true,
  alloc(dtype: DType, length: number): Storage {
    return new Storage(jsBackend, track(new DTYPES[dtype].array(length)), dtype, length);
  },
  adopt(dtype: DType, array: StorageArray): Storage {
    return new Storage(jsBackend, track(array), dtype, array.length);
  },
  free(handle: unknown): void {
    const bytes = sizes.get(handle as object);
    if (bytes !== undefined) {
      live -= bytes;
      sizes.delete(handle as object);
    }
  },
  readSync(handle: unknown): StorageArray {
    return handle as StorageArray;
  },
  async read(handle: unknown): Promise<StorageArray> {
    return handle as StorageArray;
  },
  liveBytes(): number {
    return live;
  },
  hasKernel(op: string): boolean {
    return Object.prototype.hasOwnProperty.call(jsKernels, op);
  },
  run(op: string, inputs: readonly Tensor[], attrs: unknown, inference: Inference): Storage[] {
    return computeJs(op, inputs, attrs, inference).map((data, i) => jsBackend.adopt(inference.outputs[i]!.dtype, data));
  },
  assign(dst: Tensor, src: Tensor): void {
    const from = viewOf(src);
    const n = dst.size;
    // src is already broadcast to dst's shape by the caller; read it densely.
    const dense = from.offset === 0 && from.data.length === n && isContiguous(src.shape, from.strides);
    const values = dense ? from.data : densify(from.data, src.shape, from.strides, from.offset);
    const converted = toStorageArray(dst.dtype, castArray(values, src.dtype, dst.dtype));
    const target = dst.rawStorage() as Float64Array;
    forEachOffset(dst.shape, dst.strides, dst.offset, (o, i) => {
      target[o] = (converted as Float64Array)[i]!;
    });
  },
};

function densify(data: ComputeArray, shape: readonly number[], strides: readonly number[], offset: number): ComputeArray {
  let n = 1;
  for (const d of shape) n *= d;
  const out = new (data.constructor as { new (n: number): ComputeArray })(n);
  forEachOffset(shape, strides, offset, (o, i) => {
    (out as Float64Array)[i] = (data as Float64Array)[o]!;
  });
  return out;
}
