/** AdamW's update, as torch.optim.adamw's `_single_tensor_adamw` (PyTorch 1.13, not capturable). */
import type { Tensor } from "../../core/tensor.ts";
import { adamMoments, fusedAdam, type AdamUpdateOptions } from "./adam.ts";

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
  params.forEach((param, i) => {
    const step = stateSteps[i]!.add_(1).item() as number;
    if (!o.amsgrad) return fusedAdam(param, grads[i]!, expAvgs[i]!, expAvgSqs[i]!, step, o, true);
    const grad = o.maximize ? grads[i]!.neg() : grads[i]!;
    // θ·1 is θ exactly, so the multiply is skipped without weight decay.
    if (o.weightDecay !== 0) param.mul_(1 - o.lr * o.weightDecay);
    adamMoments(param, grad, expAvgs[i]!, expAvgSqs[i]!, o.amsgrad ? maxExpAvgSqs[i]! : null, step, o);
  });
}
