/**
 * Parameter: a leaf tensor that a Module registers as one of its weights.
 * Like `torch.nn.Parameter`, it shares the data of the tensor it wraps and requires grad.
 */
import { Tensor } from "../core/tensor.ts";

export class Parameter extends Tensor {
  /** Wraps `data` (sharing its buffer, cut from any graph) as a leaf that requires grad by default. */
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, { strides: data.strides, offset: data.offset, base: data.base ?? data });
    if (requiresGrad) this.requiresGrad = true;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** True for tensors registered (or registrable) as parameters. */
export function isParameter(value: unknown): value is Parameter {
  return value instanceof Parameter;
}
