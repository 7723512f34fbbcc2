/** Reading a safetensors file into tensors. */
import { UnsupportedError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { tensorFromBytes } from "../tensor-bytes.ts";
import { TO_CONCORD } from "./dtypes.ts";
import { readHeader } from "./header.ts";
import { setOwn } from "../own-record.ts";

export interface LoadOptions {
  /** Named in error messages. */
  fileName?: string;
  /**
   * Copy every tensor's data. By default tensors on the js backend view `bytes` where the
   * data is aligned (see Note: zero-copy reads in src/formats/tensor-bytes.ts).
   */
  copy?: boolean;
}

export interface Safetensors {
  /** Tensors by name, in file order (by data offset). */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` strings ({} when absent). */
  metadata: Record<string, string>;
}

/**
 * Reads a safetensors file (`safetensors.torch.load`). Every dtype concord has is read as
 * itself; F8_*, U16/U32/U64 and C64 raise UnsupportedError naming the tensor and dtype.
 * A malformed file raises FormatError naming the file, the tensor and what is wrong.
 *
 * ```ts
 * const { tensors, metadata } = load(bytes, { fileName: "model.safetensors" });
 * tensors["fc.weight"].shape; // [10, 784]
 * ```
 */
export function load(bytes: Uint8Array, options: LoadOptions = {}): Safetensors {
  const header = readHeader(bytes, options.fileName);
  const tensors: Record<string, Tensor> = {};
  for (const e of header.entries) {
    const dtype = TO_CONCORD[e.dtype];
    if (dtype === undefined)
      throw new UnsupportedError(
        `${options.fileName !== undefined ? options.fileName + ": " : ""}tensor '${e.name}' has dtype ${e.dtype}, which concord does not support`,
      );
    const data = bytes.subarray(header.dataStart + e.dataOffsets[0], header.dataStart + e.dataOffsets[1]);
    setOwn(tensors, e.name, tensorFromBytes(data, dtype, e.shape, { copy: options.copy ?? false }));
  }
  return { tensors, metadata: { ...header.metadata } };
}
