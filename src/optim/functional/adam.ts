/** Adam's update, as torch.optim.adam's `_single_tensor_adam` (PyTorch 1.13, not capturable). */
import type { Tensor } from "../../core/tensor.ts";
import { adamStep } from "../../ops/defs/optim-step.ts";

export interface AdamUpdateOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/**
 * One Adam step, in place (call under `noGrad`). For each parameter θ with gradient g:
 * t ← t + 1; g ← ±g + λ·θ; m ← β₁·m + (1 − β₁)·g; v ← β₂·v + (1 − β₂)·g²;
 * v̂ ← max(v̂, v) with amsgrad; θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
 * `stateSteps` are 0-d float32 tensors (PyTorch's `state['step']`), incremented here;
 * `maxExpAvgSqs` is read only with amsgrad.
 */
export function adam(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  expAvgs: readonly Tensor[],
  expAvgSqs: readonly Tensor[],
  maxExpAvgSqs: readonly Tensor[],
  stateSteps: readonly Tensor[],
  o: AdamUpdateOptions,
): void {
  adamFamily(params, grads, expAvgs, expAvgSqs, maxExpAvgSqs, stateSteps, o, false);
}

/**
 * Adam (`decoupled` false: weight decay added to the gradient) or AdamW (true: the
 * parameter shrinks by lr·λ first). Without amsgrad the fused `adamStep` op does the step.
 */
export function adamFamily(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  expAvgs: readonly Tensor[],
  expAvgSqs: readonly Tensor[],
  maxExpAvgSqs: readonly Tensor[],
  stateSteps: readonly Tensor[],
  o: AdamUpdateOptions,
  decoupled: boolean,
): void {
  params.forEach((param, i) => {
    const step = stateSteps[i]!.add_(1).item() as number;
    if (!o.amsgrad) return fusedAdam(param, grads[i]!, expAvgs[i]!, expAvgSqs[i]!, step, o, decoupled);
    let grad = o.maximize ? grads[i]!.neg() : grads[i]!;
    // θ·1 is θ exactly, so the multiply is skipped without weight decay.
    if (decoupled && o.weightDecay !== 0) param.mul_(1 - o.lr * o.weightDecay);
    if (!decoupled && o.weightDecay !== 0) grad = grad.add(param, o.weightDecay);
    adamMoments(param, grad, expAvgs[i]!, expAvgSqs[i]!, maxExpAvgSqs[i]!, step, o);
  });
}

/**
 * Adam or AdamW (`decoupled`) without amsgrad through the fused `adamStep` op: one pass
 * over the parameter and its state instead of a dozen elementwise ops.
 */
export function fusedAdam(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, step: number, o: AdamUpdateOptions, decoupled: boolean): void {
  const [p, m, v] = adamStep(param, grad, expAvg, expAvgSq, {
    lr: o.lr, betas: [o.beta1, o.beta2], eps: o.eps, weightDecay: o.weightDecay, decoupled, maximize: o.maximize, step,
  });
  param.copy_(p);
  expAvg.copy_(m);
  expAvgSq.copy_(v);
}

/**
 * The part Adam and AdamW share: the moment updates and θ ← θ − step_size · m / denom.
 * `maxExpAvgSq` is given with amsgrad only.
 */
export function adamMoments(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  maxExpAvgSq: Tensor | null,
  step: number,
  o: { lr: number; beta1: number; beta2: number; eps: number },
): void {
  expAvg.mul_(o.beta1).add_(grad, 1 - o.beta1);
  expAvgSq.mul_(o.beta2).addcmul_(grad, grad, 1 - o.beta2);
  const biasCorrection1 = 1 - o.beta1 ** step;
  const biasCorrection2 = 1 - o.beta2 ** step;
  const stepSize = o.lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  let second = expAvgSq;
  if (maxExpAvgSq !== null) {
    // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    maxExpAvgSq.copy_(maxExpAvgSq.maximum(expAvgSq));
    second = maxExpAvgSq;
  }
  const denom = second.sqrt().div_(biasCorrection2Sqrt).add_(o.eps);
  param.addcdiv_(expAvg, denom, -stepSize);
}
