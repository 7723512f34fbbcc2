/**
 * Storage bytes to the typed array concord keeps for a dtype: copied (so the array is
 * aligned and owns its memory), byte-swapped for big-endian files, bools made 0/1.
 */
import { DTYPES, type DType, type StorageArray } from "../../core/dtype.ts";

export function storageArray(bytes: Uint8Array, dtype: DType, bigEndian: boolean): StorageArray {
  const info = DTYPES[dtype];
  const copy = new Uint8Array(bytes); // a copy (Buffer.prototype.slice would be a view)
  if (bigEndian && info.itemsize > 1) {
    const w = info.itemsize;
    for (let i = 0; i < copy.length; i += w) copy.subarray(i, i + w).reverse();
  }
  if (dtype === "bool") for (let i = 0; i < copy.length; i++) copy[i] = copy[i] !== 0 ? 1 : 0;
  return new info.array(copy.buffer, 0, copy.length / info.itemsize);
}

/** The little-endian bytes of a storage array (a view when it already is one). */
export function storageBytes(array: StorageArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
