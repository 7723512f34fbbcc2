/**
 * The GGUF header (versions 2 and 3): magic "GGUF", version u32, tensor count u64,
 * metadata count u64, the metadata key/values, the tensor infos, padding to the alignment
 * (`general.alignment`, default 32), then the data section. Layout per ggml's docs/gguf.md;
 * checks as ggml's `gguf_init_from_file_impl`, plus: every count and length is checked
 * against the bytes left before anything is allocated, and tensors may not overlap or
 * reach past the end of the file.
 */
import { FormatError, UnsupportedError } from "../../core/errors.ts";
import { setOwn } from "../own-record.ts";
import { GGML_TYPES, ggmlByteSize, type GgmlType } from "./ggml-types.ts";

/** A metadata value: integers up to 32 bits and floats as numbers, 64-bit integers as bigints. */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

export interface GgufTensorInfo {
  readonly name: string;
  /** PyTorch order: GGUF's dims reversed (its ne[0], the fastest dim, is last here). */
  readonly shape: readonly number[];
  readonly type: GgmlType;
  /** Absolute byte offset of the data in the file. */
  readonly offset: number;
  readonly byteLength: number;
}

export interface GgufHeader {
  readonly version: number;
  readonly metadata: Record<string, GgufValue>;
  /** Each key's GGUF type: "uint32", "string", "array<float32>", "array<array<string>>"... */
  readonly metadataTypes: Record<string, string>;
  readonly alignment: number;
  /** Byte offset of the data section. */
  readonly dataOffset: number;
  readonly tensors: readonly GgufTensorInfo[];
}

const VALUE_TYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"] as const;
/** Smallest encoding of each value type, to bound array lengths before allocating. */
const MIN_SIZE = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8];
const MAX_DIMS = 4; // GGML_MAX_DIMS
const MAX_NAME = 63; // GGML_MAX_NAME - 1
const MAX_NESTING = 8;

