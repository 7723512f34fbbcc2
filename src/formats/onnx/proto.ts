/**
 * The ONNX protobuf messages, from the JSON descriptor generated out of the committed
 * onnx-ml.proto and onnx-data.proto (scripts/onnx/gen-proto-json.mjs), through
 * protobufjs's light build.
 */
import protobuf from "protobufjs/light.js";
import { onnxProtoJson } from "./proto/onnx-proto.ts";

const root = protobuf.Root.fromJSON(onnxProtoJson as unknown as protobuf.INamespace);

export const ModelProto = root.lookupType("onnx.ModelProto");
export const GraphProto = root.lookupType("onnx.GraphProto");
export const TensorProto = root.lookupType("onnx.TensorProto");
export const SequenceProto = root.lookupType("onnx.SequenceProto");
export const OptionalProto = root.lookupType("onnx.OptionalProto");
export const MapProto = root.lookupType("onnx.MapProto");
export const TypeProto = root.lookupType("onnx.TypeProto");

/** A decoded message as protobufjs gives it: fields by their proto (snake_case) names. */
export type Msg = Record<string, unknown>;

/** An int64 as protobufjs decodes it (a Long, or a number for small values). */
interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

/** A decoded int64/uint64 field as a bigint. */
export function toBigInt(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(v);
  if (typeof v === "string") return BigInt(v);
  const l = v as LongLike;
  const bits = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return l.unsigned ? bits : BigInt.asIntN(64, bits);
}

/** A decoded int64 field as a number (exact up to 2^53; beyond it, the nearest double). */
export function toNumber(v: unknown): number {
  return typeof v === "number" ? v : Number(toBigInt(v));
}

/** A bigint as the Long protobufjs writes for an int64 field. */
export function toLong(v: bigint | number, unsigned = false): protobuf.Long {
  const b = BigInt.asUintN(64, BigInt(v));
  const Long = protobuf.util.Long as unknown as { fromBits(low: number, high: number, unsigned: boolean): protobuf.Long };
  return Long.fromBits(Number(b & 0xffffffffn) | 0, Number(b >> 32n) | 0, unsigned);
}

/** True when a decoded message carries `field` (proto2 presence; repeated fields when non-empty). */
export function has(msg: Msg, field: string): boolean {
  if (!Object.prototype.hasOwnProperty.call(msg, field)) return false;
  const v = msg[field];
  return !(Array.isArray(v) && v.length === 0);
}
