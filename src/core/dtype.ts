/**
 * dtypes: one table giving each its storage, size, kind and names in PyTorch and ONNX,
 * and PyTorch's type-promotion rules.
 */
import { DTypeError } from "./errors.ts";

export type DType =
  | "float32"
  | "float64"
  | "float16"
  | "bfloat16"
  | "int8"
  | "uint8"
  | "int16"
  | "int32"
  | "int64"
  | "bool";

export type Kind = "bool" | "int" | "float";

/** The typed array that stores each dtype. float16/bfloat16 hold raw bits; bool holds 0/1. */
export interface StorageArrays {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}
export type StorageArray = StorageArrays[DType];

type ArrayCtor = { new (length: number): StorageArray; new (buffer: ArrayBufferLike, byteOffset: number, length: number): StorageArray; BYTES_PER_ELEMENT: number };

export interface DTypeInfo {
  readonly name: DType;
  readonly itemsize: number;
  readonly kind: Kind;
  readonly array: ArrayCtor;
  /** TensorProto.DataType in ONNX. */
  readonly onnx: number;
  /** `torch.<name>` as PyTorch prints it. */
  readonly torch: string;
  /** Order within a kind, by the range the type can hold. */
  readonly rank: number;
}

function info(name: DType, itemsize: number, kind: Kind, array: ArrayCtor, onnx: number, torch: string, rank: number): DTypeInfo {
  return { name, itemsize, kind, array, onnx, torch, rank };
}

export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  bool: info("bool", 1, "bool", Uint8Array as ArrayCtor, 9, "torch.bool", 0),
  uint8: info("uint8", 1, "int", Uint8Array as ArrayCtor, 2, "torch.uint8", 1),
  int8: info("int8", 1, "int", Int8Array as ArrayCtor, 3, "torch.int8", 1),
  int16: info("int16", 2, "int", Int16Array as ArrayCtor, 5, "torch.int16", 2),
  int32: info("int32", 4, "int", Int32Array as ArrayCtor, 6, "torch.int32", 3),
  int64: info("int64", 8, "int", BigInt64Array as ArrayCtor, 7, "torch.int64", 4),
  float16: info("float16", 2, "float", Uint16Array as ArrayCtor, 10, "torch.float16", 1),
  bfloat16: info("bfloat16", 2, "float", Uint16Array as ArrayCtor, 16, "torch.bfloat16", 1),
  float32: info("float32", 4, "float", Float32Array as ArrayCtor, 1, "torch.float32", 2),
  float64: info("float64", 8, "float", Float64Array as ArrayCtor, 11, "torch.float64", 3),
};

export const ALL_DTYPES: readonly DType[] = Object.keys(DTYPES) as DType[];
export const FLOAT_DTYPES: readonly DType[] = ["float32", "float64", "float16", "bfloat16"];
export const INT_DTYPES: readonly DType[] = ["uint8", "int8", "int16", "int32", "int64"];

/** The default floating dtype, as `torch.get_default_dtype()`. */
export const DEFAULT_FLOAT: DType = "float32";

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && Object.prototype.hasOwnProperty.call(DTYPES, x);
}
export function kindOf(d: DType): Kind {
  return DTYPES[d].kind;
}
export const isFloating = (d: DType): boolean => DTYPES[d].kind === "float";
export const isIntegral = (d: DType, includeBool = false): boolean =>
  DTYPES[d].kind === "int" || (includeBool && d === "bool");

const KIND_ORDER: Record<Kind, number> = { bool: 0, int: 1, float: 2 };

/**
 * `torch.promote_types(a, b)`: the smallest dtype both convert to without losing their kind.
 * uint8 with int8 gives int16 (neither holds the other); float16 with bfloat16 gives float32.
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ka = KIND_ORDER[DTYPES[a].kind];
  const kb = KIND_ORDER[DTYPES[b].kind];
  if (ka !== kb) return ka > kb ? a : b;
  if (DTYPES[a].kind === "int") {
    if ((a === "uint8" && b === "int8") || (a === "int8" && b === "uint8")) return "int16";
    return DTYPES[a].rank >= DTYPES[b].rank ? a : b;
  }
  // float: the two 16-bit formats do not contain each other.
  if (DTYPES[a].rank === 1 && DTYPES[b].rank === 1) return "float32";
  return DTYPES[a].rank >= DTYPES[b].rank ? a : b;
}

/** An operand as type promotion sees it: a tensor (0-d or not) or a plain JS scalar. */
export type PromotionOperand =
  | { readonly dtype: DType; readonly ndim: number; readonly wrappedNumber?: boolean }
  | number
  | bigint
  | boolean;

