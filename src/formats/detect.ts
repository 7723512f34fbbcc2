/**
 * Which checkpoint or model format a file is, from its first bytes (and its name where
 * the bytes cannot tell: ONNX is plain protobuf with no magic number).
 */
import { FormatError } from "../core/errors.ts";
import { looksLikeZip, readZip } from "./zip/index.ts";

export type FileFormat = "pytorch" | "safetensors" | "npy" | "npz" | "gguf" | "onnx";

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  return n >= 2n && n <= BigInt(bytes.length - 8) && bytes[8] === 0x7b; // '{'
}

export function detectFormat(bytes: Uint8Array, fileName?: string): FileFormat {
  const where = fileName ?? "input";
  if (startsWith(bytes, NPY_MAGIC)) return "npy";
  if (startsWith(bytes, [0x47, 0x47, 0x55, 0x46])) return "gguf"; // "GGUF"
  if (looksLikeZip(bytes)) {
    const names = readZip(bytes, fileName !== undefined ? { fileName } : {}).entries.map((e) => e.name);
    if (names.some((n) => n === "data.pkl" || n.endsWith("/data.pkl"))) return "pytorch";
    if (names.length > 0 && names.every((n) => n.endsWith(".npy"))) return "npz";
    throw new FormatError(`${where}: a zip archive that is neither a PyTorch checkpoint (no data.pkl) nor an .npz (entries other than .npy)`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! >= 2 && bytes[1]! <= 5) return "pytorch"; // pickle protocol 2+: legacy torch.save
  if (looksLikeSafetensors(bytes)) return "safetensors";
  const lower = (fileName ?? "").toLowerCase();
  if (lower.endsWith(".onnx") || bytes[0] === 0x08) return "onnx"; // field 1 (ir_version), varint
  throw new FormatError(`${where}: unrecognized format (not .pt/.pth, .safetensors, .npy/.npz, .gguf or .onnx)`);
}
