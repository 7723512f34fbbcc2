/**
 * Reading what torch.save writes, in both of its formats:
 *
 * - zip (PyTorch >= 1.6): `<archive>/data.pkl` is the pickle; each storage is the record
 *   `<archive>/data/<key>`; `<archive>/byteorder` (newer versions) says "little" or "big".
 * - legacy (`_use_new_zipfile_serialization=False`): five pickles in a row (magic number,
 *   protocol version 1001, sys info, the object, the sorted storage keys), then for each key
 *   an int64 element count and the storage's raw bytes.
 *
 * Storages are referenced from the pickle by persistent ids; each becomes one concord
 * storage shared by every tensor that views it.
 */
import { DTYPES, type DType } from "../../core/dtype.ts";
import { FormatError, UnsupportedError } from "../../core/errors.ts";
import type { Storage } from "../../core/storage.ts";
import { Tensor } from "../../core/tensor.ts";
import { getBackend } from "../../backends/index.ts";
import { looksLikeZip, readZip, type ZipReadOptions } from "../zip/index.ts";
import { Materializer, type PyObject, type PyValue } from "./materialize.ts";
import { storageArray } from "./storage-data.ts";
import { unpickle } from "./unpickle.ts";
import { isTuple, PyDict, StorageRef, StorageType } from "./values.ts";

export interface LoadOptions {
  /** Names the file in error messages. */
  fileName?: string;
  /** Limits for the zip container (entry count, inflated sizes). */
  zip?: Omit<ZipReadOptions, "fileName">;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

/** Everything a checkpoint holds, as the file has it (usually a dict of tensors). */
export function load(bytes: Uint8Array, options: LoadOptions = {}): PyValue {
  if (looksLikeZip(bytes)) return loadZip(bytes, options);
  if (bytes.length >= 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === "ustar")
    throw new UnsupportedError(`${options.fileName ? `${options.fileName}: ` : ""}tar checkpoints (PyTorch before 0.4) are not supported; load and re-save with a newer PyTorch`);
  return loadLegacy(bytes, options);
}

/** A checkpoint whose top level is a dict with string keys (a state dict). */
export function loadStateDict(bytes: Uint8Array, options: LoadOptions = {}): PyObject {
  const value = load(bytes, options);
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype)
    throw new FormatError(`the checkpoint's top level is ${describeTop(value)}, not a dict with string keys`, options.fileName);
  return value as PyObject;
}

function describeTop(v: PyValue): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return Object.isFrozen(v) ? "a tuple" : "a list";
  if (v instanceof Map) return "a dict with non-string keys";
  if (v instanceof Set) return "a set";
  if (v instanceof Uint8Array) return "bytes";
  if (v instanceof Tensor) return "a tensor";
  return `a ${typeof v}`;
}

/** One concord storage per key, made on first use from the key's bytes. */
function storageCache(fetch: (key: string) => { dtype: DType; bytes: Uint8Array }, bigEndian: boolean): (ref: StorageRef) => Storage {
  const made = new Map<string, Storage>();
  return (ref) => {
    let s = made.get(ref.key);
    if (s === undefined) {
      const { dtype, bytes } = fetch(ref.key);
      s = getBackend().adopt(dtype, storageArray(bytes, dtype, bigEndian));
      made.set(ref.key, s);
    }
    return s;
  };
}

/** Checks a persistent id and returns its fields after the typename. */
function storageId(pid: unknown, length: number, error: (m: string) => FormatError): unknown[] {
  if (!isTuple(pid) || pid.length === 0) throw error("persistent id is not a tuple");
  if (pid[0] === "module") throw error("the file holds a pickled nn.Module's source; save a state dict instead: torch.save(model.state_dict(), path)");
  if (pid[0] !== "storage") throw error(`persistent id of kind '${String(pid[0])}' is not a storage`);
  if (pid.length !== length) throw error(`storage persistent id has ${pid.length} fields, expected ${length}`);
  const [, type, key, , numel] = pid;
  if (!(type instanceof StorageType)) throw error("storage persistent id does not name a storage class");
  if (typeof key !== "string" && typeof key !== "number") throw error("storage key is not a string");
  if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0) throw error("storage size is not a non-negative integer");
  return pid.slice(1);
}

function loadZip(bytes: Uint8Array, options: LoadOptions): PyValue {
  const { fileName } = options;
  const zip = readZip(bytes, { ...options.zip, fileName });
  const first = zip.entries[0]?.name ?? "";
  const prefix = first.includes("/") ? first.slice(0, first.indexOf("/") + 1) : "";
  const pklName = `${prefix}data.pkl`;
  if (!zip.has(pklName)) {
    const torchscript = zip.has(`${prefix}constants.pkl`) || zip.names().some((n) => n.startsWith(`${prefix}code/`));
    throw new FormatError(
      torchscript
        ? "this zip is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save a state dict instead: torch.save(model.state_dict(), path)"
        : `zip has no ${pklName}: not a torch.save checkpoint`,
      fileName,
    );
  }
  let bigEndian = false;
  if (zip.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim();
    if (order !== "little" && order !== "big") throw new FormatError(`byteorder record says '${order.slice(0, 20)}', not little or big`, fileName);
    bigEndian = order === "big";
  }
  const storages = new Map<string, { dtype: DType; numel: number; record: string }>();
  const pickle = zip.read(pklName);
  const { value } = unpickle(pickle, {
    fileName: fileName !== undefined ? `${fileName} (${pklName})` : pklName,
    persistentLoad: (pid, offset) => {
      const error = (m: string) => new FormatError(m, fileName !== undefined ? `${fileName} (${pklName})` : pklName, offset);
      const [type, rawKey, , numel] = storageId(pid, 5, error) as [StorageType, string | number, unknown, number];
      const key = String(rawKey);
      const record = `${prefix}data/${key}`;
      const known = storages.get(key);
      if (known !== undefined) {
        if (known.dtype !== type.dtype || known.numel !== numel) throw error(`storage '${key}' is used as both ${known.numel} ${known.dtype} and ${numel} ${type.dtype}`);
      } else {
        if (!zip.has(record)) throw error(`storage record '${record}' is missing`);
        const size = zip.entry(record).size;
        if (size !== numel * DTYPES[type.dtype].itemsize)
          throw error(`storage record '${record}' has ${size} bytes, ${numel} ${type.dtype} elements need ${numel * DTYPES[type.dtype].itemsize}`);
        storages.set(key, { dtype: type.dtype, numel, record });
      }
      return new StorageRef(key, type.dtype, numel, 0, numel);
    },
  });
  const fetch = (key: string) => {
    const info = storages.get(key)!;
    return { dtype: info.dtype, bytes: zip.read(info.record) };
  };
  return new Materializer(storageCache(fetch, bigEndian), fileName).convert(value);
}

