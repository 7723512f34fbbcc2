/** `torchvision.transforms.Compose`: transforms applied in order. */
import type { Tensor } from "../../core/tensor.ts";
import type { TransformSpec } from "../worker/spec.ts";
import { applyTransform, Transform, transformSpec, type TransformLike } from "./transform.ts";

/**
 * Applies each transform to the result of the previous one.
 *
 * @example new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
 */
export class Compose extends Transform {
  constructor(readonly transforms: readonly TransformLike[]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.transforms.reduce((y, t) => applyTransform(t, y), x);
  }

  toSpec(): TransformSpec | undefined {
    const specs = this.transforms.map(transformSpec);
    if (specs.some((s) => s === undefined)) return undefined;
    return { kind: "compose", transforms: specs as TransformSpec[] };
  }
}
