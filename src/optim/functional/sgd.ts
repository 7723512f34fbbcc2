/** SGD's update, as torch.optim.sgd's `_single_tensor_sgd` (PyTorch 1.13). */
import type { Tensor } from "../../core/tensor.ts";

export interface SGDUpdateOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * One SGD step over `params` with gradients `grads`, in place (call under `noGrad`):
 * g ← ±grad + λ·θ; with momentum μ, b ← μ·b + (1 − τ)·g (b ← g on the first step) and
 * g ← g + μ·b (Nesterov) or b; then θ ← θ − lr·g. `momentumBuffers[i]` is null until the
 * first step with momentum, when this function stores the new buffer there.
 */
export function sgd(params: readonly Tensor[], grads: readonly Tensor[], momentumBuffers: (Tensor | null)[], o: SGDUpdateOptions): void {
  params.forEach((param, i) => {
    let d = o.maximize ? grads[i]!.neg() : grads[i]!;
    if (o.weightDecay !== 0) d = d.add(param, o.weightDecay);
    if (o.momentum !== 0) {
      let buf = momentumBuffers[i] ?? null;
      if (buf === null) {
        buf = d.detach().clone();
        momentumBuffers[i] = buf;
      } else buf.mul_(o.momentum).add_(d, 1 - o.dampening);
      d = o.nesterov ? d.add(buf, o.momentum) : buf;
    }
    param.add_(d, -o.lr);
  });
}
