/**
 * Tensors to and from the raw bytes that file formats store: the storage form of each
 * dtype (float16/bfloat16 as their 16-bit patterns, bool as 0/1 bytes), row-major.
 *
 * Note: zero-copy reads
 * `tensorFromBytes` hands the file's own buffer to the backend when the element data is
 * aligned to the element size and already in the host's byte order. The js backend keeps
 * such an array as the tensor's storage, so the tensor views the file's bytes (writing to
 * one changes the other); the wasm backend always copies into its heap, because its kernels
 * only see wasm memory. Pass `copy: true` to get a private copy on any backend.
 */
import { DTYPES, type DType, type StorageArray } from "../core/dtype.ts";
import { ValueError } from "../core/errors.ts";
import { numel, type Shape } from "../core/shape.ts";
import { gatherStrided } from "../core/strided.ts";
import type { Tensor } from "../core/tensor.ts";
import { fromStorageArray } from "../ops/creation.ts";

/** True on every engine concord targets today; kept so big-endian hosts stay correct. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `itemsize`-byte element of `bytes`, in place. */
export function byteSwap(bytes: Uint8Array, itemsize: number): void {
  if (itemsize === 1) return;
  for (let i = 0; i + itemsize <= bytes.length; i += itemsize) {
    for (let a = i, b = i + itemsize - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** A byte view of a typed array (no copy). */
export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * The elements of `t` in row-major order as new bytes in the storage form of its dtype,
 * little-endian unless `littleEndian` is false.
 */
export function tensorBytes(t: Tensor, littleEndian = true): Uint8Array {
  const raw = t.rawStorage();
  const n = t.size;
  const itemsize = DTYPES[t.dtype].itemsize;
  let out: Uint8Array;
  if (t.isContiguous()) {
    // Copied at once: a wasm heap view is only valid until the next allocation.
    out = bytesOf(raw.subarray(t.offset, t.offset + n)).slice();
  } else {
    const Ctor = DTYPES[t.dtype].array;
    const dense = gatherStrided(raw as Float64Array, t.shape, t.strides, t.offset, (len) => new Ctor(len) as Float64Array);
    out = bytesOf(dense);
  }
  if (littleEndian !== HOST_LITTLE_ENDIAN) byteSwap(out, itemsize);
  return out;
}

export interface FromBytesOptions {
  /** Byte order of `bytes` (default little-endian). */
  littleEndian?: boolean;
  /** Always copy, even where the bytes could be viewed in place. */
  copy?: boolean;
}

/**
 * A tensor of `dtype` and `shape` over `bytes` (exactly numel · itemsize of them, in the
 * storage form of the dtype). Views `bytes` without copying where alignment and byte
 * order allow (see Note: zero-copy reads). Bool bytes other than 0 and 1 read as true.
 */
export function tensorFromBytes(bytes: Uint8Array, dtype: DType, shape: Shape, options: FromBytesOptions = {}): Tensor {
  const info = DTYPES[dtype];
  const n = numel(shape);
  if (bytes.length !== n * info.itemsize)
    throw new ValueError(`${bytes.length} bytes cannot hold ${n} elements of ${dtype}`);
  const sameOrder = (options.littleEndian ?? true) === HOST_LITTLE_ENDIAN || info.itemsize === 1;
  const aligned = (bytes.byteOffset % info.itemsize) === 0;
  let values: StorageArray;
  if (!options.copy && sameOrder && aligned && !(dtype === "bool" && bytes.some((b) => b > 1))) {
    values = new info.array(bytes.buffer, bytes.byteOffset, n);
  } else {
    const copy = bytes.slice();
    if (!sameOrder) byteSwap(copy, info.itemsize);
    if (dtype === "bool") for (let i = 0; i < n; i++) copy[i] = copy[i] ? 1 : 0;
    values = new info.array(copy.buffer, 0, n);
  }
  return fromStorageArray(values, shape, dtype);
}
