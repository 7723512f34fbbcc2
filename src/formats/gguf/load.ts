/** Reading GGUF tensors: float32 for float and quantized types, integer dtypes as themselves. */
import type { DType } from "../../core/dtype.ts";
import { UnsupportedError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { fromStorageArray } from "../../ops/creation.ts";
import { setOwn } from "../own-record.ts";
import { tensorFromBytes } from "../tensor-bytes.ts";
import { DEQUANTIZERS } from "./dequantize.ts";
import { readHeader, type GgufHeader, type GgufTensorInfo } from "./header.ts";

export interface LoadOptions {
  /** Named in error messages. */
  fileName?: string;
  /** Copy F32/F64/integer data even where it could be viewed in place (js backend). */
  copy?: boolean;
}

export interface Gguf extends GgufHeader {
  /** Tensors by name, in the order of the file's tensor infos. */
  readonly tensorData: Record<string, Tensor>;
}

/** The ggml types read without conversion, and their dtypes (exported for inspect). */
export const NATIVE: Record<string, DType> = { F32: "float32", F64: "float64", I8: "int8", I16: "int16", I32: "int32", I64: "int64" };

/** Whether concord can read tensors of this ggml type. */
export function isSupportedType(name: string): boolean {
  return name in NATIVE || name in DEQUANTIZERS;
}

/**
 * The data of one tensor of a parsed file. F32, F64 and the integer types keep their
 * dtype; F16, BF16 and the block quantizations (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K,
 * Q4_K, Q5_K, Q6_K, Q8_K) are dequantized to float32 exactly as ggml does. Other types
 * (the IQ and TQ families, Q8_1) raise UnsupportedError naming the tensor and the type.
 */
export function readTensor(bytes: Uint8Array, info: GgufTensorInfo, options: LoadOptions = {}): Tensor {
  const data = bytes.subarray(info.offset, info.offset + info.byteLength);
  const native = NATIVE[info.type.name];
  if (native !== undefined) return tensorFromBytes(data, native, info.shape, { copy: options.copy ?? false });
  const decode = DEQUANTIZERS[info.type.name];
  if (decode === undefined)
    throw new UnsupportedError(
      `${options.fileName !== undefined ? options.fileName + ": " : ""}tensor '${info.name}' has ggml type ${info.type.name}, which concord cannot dequantize`,
    );
  const numel = info.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(numel);
  decode(data, new DataView(data.buffer, data.byteOffset, data.byteLength), out, numel / info.type.blockSize);
  return fromStorageArray(out, info.shape, "float32");
}

/**
 * Reads a GGUF file: its metadata, tensor infos and every tensor (see `readTensor`).
 * For large files, `readHeader` then `readTensor` reads only the tensors wanted.
 *
 * ```ts
 * const gguf = load(bytes, { fileName: "tiny.gguf" });
 * gguf.metadata["general.architecture"]; // "llama"
 * gguf.tensorData["token_embd.weight"].shape; // [n_vocab, n_embd]
 * ```
 */
export function load(bytes: Uint8Array, options: LoadOptions = {}): Gguf {
  const header = readHeader(bytes, options.fileName);
  const tensorData: Record<string, Tensor> = {};
  for (const info of header.tensors) setOwn(tensorData, info.name, readTensor(bytes, info, options));
  return { ...header, tensorData };
}
