/**
 * Moving tensors between threads: into SharedArrayBuffers that workers read in place
 * (data set contents), and as transferable buffers (batches coming back).
 */
import { DTYPES, type DType, type StorageArray } from "../../core/dtype.ts";
import { Tensor } from "../../core/tensor.ts";
import { fromStorageArray } from "../../ops/creation.ts";
import { contiguous } from "../../ops/views.ts";

/** A tensor's elements in its storage form (float16/bfloat16 as bits), with dtype and shape. */
export interface TensorPayload {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Row-major elements; over a SharedArrayBuffer or a transferable ArrayBuffer. */
  readonly data: StorageArray;
}

/** The contiguous elements of `t` in storage form; a view of the buffer where the backend allows it. */
function storageValues(t: Tensor): StorageArray {
  const c = t.isContiguous() ? t : contiguous(t);
  const raw = c.rawStorage();
  return raw.subarray(c.offset, c.offset + c.size) as StorageArray;
}

function sharedOrPlain(bytes: number): ArrayBufferLike {
  return typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/**
 * Copies `t` once into a SharedArrayBuffer (a plain ArrayBuffer where shared memory is
 * missing, which then is copied to each worker).
 */
export function tensorToShared(t: Tensor): TensorPayload {
  const values = storageValues(t);
  const Ctor = DTYPES[t.dtype].array;
  const out = new Ctor(sharedOrPlain(values.byteLength), 0, values.length);
  (out as Float64Array).set(values as Float64Array);
  return { dtype: t.dtype, shape: [...t.shape], data: out };
}

/**
 * `t` ready to post: its buffer is listed in `transfer` when the array covers all of a
 * plain ArrayBuffer (a tensor the worker made), else the elements are copied once into a
 * new buffer that is transferred.
 */
export function tensorToTransfer(t: Tensor, transfer: ArrayBuffer[]): TensorPayload {
  let values = storageValues(t);
  const whole = values.buffer instanceof ArrayBuffer && values.byteOffset === 0 && values.byteLength === values.buffer.byteLength;
  if (!whole || transfer.includes(values.buffer as ArrayBuffer)) values = values.slice() as StorageArray;
  transfer.push(values.buffer as ArrayBuffer);
  return { dtype: t.dtype, shape: [...t.shape], data: values };
}

/** A tensor over the payload's array (no copy on the js backend; wasm copies it in once). */
export function payloadToTensor(p: TensorPayload): Tensor {
  return fromStorageArray(p.data, p.shape, p.dtype);
}
