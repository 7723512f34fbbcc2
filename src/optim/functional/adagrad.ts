/** Adagrad's update, as torch.optim.adagrad's `_single_tensor_adagrad` (PyTorch 1.13, dense gradients). */
import type { Tensor } from "../../core/tensor.ts";

export interface AdagradUpdateOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  eps: number;
  maximize: boolean;
}

/**
 * One Adagrad step, in place (call under `noGrad`): t ← t + 1; g ← ±g + λ·θ;
 * s ← s + g²; θ ← θ − lr/(1 + (t − 1)·lr_decay) · g / (√s + ε).
 */
export function adagrad(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  stateSums: readonly Tensor[],
  stateSteps: readonly Tensor[],
  o: AdagradUpdateOptions,
): void {
  params.forEach((param, i) => {
    const step = stateSteps[i]!.add_(1).item() as number;
    let grad = o.maximize ? grads[i]!.neg() : grads[i]!;
    if (o.weightDecay !== 0) grad = grad.add(param, o.weightDecay);
    const clr = o.lr / (1 + (step - 1) * o.lrDecay);
    const stateSum = stateSums[i]!.addcmul_(grad, grad, 1);
    const std = stateSum.sqrt().add_(o.eps);
    param.addcdiv_(grad, std, -clr);
  });
}
