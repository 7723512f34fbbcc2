/**
 * Multi-head attention as a function (`torch.nn.functional.multi_head_attention_forward`,
 * PyTorch 1.13): in-projection (packed [3E, E] or separate q/k/v weights), optional
 * bias_k/bias_v rows and a zero key, PyTorch's mask rules, scaled dot-product attention per
 * head, out-projection, and the attention weights averaged over heads or not.
 *
 * Note: attention masks. In MultiheadAttention (as in PyTorch 1.13) a bool `attnMask` or
 * `keyPaddingMask` marks with true the positions NOT allowed to attend — the opposite of
 * scaled_dot_product_attention's bool mask — and a float mask is added to the scores.
 * attnMask is [L, S] or [B·H, L, S]; keyPaddingMask is [B, S]. Both become one additive
 * float mask (−inf where masked). A query row whose keys are all masked gives zeros (as
 * scaled_dot_product_attention does in PyTorch 2.x) where PyTorch 1.13 gives nan.
 */
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { isFloating } from "../../core/dtype.ts";
import { formatShape, shapesEqual } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { ones, zeros } from "../../ops/creation.ts";
import { cat } from "../../ops/defs/shape.ts";
import { where } from "../../ops/defs/binary.ts";
import { scaledDotProductAttention, scaledDotProductAttentionMath } from "../../ops/composite/attention.ts";
import { linear } from "./linear.ts";

/** The learned tensors of multi-head attention, under MultiheadAttention's parameter names. */
export interface MultiheadAttentionWeights {
  /** [3E, E]: W_q, W_k, W_v stacked (when query, key and value share the embedding size). */
  inProjWeight?: Tensor | null;
  /** Separate projections [E, E], [E, kdim], [E, vdim] (used when inProjWeight is absent). */
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  /** [3E]: b_q, b_k, b_v. */
  inProjBias?: Tensor | null;
  /** [1, 1, E] rows appended to the projected keys and values. */
  biasK?: Tensor | null;
  biasV?: Tensor | null;
  outProjWeight: Tensor;
  outProjBias?: Tensor | null;
}

export interface MultiheadAttentionOptions {
  /** Append a zero key and value (after bias_k / bias_v). */
  addZeroAttn?: boolean;
  /** Dropout on the attention weights, in training only. */
  dropoutP?: number;
  /** Default true, as the functional form in PyTorch. */
  training?: boolean;
  /** [B, S] (unbatched [S]): true (or −inf) for keys to ignore (see Note: attention masks). */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [B·H, L, S]: true (or −inf) where query i may not attend to key j. */
  attnMask?: Tensor | null;
  /** Also return the attention weights (default true). */
  needWeights?: boolean;
  /** Average the returned weights over heads (default true): [B, L, S], else [B, H, L, S]. */
  averageAttnWeights?: boolean;
  /** Without attnMask, mask keys after each query (a causal mask). */
  isCausal?: boolean;
}