function loadLegacy(bytes: Uint8Array, options: LoadOptions): PyValue {
  const { fileName } = options;
  const error = (m: string, offset?: number) => new FormatError(m, fileName, offset);
  let magic: ReturnType<typeof unpickle>;
  try {
    magic = unpickle(bytes); // without the file name: the message is wrapped below
  } catch (e) {
    if (e instanceof FormatError) throw error(`not a PyTorch checkpoint: neither a zip archive nor a legacy pickle (${e.message})`, 0);
    throw e;
  }
  if (magic.value !== LEGACY_MAGIC) throw error("a pickle, but not a PyTorch checkpoint: the legacy format's magic number is missing", 0);
  const version = unpickle(bytes, { fileName }, magic.end);
  if (version.value !== LEGACY_PROTOCOL_VERSION) throw error(`legacy checkpoint protocol ${String(version.value)}, expected ${LEGACY_PROTOCOL_VERSION}`, magic.end);
  const sysInfo = unpickle(bytes, { fileName }, version.end);
  if (!(sysInfo.value instanceof PyDict)) throw error("legacy checkpoint's system info is not a dict", version.end);
  const bigEndian = sysInfo.value.map.get("little_endian") === false;

  const roots = new Map<string, { dtype: DType; numel: number }>();
  const main = unpickle(bytes, {
    fileName,
    persistentLoad: (pid, offset) => {
      const e = (m: string) => error(m, offset);
      const [type, rawKey, , numel, view] = storageId(pid, 6, e) as [StorageType, string | number, unknown, number, unknown];
      const key = String(rawKey);
      const root = roots.get(key);
      if (root === undefined) roots.set(key, { dtype: type.dtype, numel });
      else if (root.dtype !== type.dtype) throw e(`storage '${key}' is used as both ${root.dtype} and ${type.dtype}`);
      const rootNumel = root?.numel ?? numel;
      if (view === null) return new StorageRef(key, type.dtype, rootNumel, 0, rootNumel);
      if (!isTuple(view) || view.length !== 3) throw e("storage view metadata is not (key, offset, size)");
      const [, viewOffset, viewSize] = view;
      if (typeof viewOffset !== "number" || typeof viewSize !== "number" || !Number.isSafeInteger(viewOffset) || !Number.isSafeInteger(viewSize) || viewOffset < 0 || viewSize < 0 || viewOffset + viewSize > rootNumel)
        throw e(`storage view (offset ${String(viewOffset)}, size ${String(viewSize)}) is outside its storage of ${rootNumel} elements`);
      return new StorageRef(key, type.dtype, rootNumel, viewOffset, viewSize);
    },
  }, sysInfo.end);
  const keys = unpickle(bytes, { fileName }, main.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === "string" || typeof k === "number"))
    throw error("legacy checkpoint's storage key list is not a list of strings", main.end);

  // The storages follow in the order of the key list: an int64 count, then the elements.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const located = new Map<string, { start: number; dtype: DType; numel: number }>();
  let at = keys.end;
  for (const rawKey of keys.value as (string | number)[]) {
    const key = String(rawKey);
    const root = roots.get(key);
    if (root === undefined) throw error(`storage '${key}' is listed but no tensor uses it`, at);
    if (located.has(key)) throw error(`storage '${key}' is listed twice`, at);
    if (at + 8 > bytes.length) throw error(`file ends before storage '${key}'`, at);
    const count = view.getBigInt64(at, !bigEndian);
    if (count !== BigInt(root.numel)) throw error(`storage '${key}' has ${count} elements in the file, its tensors say ${root.numel}`, at);
    const size = root.numel * DTYPES[root.dtype].itemsize;
    if (at + 8 + size > bytes.length) throw error(`file ends inside storage '${key}' (${size} bytes at ${at + 8})`, at);
    located.set(key, { start: at + 8, dtype: root.dtype, numel: root.numel });
    at += 8 + size;
  }
  for (const key of roots.keys()) if (!located.has(key)) throw error(`storage '${key}' is used but its data is missing`);

  const fetch = (key: string) => {
    const { start, dtype, numel } = located.get(key)!;
    return { dtype, bytes: bytes.subarray(start, start + numel * DTYPES[dtype].itemsize) };
  };
  return new Materializer(storageCache(fetch, bigEndian), fileName).convert(main.value);
}
