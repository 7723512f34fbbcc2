/** The base of the built-in transforms, and what the data sets accept as a transform. */
import { ValueError } from "../../core/errors.ts";
import { defaultGenerator, Generator } from "../../core/random.ts";
import type { Tensor } from "../../core/tensor.ts";
import type { TransformSpec } from "../worker/spec.ts";

/**
 * A tensor-to-tensor transform. Built-in transforms describe themselves with `toSpec()`
 * so DataLoader worker threads can rebuild them (see Note: worker specs).
 */
export abstract class Transform {
  abstract forward(x: Tensor): Tensor;
  /** Plain data a worker rebuilds this transform from, or undefined if it cannot. */
  abstract toSpec(): TransformSpec | undefined;
}

/** A built-in Transform, or any function from tensor to tensor (not available in workers). */
export type TransformLike = Transform | ((x: Tensor) => Tensor);

/** Runs a transform of either kind. */
export function applyTransform(t: TransformLike, x: Tensor): Tensor {
  return t instanceof Transform ? t.forward(x) : t(x);
}

/** The spec of a transform, or undefined for a plain function. */
export function transformSpec(t: TransformLike): TransformSpec | undefined {
  return t instanceof Transform ? t.toSpec() : undefined;
}

/**
 * The generator a random transform draws from: its own, or (when it has none) the default
 * generator at the time of the call — which a DataLoader worker seeds with base_seed +
 * worker id, as PyTorch seeds each worker.
 */
export function generatorOf(own: Generator | undefined): Generator {
  return own ?? defaultGenerator;
}

/** A generator's state for a spec (null when the transform uses the default generator). */
export function generatorState(own: Generator | undefined): Uint8Array | null {
  return own ? own.getState() : null;
}

/** A generator rebuilt from a spec's state, or undefined for the default generator. */
export function generatorFromState(state: Uint8Array | null): Generator | undefined {
  if (state === null) return undefined;
  const g = new Generator();
  g.setState(state);
  return g;
}

/** Checks a probability in [0, 1]. */
export function checkProbability(p: number, what: string): number {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`${what}: p must be a probability in [0, 1], got ${p}`);
  return p;
}
