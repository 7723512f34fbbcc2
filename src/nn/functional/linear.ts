/** torch.nn.functional's linear and bilinear. */
import { ShapeError } from "../../core/errors.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";

/**
 * y = x·Wᵀ + b over the last dim: x [*, in], weight [out, in] (or [in], giving [*]),
 * bias [out] (optional).
 *
 * ```ts
 * linear(randn([8, 784]), randn([128, 784]), zeros([128])).shape; // [8, 128]
 * ```
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 1 && weight.ndim !== 2) throw new ShapeError(`linear: weight must be 1-D or 2-D, got ${formatShape(weight.shape)}`);
  const inFeatures = weight.shape[weight.ndim - 1]!;
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== inFeatures)
    throw new ShapeError(`linear: input ${formatShape(input.shape)} and weight ${formatShape(weight.shape)} cannot be multiplied (the input's last dim must be ${inFeatures})`);
  const y = input.matmul(weight.ndim === 2 ? weight.t() : weight);
  return bias ? y.add(bias) : y;
}

/**
 * y[..., o] = Σ_ij x1[..., i]·W[o, i, j]·x2[..., j] + b[o]: x1 [*, in1], x2 [*, in2],
 * weight [out, in1, in2], bias [out] (optional).
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 3) throw new ShapeError(`bilinear: weight must be 3-D [out, in1, in2], got ${formatShape(weight.shape)}`);
  const [out, in1, in2] = weight.shape as [number, number, number];
  const lead = input1.shape.slice(0, -1);
  if (input1.ndim === 0 || input1.shape[input1.ndim - 1] !== in1)
    throw new ShapeError(`bilinear: input1 size ${formatShape(input1.shape)} does not match weight size ${formatShape(weight.shape)} (last dim ${in1} expected)`);
  if (input2.ndim !== input1.ndim || input2.shape[input2.ndim - 1] !== in2 || input2.shape.slice(0, -1).some((d, i) => d !== lead[i]))
    throw new ShapeError(`bilinear: input2 size ${formatShape(input2.shape)} does not match input1 ${formatShape(input1.shape)} and weight ${formatShape(weight.shape)}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== out))
    throw new ShapeError(`bilinear: bias size ${formatShape(bias.shape)} does not match weight size ${formatShape(weight.shape)}`);
  const n = lead.reduce((p, d) => p * d, 1);
  const x1 = input1.reshape([n, in1]);
  const x2 = input2.reshape([n, in2]);
  // x1·W as one matrix product [n, in1] × [in1, out·in2], then the dot with x2 per output.
  const left = x1.matmul(weight.permute([1, 0, 2]).reshape([in1, out * in2])).reshape([n, out, in2]);
  let y = left.mul(x2.unsqueeze(1)).sum(-1);
  if (bias) y = y.add(bias);
  return y.reshape([...lead, out]);
}
