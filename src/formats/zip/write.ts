/**
 * Zip writer: stored or deflated entries, deterministic (every timestamp is 1980-01-01 00:00),
 * optionally aligning each entry's data the way PyTorch's writer does.
 *
 * PyTorch (caffe2/serialize/inline_container.cc) pads every local header with an extra field
 * of id "FB" filled with 'Z' so that the data starts on a 64-byte boundary, which lets
 * readers map tensors in place. `align: 64` does the same. ZIP64 records are written for
 * sizes and offsets that do not fit 32 bits.
 */
import { deflateSync } from "fflate";
import { ValueError } from "../../core/errors.ts";
import { crc32 } from "./crc32.ts";
import { unsafeNameReason } from "./names.ts";

export interface ZipWriteEntry {
  name: string;
  data: Uint8Array;
  /** Deflate this entry (default: stored). */
  deflate?: boolean;
}

export interface ZipWriteOptions {
  /** Start each entry's data on a multiple of this many bytes via an "FB" padding extra field (0 = none). */
  align?: number;
  /** Write ZIP64 records for every entry even when the sizes fit 32 bits. */
  forceZip64?: boolean;
}

const U32_MAX = 0xffffffff;
const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const FLAG_UTF8 = 0x0800;
/** The central directory's ZIP64 extra field: id, length, then size, compressed size and offset. */
const CENTRAL_ZIP64_EXTRA = 28;

interface Planned {
  name: Uint8Array;
  data: Uint8Array;
  method: number;
  size: number;
  crc: number;
  offset: number;
  zip64: boolean;
  padding: number;
}

/** The bytes of a zip archive holding `entries` in order. */
export function writeZip(entries: readonly ZipWriteEntry[], options: ZipWriteOptions = {}): Uint8Array {
  const align = options.align ?? 0;
  if (!Number.isInteger(align) || align < 0 || align > 0xffff) throw new ValueError(`zip alignment must be an integer in [0, 65535], got ${align}`);
  const encoder = new TextEncoder();
  const seen = new Set<string>();
  const planned: Planned[] = [];
  let cursor = 0;
  for (const e of entries) {
    const unsafe = unsafeNameReason(e.name);
    if (unsafe !== null) throw new ValueError(`zip entry name '${e.name}' has ${unsafe}`);
    if (seen.has(e.name)) throw new ValueError(`two zip entries named '${e.name}'`);
    seen.add(e.name);
    const name = encoder.encode(e.name);
    if (name.length > 0xffff) throw new ValueError(`zip entry name of ${name.length} bytes is longer than 65535`);
    const data = e.deflate ? deflateSync(e.data, { level: 6 }) : e.data;
    const zip64 = options.forceZip64 === true || e.data.length >= U32_MAX || data.length >= U32_MAX || cursor >= U32_MAX;
    let padding = 0;
    if (align > 0) {
      const start = cursor + 30 + name.length + (zip64 ? 20 : 0) + 4;
      padding = (align - (start % align)) % align;
    }
    planned.push({ name, data, method: e.deflate ? 8 : 0, size: e.data.length, crc: crc32(e.data), offset: cursor, zip64, padding });
    cursor += localHeaderSize(planned[planned.length - 1]!, align) + data.length;
  }
  const cdOffset = cursor;
  const cdSize = planned.reduce((n, p) => n + 46 + p.name.length + (p.zip64 ? CENTRAL_ZIP64_EXTRA : 0), 0);
  const zip64End = options.forceZip64 === true || planned.length >= 0xffff || cdOffset >= U32_MAX || cdSize >= U32_MAX;
  const total = cdOffset + cdSize + (zip64End ? 56 + 20 : 0) + 22;

  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const u16 = (at: number, x: number): void => v.setUint16(at, x, true);
  const u32 = (at: number, x: number): void => v.setUint32(at, x, true);
  const u64 = (at: number, x: number): void => v.setBigUint64(at, BigInt(x), true);

  for (const p of planned) {
    let at = p.offset;
    u32(at, 0x04034b50);
    u16(at + 4, p.zip64 ? 45 : 20);
    u16(at + 6, FLAG_UTF8);
    u16(at + 8, p.method);
    u16(at + 10, 0);
    u16(at + 12, DOS_DATE_1980_01_01);
    u32(at + 14, p.crc);
    u32(at + 18, p.zip64 ? U32_MAX : p.data.length);
    u32(at + 22, p.zip64 ? U32_MAX : p.size);
    u16(at + 26, p.name.length);
    u16(at + 28, localHeaderSize(p, align) - 30 - p.name.length);
    out.set(p.name, at + 30);
    at += 30 + p.name.length;
    if (p.zip64) {
      u16(at, 0x0001);
      u16(at + 2, 16);
      u64(at + 4, p.size);
      u64(at + 12, p.data.length);
      at += 20;
    }
    if (align > 0) {
      out[at] = 0x46; // 'F'
      out[at + 1] = 0x42; // 'B'
      u16(at + 2, p.padding);
      out.fill(0x5a, at + 4, at + 4 + p.padding); // 'Z'
      at += 4 + p.padding;
    }
    out.set(p.data, at);
  }

  let at = cdOffset;
  for (const p of planned) {
    u32(at, 0x02014b50);
    u16(at + 4, p.zip64 ? 45 : 20);
    u16(at + 6, p.zip64 ? 45 : 20);
    u16(at + 8, FLAG_UTF8);
    u16(at + 10, p.method);
    u16(at + 12, 0);
    u16(at + 14, DOS_DATE_1980_01_01);
    u32(at + 16, p.crc);
    u32(at + 20, p.zip64 ? U32_MAX : p.data.length);
    u32(at + 24, p.zip64 ? U32_MAX : p.size);
    u16(at + 28, p.name.length);
    u16(at + 30, p.zip64 ? CENTRAL_ZIP64_EXTRA : 0);
    u32(at + 42, p.zip64 ? U32_MAX : p.offset);
    out.set(p.name, at + 46);
    at += 46 + p.name.length;
    if (p.zip64) {
      u16(at, 0x0001);
      u16(at + 2, 24);
      u64(at + 4, p.size);
      u64(at + 12, p.data.length);
      u64(at + 20, p.offset);
      at += 28;
    }
  }
  if (zip64End) {
    const rec = at;
    u32(at, 0x06064b50);
    u64(at + 4, 44);
    u16(at + 12, 45);
    u16(at + 14, 45);
    u64(at + 24, planned.length);
    u64(at + 32, planned.length);
    u64(at + 40, cdSize);
    u64(at + 48, cdOffset);
    at += 56;
    u32(at, 0x07064b50);
    u64(at + 8, rec);
    u32(at + 16, 1);
    at += 20;
  }
  u32(at, 0x06054b50);
  u16(at + 8, zip64End ? 0xffff : planned.length);
  u16(at + 10, zip64End ? 0xffff : planned.length);
  u32(at + 12, zip64End ? U32_MAX : cdSize);
  u32(at + 16, zip64End ? U32_MAX : cdOffset);
  return out;
}

function localHeaderSize(p: Planned, align: number): number {
  return 30 + p.name.length + (p.zip64 ? 20 : 0) + (align > 0 ? 4 + p.padding : 0);
}

