/**
 * Unsigned 16/32/64-bit tensors, which concord has no dtype for, through the ordinary ops:
 * their values are widened (uint16 -> int32, uint32 -> int64, uint64 -> int64 with the
 * same bits), the op runs, and results in the widened dtype are wrapped back into the
 * unsigned type. Modular arithmetic (add, sub, mul, bitwise, left shift, equality) is
 * exact this way; an op that orders or divides uint64 values of 2^63 or more refuses them.
 */
import { UnsupportedError } from "../../../core/errors.ts";
import { Tensor } from "../../../core/tensor.ts";
import { castValue } from "../../../graph/host-values.ts";
import type { OpImpl } from "../../../graph/interpreter.ts";
import { HostTensor, type GraphValue } from "../../../graph/value.ts";

const WIDER = { uint16: "int32", uint32: "int64", uint64: "int64" } as const;
type Unsigned = keyof typeof WIDER;

/** Ops whose outputs of the input's (widened) type are values of that type, never indices. */
export const SAME_TYPE_OPS = new Set([
  "Add", "Sub", "Mul", "Div", "Mod", "Max", "Min", "Sum", "Abs", "Clip", "Where", "Identity",
  "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitwiseNot",
  "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
  "Reshape", "Transpose", "Concat", "Slice", "Squeeze", "Unsqueeze", "Flatten", "Expand", "Tile", "Pad", "Split",
  "Gather", "GatherElements", "GatherND", "ScatterElements", "ScatterND",
  "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd", "TopK",
]);

/** Ops with index outputs beside their values: only these outputs take the unsigned type back. */
const VALUE_OUTPUTS: Record<string, readonly number[]> = { TopK: [0] };

/** Ops whose result depends on the order or division of values, wrong for reinterpreted uint64 >= 2^63. */
const ORDER_OPS = new Set(["Div", "Mod", "Max", "Min", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "BitShift", "Clip", "ReduceMax", "ReduceMin", "TopK"]);

const isUnsigned = (v: GraphValue | undefined): v is HostTensor => v instanceof HostTensor && v.elemType in WIDER;

export function widenUnsigned(opType: string, impl: OpImpl): OpImpl {
  return (inputs, ctx) => {
    const unsigned = inputs.find(isUnsigned);
    if (!unsigned) return impl(inputs, ctx);
    const type = unsigned.elemType as Unsigned;
    if (type === "uint64" && ORDER_OPS.has(opType))
      for (const v of inputs)
        if (isUnsigned(v) && (v.data as BigUint64Array).some((x) => x >= 1n << 63n))
          throw new UnsupportedError(`${opType}: uint64 values of 2^63 or more are not supported`);
    const wide = WIDER[type];
    const outputs = impl(inputs.map((v) => (isUnsigned(v) ? castValue(v, wide) : v)), ctx);
    const convert = VALUE_OUTPUTS[opType];
    return outputs.map((v, i) => (v instanceof Tensor && v.dtype === wide && (!convert || convert.includes(i)) ? castValue(v, type) : v));
  };
}
