/**
 * torch.nn.functional's dropout family, drawing its masks as PyTorch 1.13's CPU
 * `_dropout_impl` does: `noise.bernoulli_(1 − p)` (Debian's build, without MKL) draws one
 * float64 uniform per element (53 bits of the generator) and keeps the element when it is
 * below 1 − p. So with the same seed the masks, and the outputs, equal PyTorch's.
 *
 * Note: dropout edge cases (PyTorch's): outside training, with p = 0 or an empty input the
 * input is returned as it is and nothing is drawn; with p = 1 the output is input·0 (zeros,
 * nan where the input is nan or infinite) and nothing is drawn.
 */
import { isFloating } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { defaultGenerator, fillUniform, type Generator } from "../../core/random.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { tensor, zeros } from "../../ops/creation.ts";

export interface DropoutOptions {
  /** Write the result into the input (PyTorch's inplace=True). */
  inplace?: boolean;
  /** The random stream for the mask (default: the global generator). */
  generator?: Generator | undefined;
}

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
}

/**
 * The 0/1 keep mask (in x's dtype) of `shape`: element kept with probability 1 − p, where
 * its float64 uniform (PyTorch's bernoulli_ draw) is below 1 − p.
 */
function keepMask(x: Tensor, shape: readonly number[], p: number, generator: Generator | undefined): Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const uniforms = new Float64Array(n);
  fillUniform(generator ?? defaultGenerator, uniforms, 0, 1, "float64");
  const keep = 1 - p;
  const mask = x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) mask[i] = uniforms[i]! < keep ? 1 : 0;
  return tensor(mask, { shape: [...shape], dtype: x.dtype === "float64" ? "float64" : "float32" }).to(x.dtype);
}

/** [N, C, 1, ...]: one draw per (sample, channel), as PyTorch's make_feature_noise. */
function featureShape(x: Tensor): number[] {
  if (x.ndim < 2) throw new ShapeError(`Feature dropout requires at least 2 dimensions in the input, got ${formatShape(x.shape)}`);
  return [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)];
}

function multiply(x: Tensor, noise: Tensor, inplace: boolean): Tensor {
  return inplace ? x.mul_(noise) : x.mul(noise);
}

/** PyTorch's _dropout_impl: plain or alpha, elementwise or per feature map. */
function dropoutImpl(x: Tensor, p: number, training: boolean, feature: boolean, alpha: boolean, options: DropoutOptions): Tensor {
  checkP(p);
  if (!isFloating(x.dtype)) throw new DTypeError(`dropout: expected a floating point input, got ${x.dtype}`);
  const inplace = options.inplace ?? false;
  if (p === 0 || !training || x.size === 0) return x;
  if (p === 1) return multiply(x, zeros([], { dtype: x.dtype }), inplace);
  const mask = keepMask(x, feature ? featureShape(x) : x.shape, p, options.generator);
  if (!alpha) return multiply(x, mask.div(1 - p), inplace);
  // Alpha dropout keeps the mean and variance of SELU activations: dropped units become
  // −α' (α' = SELU's α·scale) and then x·a + b is an affine correction.
  const alphaPrime = 1.7580993408473766;
  const a = 1 / Math.sqrt((alphaPrime * alphaPrime * p + 1) * (1 - p));
  const b = mask.add(-1).mul(alphaPrime * a).add(alphaPrime * a * p);
  return multiply(x, mask.mul(a), inplace).add(b);
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1 − p), in training
 * only (`torch.nn.functional.dropout`).
 *
 * ```ts
 * dropout(x, 0.5);                        // training
 * dropout(x, 0.5, true, { generator: g }); // a seeded mask
 * dropout(x, 0.5, false);                 // x itself
 * ```
 */
export function dropout(x: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor {
  return dropoutImpl(x, p, training, false, false, options);
}

/** Zeroes whole channels of [N, C, L] or [C, L] (`torch.nn.functional.dropout1d`). */
export function dropout1d(x: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor {
  if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`dropout1d: Expected 2D or 3D input, but received a ${x.ndim}D input`);
  if (x.ndim === 3) return dropoutImpl(x, p, training, true, false, options);
  const y = dropoutImpl(x.unsqueeze(0), p, training, true, false, { ...options, inplace: false }).squeeze(0);
  return options.inplace ? x.copy_(y) : y;
}

/**
 * Zeroes whole channels (feature maps) of [N, C, H, W] (`torch.nn.functional.dropout2d`).
 * As in PyTorch 1.13, a 3-D input is taken as [N, C, L] (1-D channel dropout).
 */
export function dropout2d(x: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor {
  return dropoutImpl(x, p, training, true, false, options);
}

/** Zeroes whole channels of [N, C, D, H, W] or [C, D, H, W] (`torch.nn.functional.dropout3d`). */
export function dropout3d(x: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor {
  if (x.ndim !== 4) return dropoutImpl(x, p, training, true, false, options);
  const y = dropoutImpl(x.unsqueeze(0), p, training, true, false, { ...options, inplace: false }).squeeze(0);
  return options.inplace ? x.copy_(y) : y;
}

/** Dropout that keeps SELU's self-normalization: mean and variance are preserved (`alpha_dropout`). */
export function alphaDropout(x: Tensor, p = 0.5, training = false, options: DropoutOptions = {}): Tensor {
  return dropoutImpl(x, p, training, false, true, options);
}

/** Alpha dropout of whole channels (`feature_alpha_dropout`). */
export function featureAlphaDropout(x: Tensor, p = 0.5, training = false, options: DropoutOptions = {}): Tensor {
  return dropoutImpl(x, p, training, true, true, options);
}
