/**
 * Scaled dot-product attention (`torch.nn.functional.scaled_dot_product_attention`,
 * PyTorch 2.x), written as ATen's math path writes it — matmul, add, softmax, where,
 * matmul — so it has gradients of every order and an ONNX form without a record of its own.
 *
 * Note: fused composites. A backend may run a composite in one fused kernel, registered
 * under the composite's name (the wasm backend's `scaledDotProductAttention` streams each
 * query row over the keys without materialising the L×S scores). The fused kernel computes
 * only the forward, so it runs only when nothing will be recorded for backward: grad mode
 * off or no input requiring grad. Otherwise — and when the backend declines (null: another
 * dtype or layout) — the composite runs. This keeps one definition: a primitive record
 * would need a js kernel and a vjp that restate the composite. Training keeps the
 * composite's backward; a fused backward (recomputing the scores from q and k, as flash
 * attention does) would be a primitive of its own. The op suite
 * checks the fused kernel against PyTorch on forward-only cases, as it checks the composite.
 * The fused call does not go through dispatch, so `profileOps` does not list it, nor would a
 * graph tracer see it: while an op observer is installed (tracing for export) the composite runs.
 */
import type { DType } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { broadcastShapes, formatShape, shapesEqual } from "../../core/shape.ts";
import { Tensor } from "../../core/tensor.ts";
import { isGradEnabled } from "../../autograd/grad-mode.ts";
import { opObserver } from "../trace-hook.ts";
import { backends } from "../../backends/index.ts";
import type { TensorMeta } from "../define-op.ts";
import { where } from "../defs/binary.ts";
import { ones, rand } from "../creation.ts";
import type { Generator } from "../../core/random.ts";

export interface AttentionOptions {
  /**
   * Broadcastable to the scores [..., L, S]: bool keeps positions where true; a float mask
   * (float32 or the query's dtype) is added to the scores.
   */
  attnMask?: Tensor | null;
  /** Query i attends to keys 0..i only (a lower-triangular mask aligned top-left). */
  isCausal?: boolean;
  /** Multiplies q·kᵀ; default 1/√E, E the query's last dim. */
  scale?: number | null;
  /**
   * Zeroes each attention weight with this probability and scales the rest by 1/(1 − p)
   * (PyTorch applies it whenever it is set, training or not; default 0).
   */
  dropoutP?: number;
  /** The random stream of the dropout mask (default: the global generator). */
  generator?: Generator;
}

/** What the fused kernels receive as attributes. */
export interface AttentionAttrs {
  readonly isCausal: boolean;
  readonly scale: number;
  readonly hasMask: boolean;
}

/** PyTorch's validate_sdpa_input, and the shape checks its matmuls would make. */
function check(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, isCausal: boolean): void {
  const op = "scaledDotProductAttention";
  if (q.dtype !== k.dtype || q.dtype !== v.dtype)
    throw new DTypeError(`${op}: expected query, key, and value to have the same dtype, but got query ${q.dtype}, key ${k.dtype} and value ${v.dtype}`);
  if (q.dtype !== "float32" && q.dtype !== "float64" && q.dtype !== "float16" && q.dtype !== "bfloat16")
    throw new DTypeError(`${op}: expected floating point query, key and value, got ${q.dtype}`);
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2)
    throw new ShapeError(`${op}: expected query, key, and value to all be at least 2 dimensional, but got ${q.ndim}, ${k.ndim} and ${v.ndim} dims`);
  if (q.shape[q.ndim - 1] !== k.shape[k.ndim - 1])
    throw new ShapeError(`${op}: query ${formatShape(q.shape)} and key ${formatShape(k.shape)} must have the same embedding size (last dim)`);
  if (k.shape[k.ndim - 2] !== v.shape[v.ndim - 2])
    throw new ShapeError(`${op}: key ${formatShape(k.shape)} and value ${formatShape(v.shape)} must have the same length (dim -2)`);
  if (mask) {
    if (isCausal) throw new ValueError(`${op}: explicit attnMask should not be set when isCausal is true`);
    if (mask.dtype !== "bool" && mask.dtype !== "float32" && mask.dtype !== q.dtype)
      throw new DTypeError(`${op}: expected attnMask dtype to be bool or float or to match query dtype, but got ${mask.dtype} and query ${q.dtype}`);
  }
}

/** Shape of the scores q·kᵀ: the batch dims of q and k broadcast, then [L, S]. */
function scoresShape(q: Tensor, k: Tensor): number[] {
  const batch = broadcastShapes(q.shape.slice(0, -2), k.shape.slice(0, -2));
  return [...batch, q.shape[q.ndim - 2]!, k.shape[k.ndim - 2]!];
}

/**
 * The output's shape; ATen adds the mask to the scores in place, so a mask that would
 * grow them is refused.
 */
function outputShape(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null): number[] {
  const scores = scoresShape(q, k);
  if (mask && !shapesEqual(broadcastShapes(scores, mask.shape), scores))
    throw new ShapeError(`scaledDotProductAttention: attnMask ${formatShape(mask.shape)} does not broadcast to the scores ${formatShape(scores)}`);
  const batch = broadcastShapes(scores.slice(0, -2), v.shape.slice(0, -2));
  return [...batch, scores[scores.length - 2]!, v.shape[v.ndim - 1]!];
}

