/**
 * Dropout layers (torch.nn.Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout):
 * active in training mode only. An optional Generator gives them their own seeded stream.
 */
import type { Generator } from "../../core/random.ts";
import type { Tensor } from "../../core/tensor.ts";
import { alphaDropout, dropout, dropout1d, dropout2d, dropout3d, featureAlphaDropout, type DropoutOptions } from "../functional/dropout.ts";
import { ValueError } from "../../core/errors.ts";
import { Module } from "../module.ts";
import { pyBool, pyFloat } from "./repr.ts";

type DropoutFn = (x: Tensor, p: number, training: boolean, options: DropoutOptions) => Tensor;

/** PyTorch's _DropoutNd. */
abstract class DropoutBase extends Module {
  readonly p: number;
  readonly inplace: boolean;
  readonly generator: Generator | undefined;
  protected abstract readonly fn: DropoutFn;

  constructor(p = 0.5, options: { inplace?: boolean; generator?: Generator } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = options.inplace ?? false;
    this.generator = options.generator;
  }

  override forward(x: Tensor): Tensor {
    return this.fn(x, this.p, this.training, { inplace: this.inplace, generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/**
 * Zeroes elements with probability p in training and scales the rest by 1/(1 − p).
 *
 * ```ts
 * const drop = new Dropout(0.25);
 * drop.forward(x);        // training: masked and scaled
 * drop.eval().forward(x); // x
 * ```
 */
export class Dropout extends DropoutBase {
  protected readonly fn: DropoutFn = dropout;
}

/** Zeroes whole channels of [N, C, L] or [C, L]. */
export class Dropout1d extends DropoutBase {
  protected readonly fn: DropoutFn = dropout1d;
}

/** Zeroes whole channels of [N, C, H, W] (a 3-D input is [N, C, L], as PyTorch 1.13). */
export class Dropout2d extends DropoutBase {
  protected readonly fn: DropoutFn = dropout2d;
}

/** Zeroes whole channels of [N, C, D, H, W] or [C, D, H, W]. */
export class Dropout3d extends DropoutBase {
  protected readonly fn: DropoutFn = dropout3d;
}

/** Dropout for SELU networks: keeps the activations' mean and variance. */
export class AlphaDropout extends DropoutBase {
  protected readonly fn: DropoutFn = alphaDropout;
}

/** Alpha dropout of whole channels. */
export class FeatureAlphaDropout extends DropoutBase {
  protected readonly fn: DropoutFn = featureAlphaDropout;
}
