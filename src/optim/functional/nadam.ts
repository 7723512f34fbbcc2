/** NAdam's update, as torch.optim.nadam's `_single_tensor_nadam` (PyTorch 1.13). */
import type { Tensor } from "../../core/tensor.ts";

export interface NAdamUpdateOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  momentumDecay: number;
}

/**
 * One NAdam step, in place (call under `noGrad`): t ← t + 1; g ← g + λ·θ;
 * μₜ = β₁·(1 − ½·0.96^(t·ψ)); Πμ ← Πμ·μₜ; m and v as Adam; denom = √(v/(1 − β₂ᵗ)) + ε;
 * θ ← θ − lr·(1 − μₜ)/(1 − Πμ) · g/denom − lr·μₜ₊₁/(1 − Πμ·μₜ₊₁) · m/denom.
 * `muProducts` are 0-d float32 tensors (PyTorch's `state['mu_product']`), so the running
 * product rounds to float32 each step as in PyTorch.
 */
export function nadam(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  expAvgs: readonly Tensor[],
  expAvgSqs: readonly Tensor[],
  muProducts: readonly Tensor[],
  stateSteps: readonly Tensor[],
  o: NAdamUpdateOptions,
): void {
  params.forEach((param, i) => {
    let grad = grads[i]!;
    const step = stateSteps[i]!.add_(1).item() as number;
    const biasCorrection2 = 1 - o.beta2 ** step;
    if (o.weightDecay !== 0) grad = grad.add(param, o.weightDecay);
    const mu = o.beta1 * (1 - 0.5 * 0.96 ** (step * o.momentumDecay));
    const muNext = o.beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * o.momentumDecay));
    const muProduct = muProducts[i]!.mul_(mu);
    const muProductNext = muProduct.mul(mu).mul(muNext).item() as number;
    const expAvg = expAvgs[i]!.mul_(o.beta1).add_(grad, 1 - o.beta1);
    const expAvgSq = expAvgSqs[i]!.mul_(o.beta2).addcmul_(grad, grad, 1 - o.beta2);
    const denom = expAvgSq.div(biasCorrection2).sqrt_().add_(o.eps);
    param.addcdiv_(grad, denom, (-o.lr * (1 - mu)) / (1 - (muProduct.item() as number)));
    param.addcdiv_(expAvg, denom, (-o.lr * muNext) / (1 - muProductNext));
  });
}
