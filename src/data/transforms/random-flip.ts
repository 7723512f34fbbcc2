/** `torchvision.transforms.RandomHorizontalFlip` on tensors. */
import { fillUniform, type Generator } from "../../core/random.ts";
import type { Tensor } from "../../core/tensor.ts";
import { flip } from "../../ops/defs/shape.ts";
import type { TransformSpec } from "../worker/spec.ts";
import { checkProbability, generatorOf, generatorState, Transform } from "./transform.ts";

/**
 * Mirrors the last dim with probability p. Draws as torchvision does, `torch.rand(1) < p`:
 * one float32 uniform per call from the generator (the default one when none is given).
 */
export class RandomHorizontalFlip extends Transform {
  constructor(
    readonly p = 0.5,
    readonly generator?: Generator,
  ) {
    super();
    checkProbability(p, "RandomHorizontalFlip");
  }

  forward(x: Tensor): Tensor {
    const u = new Float32Array(1);
    fillUniform(generatorOf(this.generator), u, 0, 1, "float32");
    return u[0]! < Math.fround(this.p) ? flip(x, [-1]) : x;
  }

  toSpec(): TransformSpec {
    return { kind: "random-horizontal-flip", p: this.p, generatorState: generatorState(this.generator) };
  }
}
