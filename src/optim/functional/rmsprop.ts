/** RMSprop's update, as torch.optim.rmsprop's `_single_tensor_rmsprop` (PyTorch 1.13). */
import type { Tensor } from "../../core/tensor.ts";

export interface RMSpropUpdateOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * One RMSprop step, in place (call under `noGrad`): g ← ±g + λ·θ; v ← α·v + (1 − α)·g²;
 * centered: ḡ ← α·ḡ + (1 − α)·g and the denominator is √(v − ḡ²) + ε, else √v + ε; with
 * momentum μ, b ← μ·b + g/denom and θ ← θ − lr·b, else θ ← θ − lr·g/denom.
 * `gradAvgs` is read only when centered, `momentumBuffers` only with momentum > 0.
 */
export function rmsprop(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  squareAvgs: readonly Tensor[],
  gradAvgs: readonly Tensor[],
  momentumBuffers: readonly Tensor[],
  o: RMSpropUpdateOptions,
): void {
  params.forEach((param, i) => {
    let grad = o.maximize ? grads[i]!.neg() : grads[i]!;
    if (o.weightDecay !== 0) grad = grad.add(param, o.weightDecay);
    const squareAvg = squareAvgs[i]!.mul_(o.alpha).addcmul_(grad, grad, 1 - o.alpha);
    let avg: Tensor;
    if (o.centered) {
      const gradAvg = gradAvgs[i]!.mul_(o.alpha).add_(grad, 1 - o.alpha);
      avg = squareAvg.addcmul(gradAvg, gradAvg, -1).sqrt_();
    } else avg = squareAvg.sqrt();
    avg.add_(o.eps);
    if (o.momentum > 0) {
      const buf = momentumBuffers[i]!.mul_(o.momentum).addcdiv_(grad, avg);
      param.add_(buf, -o.lr);
    } else param.addcdiv_(grad, avg, -o.lr);
  });
}
