/**
 * Bytes <-> Model, and the test-data messages (TensorProto, SequenceProto, OptionalProto)
 * as graph values.
 */
import { FormatError, UnsupportedError, ValueError } from "../../core/errors.ts";
import type { Model, TensorData, ValueType } from "../../graph/ir.ts";
import { modelFromProto } from "./from-proto.ts";
import { ModelProto, OptionalProto, SequenceProto, TensorProto, has, toNumber, type Msg } from "./proto.ts";
import { tensorFromProto, tensorToProto, type ExternalReader, type ExternalWriter } from "./tensor-proto.ts";
import { modelToProto } from "./to-proto.ts";

function decode(type: typeof ModelProto, bytes: Uint8Array, what: string): Msg {
  try {
    return type.decode(bytes) as unknown as Msg;
  } catch (e) {
    throw new FormatError(`not a valid ${type.name}: ${(e as Error).message}`, what);
  }
}

export interface DecodeOptions {
  /** Reads tensors stored outside the model (ONNX external data). */
  readExternal?: ExternalReader;
  /** Names the source in errors. */
  source?: string;
}

/** A Model from the bytes of an .onnx file; format errors name `options.source` (default "model"). */
export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): Model {
  const source = options.source ?? "model";
  const msg = decode(ModelProto, bytes, source);
  try {
    return modelFromProto(msg, options.readExternal);
  } catch (e) {
    if (e instanceof FormatError && e.file === undefined) throw new FormatError(e.message, source);
    throw e;
  }
}

/** The bytes of an .onnx file for `model`; tensors marked `external` go through `writeExternal` when given. */
export function encodeModel(model: Model, options: { writeExternal?: ExternalWriter } = {}): Uint8Array {
  const proto = modelToProto(model, options.writeExternal);
  try {
    return ModelProto.encode(ModelProto.fromObject(proto)).finish();
  } catch (e) {
    // protobufjs refuses messages nested more than 100 deep (as protoc does when reading them).
    throw new ValueError(`the model cannot be encoded: ${(e as Error).message}`);
  }
}

/** A TensorProto file (as the conformance tests store inputs and outputs). */
export function decodeTensor(bytes: Uint8Array, options: DecodeOptions = {}): TensorData {
  return tensorFromProto(decode(TensorProto, bytes, options.source ?? "tensor"), options.readExternal);
}

export function encodeTensor(t: TensorData): Uint8Array {
  return TensorProto.encode(TensorProto.fromObject(tensorToProto(t))).finish();
}

/** A test value: what a `.pb` file holds, by the declared type of its graph input or output. */
export type DataValue = TensorData | DataValue[] | null;

function sequenceFromProto(msg: Msg, what: string): DataValue[] {
  const elemType = toNumber(msg.elem_type ?? 0);
  if (elemType === 1) return ((msg.tensor_values ?? []) as Msg[]).map((t) => tensorFromProto(t));
  if (elemType === 3) return ((msg.sequence_values ?? []) as Msg[]).map((s) => sequenceFromProto(s, what));
  if (elemType === 5) return ((msg.optional_values ?? []) as Msg[]).map((o) => optionalFromProto(o, what));
  if (elemType === 0) return [];
  throw new UnsupportedError(`${what}: sequences of element kind ${elemType} (maps, sparse tensors) are not supported`);
}

function optionalFromProto(msg: Msg, what: string): DataValue {
  if (has(msg, "tensor_value")) return tensorFromProto(msg.tensor_value as Msg);
  if (has(msg, "sequence_value")) return sequenceFromProto(msg.sequence_value as Msg, what);
  if (has(msg, "optional_value")) return optionalFromProto(msg.optional_value as Msg, what);
  if (toNumber(msg.elem_type ?? 0) !== 0 && !has(msg, "tensor_value"))
    for (const f of ["sparse_tensor_value", "map_value"]) if (has(msg, f)) throw new UnsupportedError(`${what}: optional ${f} is not supported`);
  return null;
}

/** Decodes a `.pb` test-data file whose message type follows from `type`. */
export function decodeDataValue(bytes: Uint8Array, type: ValueType | undefined, source = "value"): DataValue {
  const kind = type?.kind ?? "tensor";
  if (kind === "tensor") return tensorFromProto(decode(TensorProto, bytes, source));
  if (kind === "sequence") return sequenceFromProto(decode(SequenceProto, bytes, source), source);
  if (kind === "optional") return optionalFromProto(decode(OptionalProto, bytes, source), source);
  throw new UnsupportedError(`${source}: ${kind} values are not supported`);
}
