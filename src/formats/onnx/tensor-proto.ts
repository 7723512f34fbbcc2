/**
 * TensorProto <-> TensorData: every element type, from raw_data or the typed fields,
 * with sizes checked against dims before anything is allocated. External data is read
 * through a callback (the node loader reads side files; a browser caller passes bytes).
 */
import { FormatError, UnsupportedError } from "../../core/errors.ts";
import { elemBits, elemTypeCode, elemTypeFromCode, type ElemType } from "../../graph/elem-type.ts";
import type { ExternalLocation, StringPair, TensorData } from "../../graph/ir.ts";
import type { HostArray } from "../../graph/value.ts";
import { has, toBigInt, toLong, toNumber, type Msg } from "./proto.ts";

/** Reads `length` bytes (all to the end when undefined) at `offset` of the side file `location`. */
export type ExternalReader = (ext: ExternalLocation) => Uint8Array;
/** Offered every non-string tensor being written: stores its bytes in a side file and says where, or returns undefined to keep it inline. */
export type ExternalWriter = (tensor: TensorData, bytes: Uint8Array) => ExternalLocation | undefined;

/** The largest tensor concord reads (elements); a file claiming more is refused before allocating. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

const utf8 = new TextDecoder("utf-8");
const utf8Encoder = new TextEncoder();

export function decodeUtf8(b: Uint8Array): string {
  return utf8.decode(b);
}
export function encodeUtf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Refuses locations that could leave the model's folder (absolute paths, "..", drive letters). */
export function checkLocation(location: string): void {
  const parts = location.split(/[\\/]/);
  if (location === "" || /^[\\/]/.test(location) || /^[a-zA-Z]:/.test(location) || parts.includes("..") || location.includes("\0"))
    throw new FormatError(`external data location "${location}" must be a relative path inside the model's folder`);
}

/** Element count of `dims`, checked (non-negative integers, at most MAX_ELEMENTS). */
export function checkedNumel(dims: readonly number[], what: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new FormatError(`${what}: invalid dimension ${d} in [${dims.join(", ")}]`);
    n *= d;
    if (n > MAX_ELEMENTS) throw new FormatError(`${what}: [${dims.join(", ")}] has more than ${MAX_ELEMENTS} elements`);
  }
  return n;
}

/** Bytes that `n` elements of `t` take in raw_data. */
export function rawByteLength(t: ElemType, n: number): number {
  return Math.ceil((n * elemBits(t)) / 8);
}

function newHostArray(t: ElemType, n: number): HostArray {
  switch (t) {
    case "float32": return new Float32Array(n);
    case "float64": return new Float64Array(n);
    case "complex64": return new Float32Array(2 * n);
    case "complex128": return new Float64Array(2 * n);
    case "float16": case "bfloat16": case "uint16": return new Uint16Array(n);
    case "int8": case "int4": case "int2": return new Int8Array(n);
    case "int16": return new Int16Array(n);
    case "int32": return new Int32Array(n);
    case "uint32": return new Uint32Array(n);
    case "int64": return new BigInt64Array(n);
    case "uint64": return new BigUint64Array(n);
    case "string": return new Array<string>(n).fill("");
    default: return new Uint8Array(n); // uint8, bool, float8*, float4e2m1, uint4, uint2
  }
}

/** Unpacks 4- or 2-bit values (first element in the lowest bits) into one per byte. */
function unpackBits(bytes: Uint8Array, t: ElemType, n: number): Int8Array | Uint8Array {
  const bits = elemBits(t);
  const out = newHostArray(t, n) as Int8Array | Uint8Array;
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const signed = t === "int4" || t === "int2";
  for (let i = 0; i < n; i++) {
    let v = (bytes[Math.floor(i / perByte)]! >> ((i % perByte) * bits)) & mask;
    if (signed && v >= 1 << (bits - 1)) v -= 1 << bits;
    out[i] = v;
  }
  return out;
}