class Reader {
  pos = 0;
  readonly view: DataView;
  private readonly decoder = new TextDecoder("utf-8");
  constructor(
    readonly bytes: Uint8Array,
    readonly fileName: string | undefined,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  fail(message: string, at = this.pos): never {
    throw new FormatError(message, this.fileName, at);
  }
  need(n: number, what: string): number {
    if (n > this.bytes.length - this.pos) this.fail(`truncated: ${what} needs ${n} bytes, ${this.bytes.length - this.pos} left`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u32(what: string): number {
    return this.view.getUint32(this.need(4, what), true);
  }
  /** A u64 that must be at most `max` (a count or a length), as a number. */
  count(what: string, max: number): number {
    const at = this.pos;
    const v = this.view.getBigUint64(this.need(8, what), true);
    if (v > BigInt(max)) this.fail(`${what} ${v} is larger than the file allows (at most ${max})`, at);
    return Number(v);
  }
  string(what: string): string {
    const n = this.count(`length of ${what}`, Math.max(0, this.bytes.length - this.pos - 8));
    const at = this.need(n, what);
    // Not fatal on bad UTF-8: some vocabularies hold byte-level tokens; they read with U+FFFD.
    return this.decoder.decode(this.bytes.subarray(at, at + n));
  }
  /** The GGUF type name of the value `value` read last: "uint32", "array<string>"... */
  lastType = "";
  value(type: number, what: string, depth: number): GgufValue {
    const v = this.read(type, what, depth);
    if (type !== 9) this.lastType = VALUE_TYPES[type]!;
    return v;
  }
  private read(type: number, what: string, depth: number): GgufValue {
    const v = this.view;
    switch (type) {
      case 0: return v.getUint8(this.need(1, what));
      case 1: return v.getInt8(this.need(1, what));
      case 2: return v.getUint16(this.need(2, what), true);
      case 3: return v.getInt16(this.need(2, what), true);
      case 4: return v.getUint32(this.need(4, what), true);
      case 5: return v.getInt32(this.need(4, what), true);
      case 6: return v.getFloat32(this.need(4, what), true);
      case 7: return v.getUint8(this.need(1, what)) !== 0;
      case 8: return this.string(what);
      case 10: return v.getBigUint64(this.need(8, what), true);
      case 11: return v.getBigInt64(this.need(8, what), true);
      case 12: return v.getFloat64(this.need(8, what), true);
      case 9: {
        if (depth >= MAX_NESTING) this.fail(`${what}: arrays nested deeper than ${MAX_NESTING}`);
        const at = this.pos;
        const itemType = this.u32(`element type of ${what}`);
        if (!(itemType < VALUE_TYPES.length)) this.fail(`${what}: unknown array element type ${itemType}`, at);
        const n = this.count(`length of ${what}`, Math.max(0, Math.floor((this.bytes.length - this.pos - 8) / MIN_SIZE[itemType]!)));
        const out = new Array<GgufValue>(n);
        let inner = itemType === 9 ? "array<?>" : VALUE_TYPES[itemType]!;
        for (let i = 0; i < n; i++) {
          out[i] = this.value(itemType, what, depth + 1);
          if (i === 0) inner = this.lastType;
        }
        this.lastType = `array<${inner}>`;
        return out;
      }
      default:
        return this.fail(`${what}: unknown value type ${type}`);
    }
  }
}

/** Parses and validates a GGUF file's header and tensor infos; reads no tensor data. */
export function readHeader(bytes: Uint8Array, fileName?: string): GgufHeader {
  const r: Reader = new Reader(bytes, fileName);
  r.need(4, "magic");
  if (bytes[0] !== 0x47 || bytes[1] !== 0x47 || bytes[2] !== 0x55 || bytes[3] !== 0x46) r.fail("not a GGUF file (magic is not 'GGUF')", 0);
  const version = r.u32("version");
  if (version === 1) throw new UnsupportedError(`${fileName ? fileName + ": " : ""}GGUF version 1 is not supported (only 2 and 3)`);
  if (version !== 2 && version !== 3) r.fail(`unknown GGUF version ${version} (expected 2 or 3)`, 4);
  // Each tensor info takes at least 8 (name) + 4 + 4 + 8 bytes; each key/value 8 + 4 + 1.
  const tensorCount = r.count("tensor count", Math.max(0, Math.floor((bytes.length - 24) / 24)));
  const kvCount = r.count("metadata count", Math.max(0, Math.floor((bytes.length - 24) / 13)));

  const metadata: Record<string, GgufValue> = {};
  const metadataTypes: Record<string, string> = {};
  for (let i = 0; i < kvCount; i++) {
    const key = r.string(`metadata key ${i}`);
    if (Object.prototype.hasOwnProperty.call(metadata, key)) r.fail(`duplicate metadata key '${key}'`);
    const type = r.u32(`type of '${key}'`);
    setOwn(metadata, key, r.value(type, `metadata '${key}'`, 0));
    setOwn(metadataTypes, key, r.lastType);
  }

  let alignment = 32;
  if (Object.prototype.hasOwnProperty.call(metadata, "general.alignment")) {
    const a = metadata["general.alignment"];
    if (metadataTypes["general.alignment"] !== "uint32" || typeof a !== "number" || a === 0 || (a & (a - 1)) !== 0)
      r.fail(`general.alignment must be a uint32 power of 2, got ${String(a)} (${metadataTypes["general.alignment"]})`, 0);
    alignment = a;
  }

  const infos: { name: string; shape: number[]; type: GgmlType; relative: number; byteLength: number }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const start = r.pos;
    const name = r.string(`name of tensor ${i}`);
    const where = `tensor '${name}'`;
    if (new TextEncoder().encode(name).length > MAX_NAME) r.fail(`${where}: name longer than ${MAX_NAME} bytes`, start);
    if (names.has(name)) r.fail(`duplicate tensor name '${name}'`, start);
    names.add(name);
    const nDims = r.u32(`dims of ${where}`);
    if (nDims > MAX_DIMS) r.fail(`${where} has ${nDims} dims (at most ${MAX_DIMS})`);
    const ne: number[] = [];
    let numel = 1;
    for (let j = 0; j < nDims; j++) {
      const d = r.count(`dim ${j} of ${where}`, Number.MAX_SAFE_INTEGER);
      ne.push(d);
      numel *= d;
    }
    const typeAt = r.pos;
    const typeId = r.u32(`type of ${where}`);
    const type = GGML_TYPES.get(typeId);
    if (type === undefined) r.fail(`${where} has unknown ggml type ${typeId}`, typeAt);
    if ((ne[0] ?? 1) % type.blockSize !== 0)
      r.fail(`${where} of type ${type.name} has ${ne[0]} elements per row, not a multiple of the block size ${type.blockSize}`, typeAt);
    const byteLength = ggmlByteSize(type, numel);
    if (!Number.isSafeInteger(byteLength) || byteLength > bytes.length) r.fail(`${where}: shape [${ne}] is larger than the file`, start);
    const relative = r.count(`offset of ${where}`, bytes.length);
    if (relative % alignment !== 0) r.fail(`${where}: data offset ${relative} is not a multiple of the alignment ${alignment}`);
    infos.push({ name, shape: ne.reverse(), type, relative, byteLength });
  }

  const dataOffset = Math.ceil(r.pos / alignment) * alignment;
  if (infos.length > 0 && dataOffset > bytes.length) r.fail(`data section at ${dataOffset} starts past the end of the file (${bytes.length} bytes)`);
  const tensors: GgufTensorInfo[] = infos.map((t) => ({ name: t.name, shape: t.shape, type: t.type, offset: dataOffset + t.relative, byteLength: t.byteLength }));
  const byOffset = [...tensors].sort((a, b) => a.offset - b.offset);
  let end = dataOffset;
  let previous = "";
  for (const t of byOffset) {
    if (t.offset < end) r.fail(`tensor '${t.name}' (bytes ${t.offset}..${t.offset + t.byteLength}) overlaps tensor '${previous}' (ending at ${end})`, t.offset);
    if (t.offset + t.byteLength > bytes.length)
      r.fail(`tensor '${t.name}': ${t.byteLength} bytes of ${t.type.name} data at ${t.offset} run past the end of the file (${bytes.length} bytes)`, t.offset);
    end = t.offset + t.byteLength;
    previous = t.name;
  }
  return { version, metadata, metadataTypes, alignment, dataOffset, tensors };
}
