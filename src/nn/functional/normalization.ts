/**
 * torch.nn.functional's normalizations: batchNorm, layerNorm, groupNorm and rmsNorm are the
 * ops' (src/ops/defs/norm.ts); instanceNorm and normalize are written here with them.
 */
import { ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { noGrad } from "../../autograd/grad-mode.ts";
import { batchNorm } from "../../ops/defs/norm.ts";

export { batchNorm, layerNorm, groupNorm, rmsNorm } from "../../ops/defs/norm.ts";

/**
 * Instance normalization (`torch.nn.functional.instance_norm`): each (sample, channel) of
 * [N, C, ...] is normalized over its positions, then ·weight + bias per channel. As
 * PyTorch's at::instance_norm, this is a batch norm of x seen as [1, N·C, ...] with the
 * running statistics (and affine) repeated N times; the updated running statistics are
 * averaged back over the batch.
 *
 * ```ts
 * instanceNorm(randn([2, 3, 8, 8])); // every [8, 8] plane: mean 0, variance 1
 * ```
 */
export function instanceNorm(
  x: Tensor,
  runningMean: Tensor | null = null,
  runningVar: Tensor | null = null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  useInputStats = true,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (x.ndim < 2) throw new ShapeError(`instanceNorm: expected an input of at least 2 dims [N, C, ...], got ${formatShape(x.shape)}`);
  if (useInputStats) {
    const spatial = x.shape.slice(2).reduce((p, d) => p * d, 1);
    if (spatial === 1) throw new ValueError(`Expected more than 1 spatial element when training, got input size ${formatShape(x.shape)}`);
  } else if (!runningMean || !runningVar) {
    throw new ValueError("Expected running_mean and running_var to be defined when use_input_stats is false");
  }
  const [n, c] = x.shape as [number, number];
  const repeated = (t: Tensor | null) => (t ? t.repeat([n]) : null);
  const meanN = repeated(runningMean);
  const varN = repeated(runningVar);
  const y = batchNorm(x.reshape([1, n * c, ...x.shape.slice(2)]), meanN, varN, repeated(weight), repeated(bias), useInputStats, momentum, eps);
  noGrad(() => {
    if (runningMean && meanN) runningMean.copy_(meanN.reshape([n, c]).mean(0));
    if (runningVar && varN) runningVar.copy_(varN.reshape([n, c]).mean(0));
  });
  return y.reshape(x.shape);
}

/**
 * x / max(‖x‖_p, eps) along `dim` (`torch.nn.functional.normalize`).
 *
 * ```ts
 * normalize(randn([4, 16]), 2, 1); // each row of unit length
 * ```
 */
export function normalize(x: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  const denom = x.norm(p, dim, { keepdim: true }).clamp(eps);
  return x.div(denom.expand(x.shape));
}