/** The backend kernel registered under a composite's name, if the inputs' backend has one that takes them (see Note: fused composites). */
function runFused(op: string, inputs: readonly Tensor[], attrs: unknown, outputs: readonly TensorMeta[]): Tensor[] | null {
  const backend = backends[inputs[0]!.storage.owner.name];
  if (!backend || !backend.hasKernel(op)) return null;
  const storages = backend.run(op, inputs, attrs, { outputs });
  return storages ? storages.map((s, i) => new Tensor(s, outputs[i]!.shape)) : null;
}

/** softmax along the last dim with rows of all −inf giving 0 (ATen's _safe_softmax). */
function safeSoftmax(scores: Tensor): Tensor {
  if (scores.shape[scores.ndim - 1] === 0) return scores; // no keys: the output is zeros
  // A row is all −inf exactly when its max is (a nan max keeps the row, as all(eq(−inf)) does).
  const dropped = scores.detach().amax(-1, { keepdim: true }).eq(-Infinity);
  // Softmax sees 0s in dropped rows: its nan there would leak into the gradient through
  // where (see Note: safe branches, in composite/activation.ts).
  return where(dropped, 0, scores.where(dropped.logicalNot(), 0).softmax(-1));
}

/**
 * softmax(q·kᵀ·scale + mask)·v over the last two dims, batch dims broadcasting
 * (`torch.nn.functional.scaled_dot_product_attention`): q [..., L, E],
 * k [..., S, E], v [..., S, Ev] give [..., L, Ev]. A bool `attnMask` keeps positions where
 * true, a float one is added; `isCausal` keeps keys j ≤ i; rows with every key masked give 0;
 * `dropoutP` drops attention weights (inverted dropout).
 *
 * ```ts
 * scaledDotProductAttention(q, k, v, { isCausal: true }); // decoder self-attention
 * ```
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const mask = options.attnMask ?? null;
  const isCausal = options.isCausal ?? false;
  const dropoutP = checkDropout(options.dropoutP);
  check(q, k, v, mask, isCausal);
  const scale = options.scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]!);
  const shape = outputShape(q, k, v, mask);
  const inputs = mask ? [q, k, v, mask] : [q, k, v];
  // A fused kernel bypasses `apply`: while a tracer listens, the composite's ops must run.
  if (dropoutP === 0 && !(isGradEnabled() && inputs.some((t) => t.requiresGrad)) && opObserver() === null) {
    const attrs: AttentionAttrs = { isCausal, scale, hasMask: mask !== null };
    const fused = runFused("scaledDotProductAttention", inputs, attrs, [{ shape, dtype: q.dtype }]);
    if (fused) return fused[0]!;
  }
  return attention(q, k, v, mask, isCausal, scale, dropoutP, options.generator)[0];
}

/**
 * The same computation returning [output, attention weights] (ATen's
 * `_scaled_dot_product_attention_math`): the weights softmax(q·kᵀ·scale + mask), after
 * dropout, of shape [..., L, S]. Never fused — MultiheadAttention uses it when the
 * weights are asked for.
 */
export function scaledDotProductAttentionMath(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): [Tensor, Tensor] {
  const mask = options.attnMask ?? null;
  const isCausal = options.isCausal ?? false;
  const dropoutP = checkDropout(options.dropoutP);
  check(q, k, v, mask, isCausal);
  outputShape(q, k, v, mask);
  return attention(q, k, v, mask, isCausal, options.scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]!), dropoutP, options.generator);
}

function checkDropout(p: number | undefined): number {
  const dropoutP = p ?? 0;
  if (!(dropoutP >= 0 && dropoutP <= 1)) throw new ValueError(`scaledDotProductAttention: dropout probability has to be between 0 and 1, but got ${dropoutP}`);
  return dropoutP;
}

/**
 * The definition: ATen's _scaled_dot_product_attention_math, in its order of operations.
 * Half inputs compute in float32 and the output is rounded once, as there.
 */
function attention(
  q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, isCausal: boolean, scale: number, dropoutP: number, generator: Generator | undefined,
): [Tensor, Tensor] {
  const origin: DType = q.dtype;
  const accurate = (t: Tensor) => (t.dtype === "float16" || t.dtype === "bfloat16" ? t.to("float32") : t);
  // q and k are each scaled by √|scale| (the sign goes to q) before the product.
  const root = Math.sqrt(Math.abs(scale));
  let scores = accurate(q).mul(scale < 0 ? -root : root).matmul(accurate(k).transpose(-2, -1).mul(root));
  let bias = mask;
  if (isCausal) bias = ones([q.shape[q.ndim - 2]!, k.shape[k.ndim - 2]!], { dtype: "bool" }).tril();
  // A bool mask becomes 0 where kept and −inf elsewhere (ATen's convert_boolean_attn_mask).
  if (bias && bias.dtype === "bool") bias = where(bias, 0, -Infinity);
  // The mask dtypes allowed (bool, float32, the query's) never promote the scores' dtype.
  if (bias) scores = scores.add(bias);
  let weights = safeSoftmax(scores);
  // at::dropout's mask: one float64 uniform per weight, kept when below 1 − p (bernoulli_).
  if (dropoutP === 1) weights = weights.mul(0);
  else if (dropoutP > 0) weights = weights.mul(rand(weights.shape, { dtype: "float64", generator }).lt(1 - dropoutP).to(weights.dtype)).div(1 - dropoutP);
  return [weights.matmul(accurate(v)).to(origin), weights.to(origin)];
}
