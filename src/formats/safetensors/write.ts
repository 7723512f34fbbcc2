/** Writing tensors as a safetensors file, byte for byte as the reference writer does. */
import { ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { tensorBytes } from "../tensor-bytes.ts";
import { DTYPE_ORDER, FROM_CONCORD } from "./dtypes.ts";

export interface SaveOptions {
  /** Written as `__metadata__` (string values only). */
  metadata?: Record<string, string>;
}

const encoder = new TextEncoder();

/** Orders strings as Rust's `str::cmp` does: by UTF-8 bytes. */
function compareUtf8(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * A safetensors file holding `tensors` (`safetensors.torch.save`). As the reference writer
 * does, tensors are laid out by dtype alignment (largest first) then name, the header is
 * compact JSON with `__metadata__` first, padded with spaces to a multiple of 8 bytes so
 * every tensor's data is aligned to its element size.
 *
 * ```ts
 * const bytes = save({ weight: w, bias: b }, { metadata: { format: "pt" } });
 * ```
 */
export function save(tensors: Record<string, Tensor>, options: SaveOptions = {}): Uint8Array {
  const names = Object.keys(tensors);
  if (names.includes("__metadata__")) throw new ValueError("'__metadata__' is reserved and cannot name a tensor");
  const metadata = options.metadata;
  if (metadata !== undefined)
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== "string") throw new ValueError(`safetensors metadata values must be strings; '${k}' is ${typeof v}`);
  const dtypeOf = (name: string) => FROM_CONCORD[tensors[name]!.dtype];
  names.sort((a, b) => DTYPE_ORDER[dtypeOf(b)]! - DTYPE_ORDER[dtypeOf(a)]! || compareUtf8(a, b));

  // Built as text, not with one JSON.stringify: an object lists integer-like keys first.
  const fields = metadata !== undefined ? [`"__metadata__":${JSON.stringify(metadata)}`] : [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const data = tensorBytes(t);
    const entry = { dtype: dtypeOf(name), shape: [...t.shape], data_offsets: [offset, offset + data.length] };
    fields.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}`);
    chunks.push(data);
    offset += data.length;
  }
  const headerBytes = encoder.encode("{" + fields.join(",") + "}");
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(headerBytes, 8);
  out.fill(0x20, 8 + headerBytes.length, 8 + padded);
  let at = 8 + padded;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