/**
 * `torch.result_type`: PyTorch ranks operands in three categories — tensors with dims,
 * 0-d tensors, plain scalars — and a lower category only matters when its kind
 * (bool < int < float) is higher. A float JS number counts as the default float dtype,
 * an integer one as int64, a boolean as bool. (c10 `combine_categories`.)
 */
export function resultType(...operands: PromotionOperand[]): DType {
  let dim: DType | undefined;
  let zero: DType | undefined;
  let wrapped: DType | undefined;
  const merge = (acc: DType | undefined, d: DType) => (acc === undefined ? d : promoteTypes(acc, d));
  for (const op of operands) {
    if (typeof op === "object") {
      if (op.wrappedNumber) wrapped = merge(wrapped, op.dtype === "float64" ? DEFAULT_FLOAT : op.dtype);
      else if (op.ndim > 0) dim = merge(dim, op.dtype);
      else zero = merge(zero, op.dtype);
    } else {
      wrapped = merge(wrapped, scalarDType(op));
    }
  }
  const result = combineCategories(dim, combineCategories(zero, wrapped));
  if (result === undefined) throw new DTypeError("resultType needs at least one operand");
  return result;
}

function combineCategories(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (lower === undefined) return higher;
  if (isFloating(higher)) return higher;
  if (higher === "bool" || isFloating(lower)) return promoteTypes(higher, lower);
  return higher;
}

/**
 * The dtype sum, prod, cumsum and cumprod accumulate in: `requested` when given, else the
 * input's dtype when floating, else int64 (PyTorch promotes bool and integer inputs).
 */
export function accumulateDType(d: DType, requested?: DType): DType {
  return requested ?? (isFloating(d) ? d : "int64");
}

/**
 * The dtype categories of elementwise ops, as PyTorch's TensorIterator configs apply them:
 * "same" keeps the dtype; "float" computes integer and bool inputs in the default float
 * (exp, true division); "bool" computes in the dtype and gives bool (predicates,
 * comparisons, logical ops); "integral" refuses floats (bitwise ops); "numeric" refuses bool;
 * "signed" refuses bool too (neg, pointing to logicalNot).
 */
export type ElementwiseRule = "same" | "float" | "bool" | "integral" | "numeric" | "signed";

/**
 * What an elementwise op `op` of category `rule` gives (`out`) and computes in (`compute`),
 * from its input's dtype, or its inputs' promoted one (`resultType`).
 */
export function elementwiseDTypes(op: string, rule: ElementwiseRule, d: DType): { out: DType; compute: DType } {
  switch (rule) {
    case "float": {
      const f = isFloating(d) ? d : DEFAULT_FLOAT;
      return { out: f, compute: f };
    }
    case "bool":
      return { out: "bool", compute: d };
    case "integral":
      if (isFloating(d)) throw new DTypeError(`${op} is only supported for integer and bool tensors, got ${d}`);
      return { out: d, compute: d };
    case "numeric":
      if (d === "bool") throw new DTypeError(`${op} is not implemented for bool tensors`);
      return { out: d, compute: d };
    case "signed":
      if (d === "bool") throw new DTypeError(`${op} is not supported for bool tensors; use logicalNot for bool`);
      return { out: d, compute: d };
    case "same":
      return { out: d, compute: d };
  }
}

/** The dtype PyTorch gives a plain scalar: float -> default float, integer -> int64, boolean -> bool. */
export function scalarDType(x: number | bigint | boolean): DType {
  if (typeof x === "boolean") return "bool";
  if (typeof x === "bigint") return "int64";
  return Number.isInteger(x) ? "int64" : DEFAULT_FLOAT;
}

/**
 * Whether a value of dtype `from` may be written into a tensor of dtype `to` by an
 * in-place op: PyTorch's `canCast` forbids going down a kind (float -> int, int -> bool).
 */
export function canCast(from: DType, to: DType): boolean {
  return KIND_ORDER[DTYPES[from].kind] <= KIND_ORDER[DTYPES[to].kind];
}
