/**
 * The safetensors header: an 8-byte little-endian length N, N bytes of UTF-8 JSON, then the
 * data section. Validated as the reference reader does (`SafeTensors::read_metadata`): the
 * JSON is an object of tensor entries plus an optional `__metadata__` of strings; sorted by
 * offsets, the entries tile the data section exactly — the first starts at 0, each starts
 * where the previous ends, the last ends at the end of the file — and each entry's byte
 * length is numel · element size.
 */
import { FormatError, UnsupportedError } from "../../core/errors.ts";
import { SAFETENSORS_DTYPES, isSafetensorsDType, type SafetensorsDType } from "./dtypes.ts";

/** The reference reader's limit on the JSON header (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** [begin, end) in bytes, relative to the start of the data section. */
  readonly dataOffsets: readonly [number, number];
}

export interface SafetensorsHeader {
  /** Byte offset of the data section in the file (8 + the header length). */
  readonly dataStart: number;
  /** Entries in file order (sorted by offset). */
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Record<string, string>;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isIndex = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;

/** Parses and validates the header of a safetensors file held in `bytes`. */
export function readHeader(bytes: Uint8Array, fileName?: string): SafetensorsHeader {
  const fail = (message: string, offset?: number): never => {
    throw new FormatError(message, fileName, offset);
  };
  if (bytes.length < 8) fail(`a safetensors file starts with an 8-byte header length; the file has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES))
    fail(`header length ${declared} exceeds the ${MAX_HEADER_BYTES}-byte limit`, 0);
  const n = Number(declared);
  if (8 + n > bytes.length) fail(`header of ${n} bytes runs past the end of the file (${bytes.length} bytes)`, 0);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail("header is not valid UTF-8", 8);
  }
  if (!text.startsWith("{")) fail("header is not a JSON object (it must start with '{')", 8);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON: ${(e as Error).message}`, 8);
  }
  if (!isObject(json)) return fail("header is not a JSON object", 8);

  let metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === "__metadata__") {
      if (!isObject(value)) fail("__metadata__ must be an object of strings");
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        if (typeof v !== "string") fail(`__metadata__ value of '${k}' must be a string, got ${JSON.stringify(v)}`);
      metadata = value as Record<string, string>;
      continue;
    }
    entries.push(parseEntry(name, value, fail));
  }
  entries.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  let end = 0;
  let previous: string | undefined;
  for (const e of entries) {
    const [b, f] = e.dataOffsets;
    if (b < end) fail(`tensor '${e.name}': data_offsets [${b}, ${f}] overlap tensor '${previous}' (which ends at ${end})`);
    if (b > end) fail(`tensor '${e.name}': data_offsets start at ${b}, leaving bytes ${end}..${b} of the data section unused`);
    if (f > dataLength) fail(`tensor '${e.name}': data_offsets [${b}, ${f}] run past the data section (${dataLength} bytes)`);
    end = f;
    previous = e.name;
  }
  if (end !== dataLength) fail(`the tensors cover ${end} bytes but the data section has ${dataLength} (the file must end with the last tensor)`);
  return { dataStart, entries, metadata };
}

function parseEntry(name: string, value: unknown, fail: (message: string) => never): SafetensorsEntry {
  const where = `tensor '${name}'`;
  if (!isObject(value)) fail(`${where}: expected an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== "string" || !isSafetensorsDType(dtype)) return fail(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isIndex))
    fail(`${where}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex))
    fail(`${where}: data_offsets must be two non-negative integers, got ${JSON.stringify(offsets)}`);
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  const size = SAFETENSORS_DTYPES[dtype];
  if (size === 0) throw new UnsupportedError(`${where}: dtype ${dtype} (sub-byte) is not supported by concord`);
  let nbytes = size;
  for (const d of shape as number[]) nbytes *= d;
  if (!Number.isSafeInteger(nbytes)) fail(`${where}: shape [${shape}] is too large`);
  if (nbytes !== end - begin)
    fail(`${where}: ${dtype} of shape [${shape}] needs ${nbytes} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  return { name, dtype, shape: shape as number[], dataOffsets: [begin, end] };
}
