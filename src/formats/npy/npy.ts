/** Reading and writing single arrays in NumPy's .npy format. */
import type { DType } from "../../core/dtype.ts";
import { FormatError, UnsupportedError } from "../../core/errors.ts";
import { numel } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { fromStorageArray } from "../../ops/creation.ts";
import { contiguous, permute } from "../../ops/views.ts";
import { tensorBytes, tensorFromBytes } from "../tensor-bytes.ts";
import { npyHeaderBytes, readNpyHeader } from "./header.ts";

export interface LoadOptions {
  /** Named in error messages. */
  fileName?: string;
  /** Copy the data even where it could be viewed in place (js backend). */
  copy?: boolean;
}

/**
 * How numpy's type codes read. Note: unsigned integers
 * concord has no uint16/32/64 (nor has PyTorch 1.13, whose `from_numpy` refuses them).
 * uint16 widens to int32 and uint32 to int64, both exactly; uint64 reads as int64 when every
 * value is below 2^63 and raises UnsupportedError otherwise. `save` never writes them.
 */
const KINDS: Record<string, DType> = {
  b1: "bool", i1: "int8", u1: "uint8", i2: "int16", i4: "int32", i8: "int64", f2: "float16", f4: "float32", f8: "float64",
};
const WIDENED: Record<string, { from: "uint16" | "uint32" | "uint64"; to: DType }> = {
  u2: { from: "uint16", to: "int32" },
  u4: { from: "uint32", to: "int64" },
  u8: { from: "uint64", to: "int64" },
};
const DESCR: Partial<Record<DType, string>> = {
  bool: "|b1", int8: "|i1", uint8: "|u1", int16: "<i2", int32: "<i4", int64: "<i8", float16: "<f2", float32: "<f4", float64: "<f8",
};

function readUnsigned(data: Uint8Array, code: string, shape: readonly number[], littleEndian: boolean, where: string): Tensor {
  const n = numel(shape);
  const size = Number(code[1]);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (size === 2) {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, littleEndian);
    return fromStorageArray(out, shape, "int32");
  }
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    if (size === 4) out[i] = BigInt(view.getUint32(i * 4, littleEndian));
    else {
      const v = view.getBigUint64(i * 8, littleEndian);
      if (v >= 2n ** 63n) throw new UnsupportedError(`${where}uint64 value ${v} (element ${i}) does not fit int64, concord's widest integer`);
      out[i] = v;
    }
  }
  return fromStorageArray(out, shape, "int64");
}

/**
 * Reads a .npy file (`numpy.load`): versions 1.0, 2.0 and 3.0, both byte orders, C or
 * Fortran order (a Fortran array comes back as a contiguous row-major tensor). Bool,
 * int8..int64, uint8, float16/32/64 read as themselves; for uint16/32/64 see Note: unsigned
 * integers. Complex, string, object and structured arrays raise UnsupportedError.
 */
export function load(bytes: Uint8Array, options: LoadOptions = {}): Tensor {
  const header = readNpyHeader(bytes, options.fileName);
  const where = options.fileName !== undefined ? `${options.fileName}: ` : "";
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(header.descr);
  if (!m) throw new UnsupportedError(`${where}numpy dtype '${header.descr}' is not supported`);
  const [, order, kind, size] = m as unknown as [string, string, string, string];
  const code = kind + size;
  const dtype = KINDS[code];
  const widened = WIDENED[code];
  if (dtype === undefined && widened === undefined) throw new UnsupportedError(`${where}numpy dtype '${header.descr}' is not supported by concord`);
  const littleEndian = order !== ">";
  // numpy's order of dims in memory: reversed for Fortran arrays.
  const memoryShape = header.fortranOrder ? [...header.shape].reverse() : header.shape;
  const n = numel(header.shape);
  const nbytes = n * Number(size);
  if (!Number.isSafeInteger(nbytes)) throw new FormatError(`shape (${header.shape}) is too large`, options.fileName);
  const available = bytes.length - header.dataOffset;
  if (available < nbytes)
    throw new FormatError(`truncated: shape (${header.shape}) of ${header.descr} needs ${nbytes} data bytes, the file has ${available}`, options.fileName, header.dataOffset);
  if (available > nbytes)
    throw new FormatError(`${available - nbytes} bytes after the data of shape (${header.shape}) of ${header.descr}`, options.fileName, header.dataOffset + nbytes);
  const data = bytes.subarray(header.dataOffset, header.dataOffset + nbytes);
  const t = dtype !== undefined
    ? tensorFromBytes(data, dtype, memoryShape, { littleEndian, copy: options.copy ?? false })
    : readUnsigned(data, code, memoryShape, littleEndian, where);
  if (!header.fortranOrder || header.shape.length < 2) return t;
  const dims = memoryShape.map((_, i) => memoryShape.length - 1 - i);
  return contiguous(permute(t, dims));
}

/**
 * A .npy file holding `t` (`numpy.save`), byte for byte as numpy writes it: C order,
 * little-endian, version 1.0 (2.0 when the header needs it). bfloat16 has no numpy dtype
 * and raises UnsupportedError; convert it first (`t.to("float32")`).
 */
export function save(t: Tensor): Uint8Array {
  const descr = DESCR[t.dtype];
  if (descr === undefined) throw new UnsupportedError(`numpy has no ${t.dtype} dtype; convert the tensor first (e.g. to float32)`);
  const header = npyHeaderBytes(descr, t.shape);
  const data = tensorBytes(t);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}
