/** RAdam's update, as torch.optim.radam's `_single_tensor_radam` (PyTorch 1.13). */
import type { Tensor } from "../../core/tensor.ts";

export interface RAdamUpdateOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * One RAdam step, in place (call under `noGrad`): m and v as Adam; ρ∞ = 2/(1 − β₂) − 1,
 * ρₜ = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ). While ρₜ ≤ 5 the step is plain momentum,
 * θ ← θ − lr·m/(1 − β₁ᵗ); after that it is rectified: θ ← θ − lr·m/(1 − β₁ᵗ) ·
 * √(1 − β₂ᵗ)/(√v + ε) · r with r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)).
 */
export function radam(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  expAvgs: readonly Tensor[],
  expAvgSqs: readonly Tensor[],
  stateSteps: readonly Tensor[],
  o: RAdamUpdateOptions,
): void {
  params.forEach((param, i) => {
    let grad = grads[i]!;
    const step = stateSteps[i]!.add_(1).item() as number;
    const biasCorrection1 = 1 - o.beta1 ** step;
    const biasCorrection2 = 1 - o.beta2 ** step;
    if (o.weightDecay !== 0) grad = grad.add(param, o.weightDecay);
    const expAvg = expAvgs[i]!.mul_(o.beta1).add_(grad, 1 - o.beta1);
    const expAvgSq = expAvgSqs[i]!.mul_(o.beta2).addcmul_(grad, grad, 1 - o.beta2);
    const update = expAvg.div(biasCorrection1).mul_(o.lr);
    const rhoInf = 2 / (1 - o.beta2) - 1;
    const rhoT = rhoInf - (2 * step * o.beta2 ** step) / biasCorrection2;
    if (rhoT > 5) {
      const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      // PyTorch's `float / tensor` is tensor.reciprocal() * float.
      const adaptiveLr = expAvgSq.sqrt().add_(o.eps).reciprocal_().mul_(Math.sqrt(biasCorrection2));
      update.mul_(adaptiveLr).mul_(rect);
    }
    param.add_(update, -1);
  });
}
