/**
 * Element types of graph values: every ONNX `TensorProto.DataType`, named as concord names
 * its dtypes where one exists (float32, int64, ...) and after ONNX otherwise
 * (uint32, string, float8e4m3fn, int4, ...). A graph can hold values of any of them; only
 * the ones that are concord dtypes become Tensors, the rest stay host arrays.
 */
import { isDType, type DType } from "../core/dtype.ts";

export type ElemType =
  | "float32"
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "int32"
  | "int64"
  | "string"
  | "bool"
  | "float16"
  | "float64"
  | "uint32"
  | "uint64"
  | "complex64"
  | "complex128"
  | "bfloat16"
  | "float8e4m3fn"
  | "float8e4m3fnuz"
  | "float8e5m2"
  | "float8e5m2fnuz"
  | "uint4"
  | "int4"
  | "float4e2m1"
  | "float8e8m0"
  | "uint2"
  | "int2";

/** Index i holds the element type whose ONNX `DataType` code is i (0 is UNDEFINED). */
const BY_CODE: readonly (ElemType | undefined)[] = [
  undefined, "float32", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16",
  "float64", "uint32", "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz",
  "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1", "float8e8m0", "uint2", "int2",
];

/** The element type of an ONNX `DataType` code; undefined for 0 (UNDEFINED) and unknown codes. */
export function elemTypeFromCode(code: number): ElemType | undefined {
  return BY_CODE[code];
}

/** The ONNX `DataType` code of an element type. */
export function elemTypeCode(t: ElemType): number {
  return BY_CODE.indexOf(t);
}

/** Element types that are concord dtypes (and so become Tensors). */
export function isTensorElemType(t: ElemType): t is ElemType & DType {
  return isDType(t);
}

/** Bits per element as ONNX stores them (4 and 2 for the packed types; 0 for string). */
export function elemBits(t: ElemType): number {
  switch (t) {
    case "string":
      return 0;
    case "int2":
    case "uint2":
      return 2;
    case "int4":
    case "uint4":
    case "float4e2m1":
      return 4;
    case "bool":
    case "int8":
    case "uint8":
    case "float8e4m3fn":
    case "float8e4m3fnuz":
    case "float8e5m2":
    case "float8e5m2fnuz":
    case "float8e8m0":
      return 8;
    case "int16":
    case "uint16":
    case "float16":
    case "bfloat16":
      return 16;
    case "int32":
    case "uint32":
    case "float32":
      return 32;
    case "int64":
    case "uint64":
    case "float64":
    case "complex64":
      return 64;
    case "complex128":
      return 128;
  }
}