/** PyTorch's _mha_shape_check; returns whether the inputs are batched. */
function checkShapes(query: Tensor, key: Tensor, value: Tensor, kpm: Tensor | null, mask: Tensor | null, numHeads: number): boolean {
  if (query.ndim === 3) {
    if (key.ndim !== 3 || value.ndim !== 3)
      throw new ShapeError(`For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
    if (kpm && kpm.ndim !== 2) throw new ShapeError(`For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${kpm.ndim}-D tensor instead`);
    if (mask && mask.ndim !== 2 && mask.ndim !== 3)
      throw new ShapeError(`For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${mask.ndim}-D tensor instead`);
    return true;
  }
  if (query.ndim === 2) {
    if (key.ndim !== 2 || value.ndim !== 2)
      throw new ShapeError(`For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
    if (kpm && kpm.ndim !== 1) throw new ShapeError(`For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${kpm.ndim}-D tensor instead`);
    if (mask && mask.ndim !== 2 && mask.ndim !== 3)
      throw new ShapeError(`For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${mask.ndim}-D tensor instead`);
    if (mask && mask.ndim === 3 && !shapesEqual(mask.shape, [numHeads, query.shape[0]!, key.shape[0]!]))
      throw new ShapeError(`Expected \`attn_mask\` shape to be ${formatShape([numHeads, query.shape[0]!, key.shape[0]!])} but got ${formatShape(mask.shape)}`);
    return false;
  }
  throw new ShapeError(`query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`);
}

function checkMaskDType(mask: Tensor, what: string): Tensor {
  if (mask.dtype === "uint8") return mask.to("bool");
  if (mask.dtype !== "bool" && !isFloating(mask.dtype)) throw new DTypeError(`Only float, byte, and bool types are supported for ${what}, not ${mask.dtype}`);
  return mask;
}

/** Appends one unmasked key column to a mask (PyTorch's pad(mask, (0, 1))). */
function padKey(mask: Tensor): Tensor {
  return cat([mask, zeros([...mask.shape.slice(0, -1), 1], { dtype: mask.dtype })], -1);
}

/** The packed or separate in-projections of query, key and value. */
function inProjection(query: Tensor, key: Tensor, value: Tensor, w: MultiheadAttentionWeights, e: number): [Tensor, Tensor, Tensor] {
  const bias = w.inProjBias ?? null;
  const [bq, bk, bv] = bias ? (bias.chunk(3) as [Tensor, Tensor, Tensor]) : [null, null, null];
  if (w.inProjWeight) {
    if (w.inProjWeight.ndim !== 2 || w.inProjWeight.shape[0] !== 3 * e || w.inProjWeight.shape[1] !== e)
      throw new ShapeError(`multi_head_attention_forward: in_proj_weight should be ${formatShape([3 * e, e])}, got ${formatShape(w.inProjWeight.shape)}`);
    if (!shapesEqual(key.shape, value.shape)) throw new ShapeError(`key shape ${formatShape(key.shape)} does not match value shape ${formatShape(value.shape)}`);
    // Self-attention: one product with the packed weight, then split (PyTorch's _in_projection_packed).
    if (query === key && key === value) return linear(query, w.inProjWeight, bias).chunk(3, -1) as [Tensor, Tensor, Tensor];
    const [wq, wk, wv] = w.inProjWeight.chunk(3) as [Tensor, Tensor, Tensor];
    return [linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)];
  }
  if (!w.qProjWeight || !w.kProjWeight || !w.vProjWeight)
    throw new ValueError("multi_head_attention_forward: give inProjWeight, or all of qProjWeight, kProjWeight and vProjWeight");
  if (key.shape[0] !== value.shape[0] || key.shape[1] !== value.shape[1])
    throw new ShapeError(`key's sequence and batch dims ${formatShape(key.shape.slice(0, 2))} do not match value's ${formatShape(value.shape.slice(0, 2))}`);
  return [linear(query, w.qProjWeight, bq), linear(key, w.kProjWeight, bk), linear(value, w.vProjWeight, bv)];
}

/**
 * Multi-head attention over time-first inputs: query [L, B, E], key [S, B, kdim], value
 * [S, B, vdim] (or unbatched [L, E], ...). Returns [output [L, B, E], weights or null].
 *
 * ```ts
 * const [out, w] = multiHeadAttentionForward(x, x, x, 2, { inProjWeight, inProjBias, outProjWeight, outProjBias });
 * ```
 */
