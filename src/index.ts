/**
 * concord: tensors, autograd and the ops, in one import.
 *
 * ```ts
 * import { tensor, randn } from "concord";
 * const w = randn([3, 2], { requiresGrad: true });
 * const loss = tensor([[1, 2, 3]], { dtype: "float32" }).matmul(w).pow(2).sum();
 * loss.backward();
 * w.grad; // d loss / d w
 * ```
 */
import "./ops/methods.ts";
import "./autograd/methods.ts";

export { Tensor, type Scalar, type NestedArray, type DataArray } from "./core/tensor.ts";
export {
  type DType,
  DTYPES,
  promoteTypes,
  resultType,
  canCast,
  isFloating,
} from "./core/dtype.ts";
export * from "./core/errors.ts";
export { Generator, defaultGenerator, manualSeed } from "./core/random.ts";
export * from "./ops/creation.ts";
export * from "./ops/defs/unary.ts";
export * from "./ops/defs/binary.ts";
export { clamp } from "./ops/defs/clamp.ts";
export { sum, type SumOptions } from "./ops/defs/reduce.ts";
export * from "./ops/views.ts";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.ts";
export { backward, grad, type BackwardOptions, type GradOptions } from "./autograd/backward.ts";
export { getBackend, setBackend } from "./backends/index.ts";
