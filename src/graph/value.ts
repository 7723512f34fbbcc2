/**
 * Values that flow through a graph at run time: concord Tensors for the element types
 * concord has, HostTensors (plain arrays) for the others (strings, unsigned 16/32/64-bit,
 * float8, 4-bit, complex), sequences as arrays and an empty optional as null.
 */
import type { DType } from "../core/dtype.ts";
import { ValueError } from "../core/errors.ts";
import { numel } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import type { ElemType } from "./elem-type.ts";

/**
 * The host array of each element type: float16/bfloat16 as bit patterns, bool as 0/1 bytes,
 * complex as interleaved (re, im) pairs, float8 and float4 as bit patterns (one per byte),
 * int4/int2 as Int8Array and uint4/uint2 as Uint8Array (one value per byte), strings as JS strings.
 */
export type HostArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/** A tensor of an element type that is not a concord dtype (or not yet moved into one). */
export class HostTensor {
  constructor(
    readonly elemType: ElemType,
    readonly shape: readonly number[],
    readonly data: HostArray,
  ) {
    const perElement = elemType === "complex64" || elemType === "complex128" ? 2 : 1;
    if (data.length !== numel(shape) * perElement)
      throw new ValueError(`a ${elemType} tensor of shape [${shape.join(", ")}] needs ${numel(shape) * perElement} values, got ${data.length}`);
  }
  get size(): number {
    return numel(this.shape);
  }
}

/** A value in a graph: a tensor, a host tensor, a sequence, or an empty optional (null). */
export type GraphValue = Tensor | HostTensor | GraphValue[] | null;

/** The element type of a tensor-like value. */
export function elemTypeOf(v: Tensor | HostTensor): ElemType {
  return v instanceof Tensor ? (v.dtype as DType) : v.elemType;
}

export function isTensorLike(v: GraphValue | undefined): v is Tensor | HostTensor {
  return v instanceof Tensor || v instanceof HostTensor;
}