export function multiHeadAttentionForward(
  query: Tensor, key: Tensor, value: Tensor, numHeads: number, weights: MultiheadAttentionWeights, options: MultiheadAttentionOptions = {},
): [Tensor, Tensor | null] {
  let attnMask = options.attnMask ? checkMaskDType(options.attnMask, "attn_mask") : null;
  let kpm = options.keyPaddingMask ?? null;
  if (kpm && kpm.dtype !== "bool" && !isFloating(kpm.dtype)) throw new DTypeError(`only bool and floating types of key_padding_mask are supported, got ${kpm.dtype}`);
  const batched = checkShapes(query, key, value, kpm, attnMask, numHeads);
  if (!batched) {
    [query, key, value] = [query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)];
    if (kpm) kpm = kpm.unsqueeze(0);
  }
  const [tgtLen, bsz, e] = query.shape as [number, number, number];
  if (!Number.isInteger(numHeads) || numHeads <= 0 || e % numHeads !== 0) throw new ValueError(`embed_dim ${e} not divisible by num_heads ${numHeads}`);
  const headDim = e / numHeads;
  let [q, k, v] = inProjection(query, key, value, weights, e);
  let srcLen = key.shape[0]!;

  if (!attnMask && options.isCausal) attnMask = ones([tgtLen, srcLen], { dtype: "bool" }).triu(1);
  if (attnMask) {
    if (attnMask.ndim === 2) {
      if (!shapesEqual(attnMask.shape, [tgtLen, srcLen]))
        throw new ShapeError(`The shape of the 2D attn_mask is ${formatShape(attnMask.shape)}, but should be ${formatShape([tgtLen, srcLen])}.`);
      attnMask = attnMask.unsqueeze(0);
    } else if (!shapesEqual(attnMask.shape, [bsz * numHeads, tgtLen, srcLen])) {
      throw new ShapeError(`The shape of the 3D attn_mask is ${formatShape(attnMask.shape)}, but should be ${formatShape([bsz * numHeads, tgtLen, srcLen])}.`);
    }
  }

  if (weights.biasK || weights.biasV) {
    if (!weights.biasK || !weights.biasV) throw new ValueError("multi_head_attention_forward: bias_k and bias_v come together");
    k = cat([k, weights.biasK.expand([1, bsz, e])]);
    v = cat([v, weights.biasV.expand([1, bsz, e])]);
    if (attnMask) attnMask = padKey(attnMask);
    if (kpm) kpm = padKey(kpm);
  }
  // Heads: [len, B, E] -> [B·H, len, headDim].
  q = q.reshape([tgtLen, bsz * numHeads, headDim]).transpose(0, 1);
  k = k.reshape([k.shape[0]!, bsz * numHeads, headDim]).transpose(0, 1);
  v = v.reshape([v.shape[0]!, bsz * numHeads, headDim]).transpose(0, 1);
  if (options.addZeroAttn) {
    k = cat([k, zeros([bsz * numHeads, 1, headDim], { dtype: k.dtype })], 1);
    v = cat([v, zeros([bsz * numHeads, 1, headDim], { dtype: v.dtype })], 1);
    if (attnMask) attnMask = padKey(attnMask);
    if (kpm) kpm = padKey(kpm);
  }
  srcLen = k.shape[1]!;

  // One additive mask [1 or B·H, L, S] (see Note: attention masks).
  let mask = attnMask && attnMask.dtype === "bool" ? where(attnMask, -Infinity, 0).to(q.dtype) : attnMask;
  if (kpm) {
    if (!shapesEqual(kpm.shape, [bsz, srcLen])) throw new ShapeError(`expecting key_padding_mask shape of ${formatShape([bsz, srcLen])}, but got ${formatShape(kpm.shape)}`);
    let padding = kpm.reshape([bsz, 1, 1, srcLen]).expand([bsz, numHeads, 1, srcLen]).reshape([bsz * numHeads, 1, srcLen]);
    padding = padding.dtype === "bool" ? where(padding, -Infinity, 0).to(q.dtype) : padding;
    mask = mask ? mask.add(padding) : padding;
  }

  const dropoutP = (options.training ?? true) ? (options.dropoutP ?? 0) : 0;
  const needWeights = options.needWeights ?? true;
  const sdpa = { attnMask: mask, dropoutP };
  let attnOutput: Tensor;
  let attnWeights: Tensor | null = null;
  if (needWeights) [attnOutput, attnWeights] = scaledDotProductAttentionMath(q, k, v, sdpa);
  else attnOutput = scaledDotProductAttention(q, k, v, sdpa);

  attnOutput = attnOutput.transpose(0, 1).reshape([tgtLen * bsz, e]);
  attnOutput = linear(attnOutput, weights.outProjWeight, weights.outProjBias ?? null).reshape([tgtLen, bsz, -1]);
  if (attnWeights) {
    attnWeights = attnWeights.reshape([bsz, numHeads, tgtLen, srcLen]);
    if (options.averageAttnWeights ?? true) attnWeights = attnWeights.sum(1).div(numHeads);
    if (!batched) attnWeights = attnWeights.squeeze(0);
  }
  return [batched ? attnOutput : attnOutput.squeeze(1), attnWeights];
}
