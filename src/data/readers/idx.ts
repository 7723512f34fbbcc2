/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a magic
 * 00 00 <type> <ndim>, ndim big-endian uint32 sizes, then the elements in C order,
 * big-endian. Gzipped files are recognised by their magic and decompressed first.
 */
import type { DType, StorageArray } from "../../core/dtype.ts";
import { FormatError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { fromStorageArray } from "../../ops/creation.ts";
import { DEFAULT_MAX_BYTES, gunzipBounded, isGzip } from "./gzip.ts";

/** The element types of IDX: type code -> dtype and byte size. */
const IDX_TYPES: Record<number, { dtype: DType; bytes: number }> = {
  0x08: { dtype: "uint8", bytes: 1 },
  0x09: { dtype: "int8", bytes: 1 },
  0x0b: { dtype: "int16", bytes: 2 },
  0x0c: { dtype: "int32", bytes: 4 },
  0x0d: { dtype: "float32", bytes: 4 },
  0x0e: { dtype: "float64", bytes: 8 },
};

export interface IdxOptions {
  /** Named in error messages. */
  file?: string;
  /** The largest decompressed size accepted (default 1 GiB). */
  maxBytes?: number;
}

/** An IDX array: its dtype, shape and elements (native byte order). */
export interface IdxArray {
  readonly dtype: DType;
  readonly shape: number[];
  readonly data: StorageArray;
}

/** Parses IDX bytes (gzipped or not) into an array; every size is checked before use. */
export function readIdxArray(input: Uint8Array, options: IdxOptions = {}): IdxArray {
  const file = options.file;
  const bytes = isGzip(input) ? gunzipBounded(input, options.maxBytes ?? DEFAULT_MAX_BYTES, file) : input;
  if (bytes.length < 4) throw new FormatError(`IDX data is truncated: ${bytes.length} bytes, the magic alone is 4`, file, 0);
  const type = IDX_TYPES[bytes[2]!];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new FormatError(`not an IDX file: magic ${magic}, expected 00 00 <type 08/09/0b/0c/0d/0e> <ndim>`, file, 0);
  }
  const ndim = bytes[3]!;
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) throw new FormatError(`IDX header is truncated: ${ndim} dims need ${headerBytes} bytes, got ${bytes.length}`, file, 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  const available = bytes.length - headerBytes;
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    count *= size;
    // Stop early so an absurd header never leads to arithmetic past 2^53 or a huge allocation.
    if (count * type.bytes > available && size !== 0)
      throw new FormatError(
        `IDX dims [${shape.join(", ")}${d < ndim - 1 ? ", ..." : ""}] need more than the ${available} data bytes present`,
        file,
        4 + 4 * d,
      );
  }
  const needed = count * type.bytes;
  if (needed !== available)
    throw new FormatError(`IDX dims [${shape.join(", ")}] give ${needed} data bytes but ${available} follow the header`, file, headerBytes);
  return { dtype: type.dtype, shape, data: decodeBigEndian(bytes, headerBytes, count, type.dtype) };
}

/** Copies `count` big-endian elements starting at `offset` into a native typed array. */
function decodeBigEndian(bytes: Uint8Array, offset: number, count: number, dtype: DType): StorageArray {
  if (dtype === "uint8") return bytes.slice(offset, offset + count);
  if (dtype === "int8") return new Int8Array(bytes.slice(offset, offset + count).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, bytes.byteLength - offset);
  switch (dtype) {
    case "int16":
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, false));
    case "int32":
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, false));
    case "float32":
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, false));
    default:
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, false));
  }
}

/**
 * Reads IDX bytes (gzipped or not) into a tensor; a typed FormatError names what is wrong
 * (magic, truncation, dims that disagree with the data length).
 *
 * @example
 * const images = readIdx(bytes); // uint8 [60000, 28, 28] for train-images-idx3-ubyte(.gz)
 */
export function readIdx(input: Uint8Array, options: IdxOptions = {}): Tensor {
  const { dtype, shape, data } = readIdxArray(input, options);
  return fromStorageArray(data, shape, dtype);
}
