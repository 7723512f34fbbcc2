/**
 * MultiheadAttention (`torch.nn.MultiheadAttention`, PyTorch 1.13): the parameters under
 * PyTorch's keys — in_proj_weight (or q_proj_weight, k_proj_weight, v_proj_weight when kdim
 * or vdim differ from embed_dim), in_proj_bias, bias_k, bias_v, out_proj.weight,
 * out_proj.bias — initialised as PyTorch does, and the forward of
 * `multiHeadAttentionForward` (src/nn/functional/attention.ts).
 *
 * ```ts
 * const mha = new MultiheadAttention(16, 4, { batchFirst: true });
 * const [out, weights] = mha.forward(x, x, x); // out [B, L, 16], weights [B, L, L]
 * ```
 */
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { empty } from "../../ops/creation.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { constant_, xavierNormal_, xavierUniform_ } from "../init.ts";
import { Linear } from "./linear.ts";
import { multiHeadAttentionForward, type MultiheadAttentionOptions } from "../functional/attention.ts";

/**
 * The out-projection of MultiheadAttention: a Linear that PyTorch keeps out of dynamic
 * quantization (`NonDynamicallyQuantizableLinear`); keys weight and bias, Linear's init.
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionConfig {
  /** Dropout on the attention weights in training (default 0). */
  dropout?: number;
  /** Biases of the in- and out-projections (default true). */
  bias?: boolean;
  /** Learned bias rows appended to keys and values (default false). */
  addBiasKv?: boolean;
  /** A zero row appended to keys and values (default false). */
  addZeroAttn?: boolean;
  /** Key and value feature sizes (default embedDim). */
  kdim?: number | null;
  vdim?: number | null;
  /** Inputs and output as [B, L, E] instead of [L, B, E] (default false). */
  batchFirst?: boolean;
  dtype?: "float32" | "float64";
}

export interface MultiheadAttentionForwardOptions {
  keyPaddingMask?: Tensor | null;
  /** Default true. */
  needWeights?: boolean;
  attnMask?: Tensor | null;
  /** Default true. */
  averageAttnWeights?: boolean;
  isCausal?: boolean;
}

