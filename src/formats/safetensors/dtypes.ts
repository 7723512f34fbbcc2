/**
 * The dtype names safetensors writes and the concord dtypes they read as. The order of
 * `SAFETENSORS_DTYPES` is the reference implementation's (`safetensors::Dtype`, increasing
 * alignment): its writer sorts tensors by this order, descending, then by name.
 */
import type { DType } from "../../core/dtype.ts";

/** Every dtype the format defines, with its element size in bytes (0 for sub-byte types). */
export const SAFETENSORS_DTYPES = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, F4: 0, F6_E2M3: 0, F6_E3M2: 0,
  I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, C64: 8, F64: 8, I64: 8, U64: 8,
} as const satisfies Record<string, number>;

export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPES;

/** The safetensors dtypes concord holds, both ways. */
export const TO_CONCORD: Partial<Record<SafetensorsDType, DType>> = {
  F64: "float64", F32: "float32", F16: "float16", BF16: "bfloat16",
  I64: "int64", I32: "int32", I16: "int16", I8: "int8", U8: "uint8", BOOL: "bool",
};

export const FROM_CONCORD: Record<DType, SafetensorsDType> = {
  float64: "F64", float32: "F32", float16: "F16", bfloat16: "BF16",
  int64: "I64", int32: "I32", int16: "I16", int8: "I8", uint8: "U8", bool: "BOOL",
};

/** Rank of a dtype in the reference writer's sort (higher first). */
export const DTYPE_ORDER: Readonly<Record<string, number>> = Object.fromEntries(
  ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"].map((d, i) => [d, i]),
);

export function isSafetensorsDType(name: string): name is SafetensorsDType {
  return Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPES, name);
}
