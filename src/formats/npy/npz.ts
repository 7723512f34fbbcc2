/** NumPy .npz archives: a zip of .npy members (`numpy.savez`, `numpy.savez_compressed`). */
import { FormatError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { setOwn } from "../own-record.ts";
import { readZip, writeZip, type ZipReadOptions } from "../zip/index.ts";
import { load as loadNpy, save as saveNpy, type LoadOptions } from "./npy.ts";

export interface NpzLoadOptions extends LoadOptions {
  /** Limits on the archive (entry count and sizes), as the zip reader takes them. */
  zip?: Omit<ZipReadOptions, "fileName">;
}

/**
 * Reads a .npz archive (stored or deflated members) into tensors keyed by member name
 * without its `.npy` suffix, in archive order. A member that is not a .npy file raises
 * FormatError naming it.
 *
 * ```ts
 * const { weight, bias } = loadNpz(bytes);
 * ```
 */
export function loadNpz(bytes: Uint8Array, options: NpzLoadOptions = {}): Record<string, Tensor> {
  const zip = readZip(bytes, { ...options.zip, ...(options.fileName !== undefined ? { fileName: options.fileName } : {}) });
  const out: Record<string, Tensor> = {};
  for (const entry of zip.entries) {
    const where = `${options.fileName ?? "npz"}:${entry.name}`;
    if (!entry.name.endsWith(".npy")) throw new FormatError(`member '${entry.name}' is not a .npy file`, options.fileName);
    const key = entry.name.slice(0, -4);
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new FormatError(`two members named '${entry.name}'`, options.fileName);
    setOwn(out, key, loadNpy(zip.read(entry), { fileName: where, copy: true }));
  }
  return out;
}

/** A .npz archive of `tensors` (`numpy.savez`; `compress: true` for `savez_compressed`). */
export function saveNpz(tensors: Record<string, Tensor>, options: { compress?: boolean } = {}): Uint8Array {
  return writeZip(Object.entries(tensors).map(([name, t]) => ({ name: name + ".npy", data: saveNpy(t), deflate: options.compress ?? false })));
}
