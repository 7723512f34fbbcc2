/** Conversion between dtypes (`x.to(dtype)`), as PyTorch's CPU casts. */
import { isFloating, type DType } from "../../core/dtype.ts";
import { defineOp, single } from "../define-op.ts";

export const castOps = {
  cast: defineOp<{ dtype: DType }>({
    name: "cast",
    inputs: ["x"],
    infer: ([x], { dtype }) => single(x!.shape, dtype),
    // Gradients flow between float dtypes only; a cast to an integer dtype ends the graph.
    vjp: ([g], { metas, attrs }) => [isFloating(attrs.dtype) ? g!.to(metas[0]!.dtype) : null],
    onnx: { type: "Cast" },
  }),
};