/** Attention over `numHeads` heads of size embedDim / numHeads, as torch.nn.MultiheadAttention. */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly addZeroAttn: boolean;
  /** True when key and value share embedDim: one packed in_proj_weight. */
  readonly qkvSameEmbedDim: boolean;
  declare inProjWeight: Parameter | null;
  declare qProjWeight: Parameter | null;
  declare kProjWeight: Parameter | null;
  declare vProjWeight: Parameter | null;
  declare inProjBias: Parameter | null;
  declare biasK: Parameter | null;
  declare biasV: Parameter | null;
  declare outProj: NonDynamicallyQuantizableLinear;

  constructor(embedDim: number, numHeads: number, config: MultiheadAttentionConfig = {}) {
    super();
    if (!Number.isInteger(embedDim) || embedDim <= 0 || !Number.isInteger(numHeads) || numHeads <= 0)
      throw new ValueError(`embed_dim and num_heads must be positive integers, got ${embedDim} and ${numHeads}`);
    if (embedDim % numHeads !== 0) throw new ValueError(`embed_dim must be divisible by num_heads, got ${embedDim} and ${numHeads}`);
    const dropout = config.dropout ?? 0;
    if (!(dropout >= 0 && dropout <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${dropout}`);
    this.embedDim = embedDim;
    this.kdim = config.kdim ?? embedDim;
    this.vdim = config.vdim ?? embedDim;
    this.qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.dropout = dropout;
    this.batchFirst = config.batchFirst ?? false;
    this.addZeroAttn = config.addZeroAttn ?? false;
    const dtype = config.dtype ?? "float32";
    const bias = config.bias ?? true;
    const param = (shape: number[]) => new Parameter(empty(shape, { dtype }));
    // Registration order is PyTorch's, so the state dict's keys come in its order.
    if (this.qkvSameEmbedDim) {
      this.registerParameter("in_proj_weight", param([3 * embedDim, embedDim]));
      this.registerParameter("q_proj_weight", null);
      this.registerParameter("k_proj_weight", null);
      this.registerParameter("v_proj_weight", null);
    } else {
      this.registerParameter("q_proj_weight", param([embedDim, embedDim]));
      this.registerParameter("k_proj_weight", param([embedDim, this.kdim]));
      this.registerParameter("v_proj_weight", param([embedDim, this.vdim]));
      this.registerParameter("in_proj_weight", null);
    }
    this.registerParameter("in_proj_bias", bias ? param([3 * embedDim]) : null);
    this.registerModule("out_proj", new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias, dtype }));
    this.registerParameter("bias_k", config.addBiasKv ? param([1, 1, embedDim]) : null);
    this.registerParameter("bias_v", config.addBiasKv ? param([1, 1, embedDim]) : null);
    this.resetParameters();
  }

  /** PyTorch's _reset_parameters: xavier_uniform_ projections, zero biases, xavier_normal_ bias_k/v. */
  resetParameters(): void {
    for (const w of [this.inProjWeight, this.qProjWeight, this.kProjWeight, this.vProjWeight]) if (w) xavierUniform_(w);
    if (this.inProjBias) {
      constant_(this.inProjBias, 0);
      if (this.outProj.bias) constant_(this.outProj.bias, 0);
    }
    if (this.biasK) xavierNormal_(this.biasK);
    if (this.biasV) xavierNormal_(this.biasV);
  }

  /**
   * query [L, B, E] ([B, L, E] with batchFirst; unbatched [L, E]), key [S, B, kdim], value
   * [S, B, vdim]. Returns [output like query, attention weights or null] — weights
   * [B, L, S] averaged over heads, or [B, H, L, S]. Masks: see Note: attention masks in
   * src/nn/functional/attention.ts.
   */
  override forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const dtype = this.outProj.weight.dtype;
    for (const [name, t] of [["query", query], ["key", key], ["value", value]] as const)
      if (t.dtype !== dtype) throw new DTypeError(`MultiheadAttention: ${name} must have the type ${dtype}, got type ${t.dtype}`);
    if (query.shape[query.ndim - 1] !== this.embedDim)
      throw new ShapeError(`was expecting embedding dimension of ${this.embedDim}, but got ${query.shape[query.ndim - 1]}`);
    const batched = query.ndim === 3;
    const toTimeFirst = (t: Tensor) => (this.batchFirst && batched ? t.transpose(0, 1) : t);
    // Transposing keeps query === key === value when they were one tensor (self-attention's packed projection).
    const q = toTimeFirst(query);
    const k = key === query ? q : toTimeFirst(key);
    const v = value === key ? k : toTimeFirst(value);
    const forwardOptions: MultiheadAttentionOptions = {
      addZeroAttn: this.addZeroAttn,
      dropoutP: this.dropout,
      training: this.training,
      keyPaddingMask: options.keyPaddingMask ?? null,
      attnMask: options.attnMask ?? null,
      needWeights: options.needWeights ?? true,
      averageAttnWeights: options.averageAttnWeights ?? true,
      isCausal: options.isCausal ?? false,
    };
    const [out, weights] = multiHeadAttentionForward(q, k, v, this.numHeads, {
      inProjWeight: this.inProjWeight,
      qProjWeight: this.qProjWeight,
      kProjWeight: this.kProjWeight,
      vProjWeight: this.vProjWeight,
      inProjBias: this.inProjBias,
      biasK: this.biasK,
      biasV: this.biasV,
      outProjWeight: this.outProj.weight,
      outProjBias: this.outProj.bias,
    }, forwardOptions);
    return [this.batchFirst && batched ? out.transpose(0, 1) : out, weights];
  }
}