function packBits(values: Int8Array | Uint8Array, t: ElemType): Uint8Array {
  const bits = elemBits(t);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(values.length / perByte));
  for (let i = 0; i < values.length; i++) out[Math.floor(i / perByte)]! |= (values[i]! & mask) << ((i % perByte) * bits);
  return out;
}

/** Values from little-endian raw bytes (`field` names where they were stored, for errors). */
export function fromRawBytes(bytes: Uint8Array, t: ElemType, n: number, what: string, field = "raw_data"): HostArray {
  checkRawLength(bytes.length, t, n, what, field);
  if (elemBits(t) < 8) return unpackBits(bytes, t, n);
  const out = newHostArray(t, n) as Exclude<HostArray, string[]>;
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  return out;
}

/** Refuses a byte count that is not what `n` values of `t` take. */
function checkRawLength(length: number, t: ElemType, n: number, what: string, field: string): void {
  if (t === "string") throw new FormatError(`${what}: string tensors cannot use ${field}`);
  const expected = rawByteLength(t, n);
  if (length !== expected) throw new FormatError(`${what}: ${field} holds ${length} bytes, ${n} ${t} values need ${expected}`);
}

/** Little-endian raw bytes of values. */
export function toRawBytes(data: HostArray, t: ElemType): Uint8Array {
  if (t === "string") throw new UnsupportedError("string tensors have no raw form");
  if (elemBits(t) < 8) return packBits(data as Int8Array | Uint8Array, t);
  const a = data as Exclude<HostArray, string[]>;
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

function typedField(t: ElemType): string {
  switch (t) {
    case "float32": case "complex64": return "float_data";
    case "float64": case "complex128": return "double_data";
    case "int64": return "int64_data";
    case "uint32": case "uint64": return "uint64_data";
    case "string": return "string_data";
    default: return "int32_data";
  }
}

function fromTypedField(msg: Msg, t: ElemType, n: number, what: string): HostArray {
  const field = typedField(t);
  const src = (msg[field] ?? []) as unknown[];
  const bits = elemBits(t);
  // Packed types keep one byte of packed data per int32 entry.
  const count = t === "string" ? n : bits < 8 ? Math.ceil((n * bits) / 8) : t === "complex64" || t === "complex128" ? 2 * n : n;
  if (src.length !== count) throw new FormatError(`${what}: ${field} holds ${src.length} values, ${n} ${t} values need ${count}`);
  if (t === "string") return (src as Uint8Array[]).map(decodeUtf8);
  if (bits < 8) return unpackBits(Uint8Array.from(src as number[], (v) => v & 0xff), t, n);
  const out = newHostArray(t, n);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    const wrap = out instanceof BigInt64Array ? (b: bigint) => BigInt.asIntN(64, b) : (b: bigint) => BigInt.asUintN(64, b);
    for (let i = 0; i < count; i++) out[i] = wrap(toBigInt(src[i]));
  } else if (t === "uint32") {
    for (let i = 0; i < count; i++) (out as Uint32Array)[i] = toNumber(src[i]);
  } else if (t === "float16" || t === "bfloat16") {
    for (let i = 0; i < count; i++) (out as Uint16Array)[i] = (src[i] as number) & 0xffff;
  } else {
    (out as Float64Array).set(src as number[]);
  }
  return out;
}

function toTypedField(data: HostArray, t: ElemType): { field: string; values: unknown[] } {
  const field = typedField(t);
  if (t === "string") return { field, values: (data as string[]).map(encodeUtf8) };
  if (elemBits(t) < 8) return { field, values: Array.from(packBits(data as Int8Array, t)) };
  if (data instanceof BigInt64Array) return { field, values: Array.from(data, (v) => toLong(v)) };
  if (data instanceof BigUint64Array || t === "uint32") return { field, values: Array.from(data as Uint32Array, (v) => toLong(v, true)) };
  return { field, values: Array.from(data as Float64Array) };
}

function pairs(list: unknown): StringPair[] | undefined {
  const l = (list ?? []) as Msg[];
  return l.length ? l.map((p) => ({ key: String(p.key ?? ""), value: String(p.value ?? "") })) : undefined;
}

