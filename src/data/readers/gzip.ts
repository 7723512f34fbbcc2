/** Gzip detection and bounded decompression (fflate: synchronous, runs in browsers). */
import { gunzipSync } from "fflate";
import { FormatError } from "../../core/errors.ts";

/** The most bytes a reader decompresses unless told otherwise (1 GiB). */
export const DEFAULT_MAX_BYTES = 2 ** 30;

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses a gzip member. The size stored in the trailer is checked against
 * `maxBytes` before anything is allocated, and the output never grows past it.
 */
export function gunzipBounded(bytes: Uint8Array, maxBytes: number, file?: string): Uint8Array {
  if (bytes.length < 18) throw new FormatError(`gzip data is truncated: ${bytes.length} bytes, a gzip member has at least 18`, file);
  const trailer = bytes.length - 4;
  const size = (bytes[trailer]! | (bytes[trailer + 1]! << 8) | (bytes[trailer + 2]! << 16) | (bytes[trailer + 3]! << 24)) >>> 0;
  if (size > maxBytes) throw new FormatError(`gzip data declares ${size} decompressed bytes, more than the limit of ${maxBytes}`, file);
  let out: Uint8Array;
  try {
    out = gunzipSync(bytes, { out: new Uint8Array(size) });
  } catch (e) {
    throw new FormatError(`corrupt gzip data: ${(e as Error).message}`, file);
  }
  if (out.length !== size) throw new FormatError(`gzip data decompressed to ${out.length} bytes, its trailer says ${size}`, file);
  return out;
}
