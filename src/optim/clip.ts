/**
 * Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_ (PyTorch 1.13).
 * Both change `.grad` in place and skip parameters without a gradient.
 */
import "../ops/methods.ts";
import { ValueError } from "../core/errors.ts";
import { Tensor } from "../core/tensor.ts";
import { noGrad } from "../autograd/grad-mode.ts";
import { stack } from "../ops/composite/shape.ts";
import { norm } from "../ops/composite/reduction.ts";
import { tensor } from "../ops/creation.ts";

function gradsOf(parameters: Tensor | Iterable<Tensor>, what: string): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  for (const p of list) if (!(p instanceof Tensor)) throw new ValueError(`${what}: expected tensors, got ${typeof p}`);
  return list.flatMap((p) => (p.grad === null ? [] : [p.grad]));
}

/**
 * Scales the gradients so that their total norm (of order `normType`, over all gradients
 * as one vector) is at most `maxNorm`, and returns that total norm (before clipping) as a
 * 0-d tensor. The scale is maxNorm/(norm + 1e-6), clamped to 1, as PyTorch computes it.
 * With `errorIfNonfinite` a nan or infinite norm throws instead of scaling.
 *
 * ```ts
 * loss.backward();
 * clipGradNorm_(model.parameters(), 1.0);   // or normType Infinity: the largest |g|
 * opt.step();
 * ```
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, errorIfNonfinite = false): Tensor {
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm) || maxNorm < 0)
    throw new ValueError(`clipGradNorm_: maxNorm must be a non-negative number, got ${String(maxNorm)}`);
  if (typeof normType !== "number" || Number.isNaN(normType))
    throw new ValueError(`clipGradNorm_: normType must be a number (Infinity for the max norm), got ${String(normType)}`);
  const grads = gradsOf(parameters, "clipGradNorm_");
  if (grads.length === 0) return tensor(0, { dtype: "float32" });
  return noGrad(() => {
    let total: Tensor;
    if (normType === Infinity) {
      const norms = grads.map((g) => g.detach().abs().amax());
      total = norms.length === 1 ? norms[0]! : stack(norms).amax();
    } else total = norm(stack(grads.map((g) => norm(g.detach(), normType))), normType);
    if (errorIfNonfinite && !Number.isFinite(total.item() as number))
      throw new ValueError(
        `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
          "To disable this error and scale the gradients by the non-finite norm anyway, set `errorIfNonfinite=false`",
      );
    // PyTorch's `max_norm / tensor` is tensor.reciprocal() * max_norm.
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
    for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamps every gradient into [−clipValue, clipValue], in place. */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== "number" || Number.isNaN(clipValue))
    throw new ValueError(`clipGradValue_: clipValue must be a number, got ${String(clipValue)}`);
  const grads = gradsOf(parameters, "clipGradValue_");
  noGrad(() => {
    for (const g of grads) g.clamp_(-clipValue, clipValue);
  });
}
