/**
 * Training checkpoints: model, optimizer, scheduler, RNG and loop state in one
 * safetensors file. Tensors are stored as tensors under dotted paths ("model.fc1.weight",
 * "optimizer.state.0.exp_avg"); everything else is JSON in the metadata, with each tensor
 * replaced by a reference to its path, so any nested state round-trips exactly.
 */
import { Tensor } from "../core/tensor.ts";
import { FormatError } from "../core/errors.ts";
import { fromStorageArray } from "../ops/creation.ts";
import { load as loadSafetensors, save as saveSafetensors } from "../formats/safetensors/index.ts";

const FORMAT = "concord-checkpoint";
const VERSION = "1";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Splits `value` into JSON (with tensor references) and the tensors, keyed by path under `prefix`. */
export function packState(value: unknown, prefix: string, tensors: Record<string, Tensor>): Json {
  if (value instanceof Tensor) {
    tensors[prefix] = value;
    return { $tensor: prefix };
  }
  if (value instanceof Uint8Array) {
    tensors[prefix] = fromStorageArray(new Uint8Array(value), [value.length], "uint8");
    return { $bytes: prefix };
  }
  if (typeof value === "bigint") return { $bigint: value.toString() };
  if (typeof value === "number") return Number.isFinite(value) ? value : { $number: String(value) };
  if (value === null || value === undefined || typeof value === "boolean" || typeof value === "string") return value ?? null;
  if (Array.isArray(value)) return value.map((v, i) => packState(v, `${prefix}.${i}`, tensors));
  if (value instanceof Map) return { $map: [...value].map(([k, v], i) => [packState(k, `${prefix}.k${i}`, tensors), packState(v, `${prefix}.${i}`, tensors)]) };
  if (typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[k] = packState(v, `${prefix}.${k}`, tensors);
    return Object.keys(out).some((k) => k.startsWith("$")) ? { $object: out } : out;
  }
  throw new FormatError(`checkpoint: cannot store a ${typeof value} at '${prefix}'`);
}

/** Rebuilds what `packState` split. */
export function unpackState(json: Json, tensors: Record<string, Tensor>, fileName = "checkpoint"): unknown {
  const tensorAt = (key: Json): Tensor => {
    const t = typeof key === "string" ? tensors[key] : undefined;
    if (!t) throw new FormatError(`${fileName}: the state refers to a tensor '${String(key)}' the file does not hold`);
    return t;
  };
  if (json === null || typeof json !== "object") return json;
  if (Array.isArray(json)) return json.map((v) => unpackState(v, tensors, fileName));
  if ("$tensor" in json) return tensorAt(json.$tensor!);
  if ("$bytes" in json) return new Uint8Array(tensorAt(json.$bytes!).dataSync() as Uint8Array);
  if ("$bigint" in json) return BigInt(json.$bigint as string);
  if ("$number" in json) return Number(json.$number);
  if ("$map" in json) return new Map((json.$map as Json[][]).map(([k, v]) => [unpackState(k!, tensors, fileName), unpackState(v!, tensors, fileName)]));
  const body = "$object" in json ? (json.$object as Record<string, Json>) : json;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, unpackState(v, tensors, fileName)]));
}

/** Writes any nested state holding tensors as safetensors bytes. */
export function encodeCheckpoint(state: Record<string, unknown>): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  const json = Object.fromEntries(Object.entries(state).map(([k, v]) => [k, packState(v, k, tensors)]));
  return saveSafetensors(tensors, { metadata: { format: FORMAT, version: VERSION, state: JSON.stringify(json) } });
}

/** Reads bytes written by `encodeCheckpoint`. */
export function decodeCheckpoint(bytes: Uint8Array, fileName = "checkpoint"): Record<string, unknown> {
  const { tensors, metadata } = loadSafetensors(bytes, { fileName });
  if (metadata.format !== FORMAT) throw new FormatError(`${fileName}: not a concord checkpoint (metadata format is ${JSON.stringify(metadata.format)})`);
  if (metadata.version !== VERSION) throw new FormatError(`${fileName}: checkpoint version ${metadata.version} is not supported (expected ${VERSION})`);
  let json: Json;
  try {
    json = JSON.parse(metadata.state ?? "") as Json;
  } catch {
    throw new FormatError(`${fileName}: the checkpoint's state is not valid JSON`);
  }
  const state = unpackState(json, tensors, fileName);
  if (state === null || typeof state !== "object" || Array.isArray(state)) throw new FormatError(`${fileName}: the checkpoint's state is not an object`);
  return state as Record<string, unknown>;
}
