/**
 * PyTorch's storage classes and dtype names, and the ones concord cannot hold.
 */
import type { DType } from "../../core/dtype.ts";

/** `torch.<Name>` storage classes and the dtype of their elements. */
export const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  FloatStorage: "float32",
  DoubleStorage: "float64",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  ByteStorage: "uint8",
  CharStorage: "int8",
  ShortStorage: "int16",
  IntStorage: "int32",
  LongStorage: "int64",
  BoolStorage: "bool",
  UntypedStorage: "uint8",
};

/** The storage class PyTorch names for each dtype when saving. */
export const DTYPE_STORAGES: Readonly<Record<DType, string>> = {
  float32: "FloatStorage",
  float64: "DoubleStorage",
  float16: "HalfStorage",
  bfloat16: "BFloat16Storage",
  uint8: "ByteStorage",
  int8: "CharStorage",
  int16: "ShortStorage",
  int32: "IntStorage",
  int64: "LongStorage",
  bool: "BoolStorage",
};

/** Storage classes PyTorch has and concord does not, with the dtype they hold. */
export const UNSUPPORTED_STORAGES: Readonly<Record<string, string>> = {
  ComplexFloatStorage: "complex64",
  ComplexDoubleStorage: "complex128",
  ComplexHalfStorage: "complex32",
  QInt8Storage: "qint8",
  QUInt8Storage: "quint8",
  QInt32Storage: "qint32",
  QUInt4x2Storage: "quint4x2",
  QUInt2x4Storage: "quint2x4",
};

/** `torch.<name>` dtype objects (they may appear as values) and concord's name for each. */
export const TORCH_DTYPES: Readonly<Record<string, DType>> = {
  float32: "float32",
  float: "float32",
  float64: "float64",
  double: "float64",
  float16: "float16",
  half: "float16",
  bfloat16: "bfloat16",
  uint8: "uint8",
  int8: "int8",
  int16: "int16",
  short: "int16",
  int32: "int32",
  int: "int32",
  int64: "int64",
  long: "int64",
  bool: "bool",
};

export const UNSUPPORTED_DTYPES: readonly string[] = ["complex32", "complex64", "complex128", "cfloat", "cdouble", "chalf", "qint8", "quint8", "qint32"];
