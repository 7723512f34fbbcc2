/** `torchvision.transforms.Normalize` on tensors. */
import { isFloating, type DType } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { tensor } from "../../ops/creation.ts";
import { div, sub } from "../../ops/defs/binary.ts";
import { to, view } from "../../ops/views.ts";
import type { TransformSpec } from "../worker/spec.ts";
import { Transform } from "./transform.ts";

/**
 * Per channel c: (x[..., c, :, :] - mean[c]) / std[c], computed in the image's float dtype
 * (mean and std are first cast to it, as torchvision does). A single mean or std applies
 * to every channel.
 *
 * @example new Normalize([0.1307], [0.3081]) // MNIST's statistics
 */
export class Normalize extends Transform {
  readonly mean: readonly number[];
  readonly std: readonly number[];
  private readonly cache = new Map<DType, { mean: Tensor; std: Tensor }>();

  constructor(mean: readonly number[], std: readonly number[]) {
    super();
    if (mean.length === 0 || std.length === 0) throw new ValueError("Normalize: mean and std must not be empty");
    this.mean = [...mean];
    this.std = [...std];
  }

  forward(x: Tensor): Tensor {
    if (!isFloating(x.dtype)) throw new DTypeError(`Normalize: input tensor should be a float tensor, got ${x.dtype}`);
    if (x.ndim < 3) throw new ShapeError(`Normalize: expected a tensor image of size (..., C, H, W), got [${x.shape.join(", ")}]`);
    const channels = x.shape[x.ndim - 3]!;
    for (const [name, t] of [["mean", this.mean], ["std", this.std]] as const)
      if (t.length !== 1 && t.length !== channels)
        throw new ShapeError(`Normalize: ${name} has ${t.length} values, the image has ${channels} channels`);
    const { mean, std } = this.constants(x.dtype);
    return div(sub(x, mean), std);
  }

  /** mean and std as [C, 1, 1] tensors of `dtype`, made once per dtype (transforms run per sample). */
  private constants(dtype: DType): { mean: Tensor; std: Tensor } {
    let c = this.cache.get(dtype);
    if (c === undefined) {
      const mean = view(to(tensor(Float64Array.from(this.mean)), dtype), [-1, 1, 1]);
      const std = view(to(tensor(Float64Array.from(this.std)), dtype), [-1, 1, 1]);
      if (std.dataSync().some((s) => s === 0))
        throw new ValueError(`Normalize: std evaluated to zero after conversion to ${dtype}, leading to division by zero`);
      c = { mean, std };
      this.cache.set(dtype, c);
    }
    return c;
  }

  toSpec(): TransformSpec {
    return { kind: "normalize", mean: this.mean, std: this.std };
  }
}
