/** clamp: the one elementwise primitive with optional scalar bounds. */
import { resultType } from "../../core/dtype.ts";
import { ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { defineOp, single } from "../define-op.ts";

export interface ClampAttrs {
  readonly min: number | null;
  readonly max: number | null;
}

export const clampOps = {
  clamp: defineOp<ClampAttrs>({
    name: "clamp",
    inputs: ["x"],
    infer: ([x], { min, max }) => {
      const bounds = [min, max].filter((v): v is number => v !== null);
      const dtype = resultType({ dtype: x!.dtype, ndim: x!.shape.length }, ...bounds);
      return single(x!.shape, dtype, [dtype]);
    },
    // PyTorch's clamp_backward: the gradient passes where min <= x <= max (bounds included).
    vjp: ([g], { inputs: [x], attrs: { min, max } }) => {
      let mask = x!.isnan().logicalNot();
      if (min !== null) mask = mask.logicalAnd(x!.ge(min));
      if (max !== null) mask = mask.logicalAnd(x!.le(max));
      return [g!.mul(mask)];
    },
    onnx: { type: "Clip", sinceOpset: 11 },
  }),
};

/**
 * Limits x to [min, max] (either bound may be omitted with null). When min > max every
 * element becomes max, as in PyTorch. nan stays nan.
 */
export function clamp(x: Tensor, min: number | null = null, max: number | null = null): Tensor {
  if (min === null && max === null) throw new ValueError("clamp: at least one of min or max must be given");
  return apply1(clampOps.clamp, [x], { min, max });
}
