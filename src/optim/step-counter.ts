/** PyTorch's `state['step']`: a 0-d float32 tensor counting the updates of one parameter. */
import type { Tensor } from "../core/tensor.ts";
import { zeros } from "../ops/creation.ts";

export function stepCounter(): Tensor {
  return zeros([], { dtype: "float32" });
}
