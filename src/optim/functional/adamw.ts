/** AdamW's update, as torch.optim.adamw's `_single_tensor_adamw` (PyTorch 1.13, not capturable). */
import type { Tensor } from "../../core/tensor.ts";
import { adamFamily, type AdamUpdateOptions } from "./adam.ts";

/**
 * One AdamW step, in place (call under `noGrad`): Adam with decoupled weight decay,
 * θ ← θ·(1 − lr·λ) first, then Adam's update without the L2 term in the gradient.
 */
export function adamw(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  expAvgs: readonly Tensor[],
  expAvgSqs: readonly Tensor[],
  maxExpAvgSqs: readonly Tensor[],
  stateSteps: readonly Tensor[],
  o: AdamUpdateOptions,
): void {
  adamFamily(params, grads, expAvgs, expAvgSqs, maxExpAvgSqs, stateSteps, o, true);
}
