/** Adamax's update, as torch.optim.adamax's `_single_tensor_adamax` (PyTorch 1.13). */
import type { Tensor } from "../../core/tensor.ts";

export interface AdamaxUpdateOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * One Adamax step, in place (call under `noGrad`): t ← t + 1; g ← ±g + λ·θ;
 * m ← β₁·m + (1 − β₁)·g; u ← max(β₂·u, |g| + ε); θ ← θ − lr/(1 − β₁ᵗ) · m/u.
 */
export function adamax(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  expAvgs: readonly Tensor[],
  expInfs: readonly Tensor[],
  stateSteps: readonly Tensor[],
  o: AdamaxUpdateOptions,
): void {
  params.forEach((param, i) => {
    let grad = o.maximize ? grads[i]!.neg() : grads[i]!;
    const step = stateSteps[i]!.add_(1).item() as number;
    if (o.weightDecay !== 0) grad = grad.add(param, o.weightDecay);
    const expAvg = expAvgs[i]!.mul_(o.beta1).add_(grad, 1 - o.beta1);
    const expInf = expInfs[i]!;
    // PyTorch takes amax over cat([β₂·u, |g| + ε]); an elementwise maximum is the same
    // value (nan included).
    expInf.copy_(expInf.mul_(o.beta2).maximum(grad.abs().add_(o.eps)));
    const clr = o.lr / (1 - o.beta1 ** step);
    param.addcdiv_(expAvg, expInf, -clr);
  });
}