function externalLocation(msg: Msg, what: string): ExternalLocation {
  const entries = pairs(msg.external_data) ?? [];
  const ext: ExternalLocation = { location: "" };
  const extra: StringPair[] = [];
  for (const { key, value } of entries) {
    if (key === "location") ext.location = value;
    else if (key === "offset" || key === "length") {
      const v = Number(value);
      if (!Number.isSafeInteger(v) || v < 0) throw new FormatError(`${what}: external data ${key} "${value}" is not a byte count`);
      ext[key] = v;
    } else if (key === "checksum") ext.checksum = value;
    else extra.push({ key, value });
  }
  if (!ext.location) throw new FormatError(`${what}: external data without a location`);
  if (extra.length) ext.extra = extra;
  return ext;
}

/** A TensorProto message as TensorData; `readExternal` resolves data stored in side files. */
export function tensorFromProto(msg: Msg, readExternal?: ExternalReader): TensorData {
  const name = has(msg, "name") ? String(msg.name) : undefined;
  const what = `tensor ${name ?? "(unnamed)"}`;
  const code = toNumber(msg.data_type ?? 0);
  const elemType = elemTypeFromCode(code);
  if (elemType === undefined) throw new FormatError(`${what}: unknown data_type ${code}`);
  const dims = ((msg.dims ?? []) as unknown[]).map(toNumber);
  const n = checkedNumel(dims, what);
  const t: TensorData = { elemType, dims, data: [] };
  if (name !== undefined) t.name = name;
  if (has(msg, "doc_string")) t.docString = String(msg.doc_string);
  const meta = pairs(msg.metadata_props);
  if (meta) t.metadataProps = meta;
  if (toNumber(msg.data_location ?? 0) === 1) {
    const ext = externalLocation(msg, what);
    if (!readExternal) throw new FormatError(`${what}: stored in the external data file ${ext.location}, which was not given`);
    t.external = ext;
    t.storage = "raw";
    // A stated length must fit before anything is read.
    if (ext.length !== undefined) checkRawLength(ext.length, elemType, n, what, "external data");
    t.data = fromRawBytes(readExternal(ext), elemType, n, what, "external data");
    return t;
  }
  if (has(msg, "raw_data")) {
    t.storage = "raw";
    t.data = fromRawBytes(msg.raw_data as Uint8Array, elemType, n, what);
  } else {
    t.storage = "fields";
    t.data = fromTypedField(msg, elemType, n, what);
  }
  return t;
}

/** TensorData as a TensorProto message (plain object for protobufjs to encode). */
export function tensorToProto(t: TensorData, writeExternal?: ExternalWriter): Msg {
  const msg: Msg = { dims: t.dims.map((d) => toLong(d)), data_type: elemTypeCode(t.elemType) };
  if (t.name !== undefined) msg.name = t.name;
  if (t.docString !== undefined) msg.doc_string = t.docString;
  if (t.metadataProps) msg.metadata_props = t.metadataProps.map((p) => ({ ...p }));
  const loc = writeExternal && t.elemType !== "string" ? writeExternal(t, toRawBytes(t.data, t.elemType)) : undefined;
  if (loc) {
    checkLocation(loc.location);
    const entries: StringPair[] = [{ key: "location", value: loc.location }];
    if (loc.offset !== undefined) entries.push({ key: "offset", value: String(loc.offset) });
    if (loc.length !== undefined) entries.push({ key: "length", value: String(loc.length) });
    if (loc.checksum !== undefined) entries.push({ key: "checksum", value: loc.checksum });
    entries.push(...(loc.extra ?? []));
    msg.external_data = entries;
    msg.data_location = 1;
    return msg;
  }
  if (t.elemType !== "string" && t.storage !== "fields") msg.raw_data = toRawBytes(t.data, t.elemType);
  else {
    const { field, values } = toTypedField(t.data, t.elemType);
    msg[field] = values;
  }
  return msg;
}
