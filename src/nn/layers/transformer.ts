/**
 * Transformer layers as PyTorch 1.13 defines them: TransformerEncoderLayer,
 * TransformerDecoderLayer (post-norm, or pre-norm with `normFirst`), TransformerEncoder and
 * TransformerDecoder (stacks of deep copies of one layer, with an optional final norm) and
 * Transformer. Submodules are registered in PyTorch's order under its names (self_attn,
 * multihead_attn, linear1, linear2, norm1..3), so state dicts load unchanged.
 *
 * Note: transformer clones. PyTorch builds a stack with copy.deepcopy of one layer: every
 * layer starts from the same weights and no random numbers are drawn. `clone()` rebuilds a
 * layer from its constructor arguments with the global generator's state saved and
 * restored, then copies the state dict and training mode — the same result, and the
 * generator is left where PyTorch leaves it, so a seeded model initialises as PyTorch's.
 *
 * PyTorch 1.13's inference fast path (nested tensors, which zero padded positions) is not
 * taken here: outputs at padded positions are computed like every other position.
 *
 * ```ts
 * const layer = new TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * const encoder = new TransformerEncoder(layer, 2);
 * encoder.forward(x, { mask: Transformer.generateSquareSubsequentMask(x.shape[1]!) });
 * ```
 */
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { defaultGenerator } from "../../core/random.ts";
import type { Tensor } from "../../core/tensor.ts";
import { full } from "../../ops/creation.ts";
import { gelu } from "../../ops/composite/activation.ts";
import { relu } from "../../ops/defs/unary.ts";
import { noGrad } from "../../autograd/grad-mode.ts";
import { ModuleList } from "../containers.ts";
import { Module } from "../module.ts";
import { xavierUniform_ } from "../init.ts";
import { Dropout } from "./dropout.ts";
import { Linear } from "./linear.ts";
import { LayerNorm } from "./normalization.ts";
import { MultiheadAttention } from "./attention.ts";

export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor);

export interface TransformerLayerOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** "relu" (default), "gelu" or a function. */
  activation?: TransformerActivation;
  layerNormEps?: number;
  /** Inputs and outputs as [B, L, E] instead of [L, B, E] (default false). */
  batchFirst?: boolean;
  /** Pre-norm: LayerNorm before each block instead of after the residual sum (default false). */
  normFirst?: boolean;
  dtype?: "float32" | "float64";
}

export interface EncoderMasks {
  /** [L, L] or [B·H, L, L]: true (or −inf) where position i may not attend to j. */
  srcMask?: Tensor | null;
  /** [B, L]: true for padding positions. */
  srcKeyPaddingMask?: Tensor | null;
  /** Without srcMask, attend only to earlier positions. */
  isCausal?: boolean;
}

export interface DecoderMasks {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  /** Without tgtMask, each target position attends only to earlier ones. */
  tgtIsCausal?: boolean;
}

function activationOf(activation: TransformerActivation): (x: Tensor) => Tensor {
  if (activation === "relu") return relu;
  if (activation === "gelu") return (x) => gelu(x);
  if (typeof activation === "function") return activation;
  throw new ValueError(`activation should be relu/gelu, not ${String(activation)}`);
}

/** Builds a copy with `rebuild`, leaving the global generator as it was (Note: transformer clones). */
function deepCopy<M extends Module>(source: M, rebuild: () => M): M {
  const state = defaultGenerator.getState();
  let copy: M;
  try {
    copy = rebuild();
  } finally {
    defaultGenerator.setState(state);
  }
  copy.loadStateDict(source.stateDict());
  return copy.train(source.training);
}

/** The parts both layer kinds share: feed-forward block, dropouts and options. */
abstract class TransformerLayerBase extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  protected readonly options: TransformerLayerOptions;
  protected readonly activation: (x: Tensor) => Tensor;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions) {
    super();
    this.dModel = dModel;
    this.nhead = nhead;
    this.options = { ...options };
    this.normFirst = options.normFirst ?? false;
    this.batchFirst = options.batchFirst ?? false;
    this.activation = activationOf(options.activation ?? "relu");
  }

  protected attention(dtype: "float32" | "float64"): MultiheadAttention {
    return new MultiheadAttention(this.dModel, this.nhead, { dropout: this.options.dropout ?? 0.1, batchFirst: this.batchFirst, dtype });
  }

  /** linear2(dropout(activation(linear1(x)))) then the block's own dropout. */
  protected feedForward(x: Tensor, linear1: Linear, dropout: Dropout, linear2: Linear, out: Dropout): Tensor {
    return out.forward(linear2.forward(dropout.forward(this.activation(linear1.forward(x)))));
  }

  /** Self-attention without weights, then dropout. */
  protected selfAttention(attn: MultiheadAttention, x: Tensor, mask: Tensor | null, padding: Tensor | null, isCausal: boolean, dropout: Dropout): Tensor {
    return dropout.forward(attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: padding, needWeights: false, isCausal })[0]);
  }

  protected checkInput(x: Tensor, what: string): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`${this.constructor.name}: expected ${what} of 2 or 3 dims, got ${x.ndim}`);
    if (x.shape[x.ndim - 1] !== this.dModel) throw new ShapeError(`${this.constructor.name}: the feature number of ${what} must be equal to d_model (${this.dModel}), got ${x.shape[x.ndim - 1]}`);
  }
}

/** Self-attention then a feed-forward block, each with a residual and LayerNorm (`torch.nn.TransformerEncoderLayer`). */
export class TransformerEncoderLayer extends TransformerLayerBase {
  selfAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super(dModel, nhead, options);
    const dtype = options.dtype ?? "float32";
    const dff = options.dimFeedforward ?? 2048;
    const p = options.dropout ?? 0.1;
    const eps = options.layerNormEps ?? 1e-5;
    this.selfAttn = this.attention(dtype);
    this.linear1 = new Linear(dModel, dff, { dtype });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(dff, dModel, { dtype });
    this.norm1 = new LayerNorm(dModel, { eps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps, dtype });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
  }

  /** src [L, B, E] ([B, L, E] with batchFirst, or unbatched [L, E]). */
  override forward(src: Tensor, masks: EncoderMasks = {}): Tensor {
    this.checkInput(src, "src");
    const mask = masks.srcMask ?? null;
    const padding = masks.srcKeyPaddingMask ?? null;
    const causal = masks.isCausal ?? false;
    let x = src;
    const sa = (y: Tensor) => this.selfAttention(this.selfAttn, y, mask, padding, causal, this.dropout1);
    const ff = (y: Tensor) => this.feedForward(y, this.linear1, this.dropout, this.linear2, this.dropout2);
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(ff(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(ff(x)));
    }
    return x;
  }

  /** A deep copy (see Note: transformer clones). */
  clone(): TransformerEncoderLayer {
    return deepCopy(this, () => new TransformerEncoderLayer(this.dModel, this.nhead, this.options));
  }
}

/** Self-attention, attention over the memory, then a feed-forward block (`torch.nn.TransformerDecoderLayer`). */
export class TransformerDecoderLayer extends TransformerLayerBase {
  selfAttn: MultiheadAttention;
  multiheadAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super(dModel, nhead, options);
    const dtype = options.dtype ?? "float32";
    const dff = options.dimFeedforward ?? 2048;
    const p = options.dropout ?? 0.1;
    const eps = options.layerNormEps ?? 1e-5;
    this.selfAttn = this.attention(dtype);
    this.multiheadAttn = this.attention(dtype);
    this.linear1 = new Linear(dModel, dff, { dtype });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(dff, dModel, { dtype });
    this.norm1 = new LayerNorm(dModel, { eps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps, dtype });
    this.norm3 = new LayerNorm(dModel, { eps, dtype });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
  }

  /** tgt [T, B, E] and memory [S, B, E] (batch first or unbatched as the layer's batchFirst says). */
  override forward(tgt: Tensor, memory: Tensor, masks: DecoderMasks = {}): Tensor {
    this.checkInput(tgt, "tgt");
    this.checkInput(memory, "memory");
    const sa = (y: Tensor) => this.selfAttention(this.selfAttn, y, masks.tgtMask ?? null, masks.tgtKeyPaddingMask ?? null, masks.tgtIsCausal ?? false, this.dropout1);
    const ca = (y: Tensor) =>
      this.dropout2.forward(
        this.multiheadAttn.forward(y, memory, memory, { attnMask: masks.memoryMask ?? null, keyPaddingMask: masks.memoryKeyPaddingMask ?? null, needWeights: false })[0],
      );
    const ff = (y: Tensor) => this.feedForward(y, this.linear1, this.dropout, this.linear2, this.dropout3);
    let x = tgt;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(ca(this.norm2.forward(x)));
      x = x.add(ff(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(ca(x)));
      x = this.norm3.forward(x.add(ff(x)));
    }
    return x;
  }

  /** A deep copy (see Note: transformer clones). */
  clone(): TransformerDecoderLayer {
    return deepCopy(this, () => new TransformerDecoderLayer(this.dModel, this.nhead, this.options));
  }
}

function checkLayers(numLayers: number): void {
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new ValueError(`num_layers must be a positive integer, got ${numLayers}`);
}

/** `numLayers` deep copies of `encoderLayer` run in turn, then `norm` if given (`torch.nn.TransformerEncoder`). */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  norm: LayerNorm | null;
  readonly numLayers: number;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, norm: LayerNorm | null = null) {
    super();
    checkLayers(numLayers);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.numLayers = numLayers;
    this.norm = norm;
  }

  /** src as the layers take it; `mask` and `srcKeyPaddingMask` go to every layer. */
  override forward(src: Tensor, masks: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {}): Tensor {
    const padding = masks.srcKeyPaddingMask ?? null;
    if (padding && padding.dtype !== "bool" && padding.dtype !== "float32" && padding.dtype !== "float64")
      throw new DTypeError(`only bool and floating types of key_padding_mask are supported, got ${padding.dtype}`);
    let x = src;
    for (const layer of this.layers) x = (layer as TransformerEncoderLayer).forward(x, { srcMask: masks.mask ?? null, srcKeyPaddingMask: padding, isCausal: masks.isCausal ?? false });
    return this.norm ? this.norm.forward(x) : x;
  }
}

/** `numLayers` deep copies of `decoderLayer` run in turn over the memory, then `norm` if given (`torch.nn.TransformerDecoder`). */
export class TransformerDecoder extends Module {
  layers: ModuleList;
  norm: LayerNorm | null;
  readonly numLayers: number;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, norm: LayerNorm | null = null) {
    super();
    checkLayers(numLayers);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.clone()));
    this.numLayers = numLayers;
    this.norm = norm;
  }

  override forward(tgt: Tensor, memory: Tensor, masks: DecoderMasks = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers) x = (layer as TransformerDecoderLayer).forward(x, memory, masks);
    return this.norm ? this.norm.forward(x) : x;
  }
}

export interface TransformerOptions extends TransformerLayerOptions {
  /** Default 512. */
  dModel?: number;
  /** Default 8. */
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
}

export interface TransformerMasks {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}

/**
 * Encoder-decoder transformer (`torch.nn.Transformer`): encoder and decoder stacks with
 * final LayerNorms; every parameter of more than one dim re-initialised by xavier_uniform_.
 */
export class Transformer extends Module {
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(options: TransformerOptions = {}) {
    super();
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, ...layerOptions } = options;
    const eps = options.layerNormEps ?? 1e-5;
    const dtype = options.dtype ?? "float32";
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = options.batchFirst ?? false;
    this.encoder = new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layerOptions), numEncoderLayers, new LayerNorm(dModel, { eps, dtype }));
    this.decoder = new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layerOptions), numDecoderLayers, new LayerNorm(dModel, { eps, dtype }));
    this.resetParameters();
  }

  /** xavier_uniform_ on every parameter with more than one dim, in parameter order (PyTorch's _reset_parameters). */
  resetParameters(): void {
    noGrad(() => {
      for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
    });
  }

  /** src [S, B, E] and tgt [T, B, E] (batch first or unbatched as batchFirst says); returns [T, B, E]. */
  override forward(src: Tensor, tgt: Tensor, masks: TransformerMasks = {}): Tensor {
    const batched = src.ndim === 3;
    if (batched && src.shape[this.batchFirst ? 0 : 1] !== tgt.shape[this.batchFirst ? 0 : 1])
      throw new ShapeError("the batch number of src and tgt must be equal");
    if (!batched && tgt.ndim !== 2) throw new ShapeError("the batch number of src and tgt must be equal");
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel)
      throw new ShapeError("the feature number of src and tgt must be equal to d_model");
    const memory = this.encoder.forward(src, { mask: masks.srcMask ?? null, srcKeyPaddingMask: masks.srcKeyPaddingMask ?? null });
    return this.decoder.forward(tgt, memory, {
      tgtMask: masks.tgtMask ?? null,
      memoryMask: masks.memoryMask ?? null,
      tgtKeyPaddingMask: masks.tgtKeyPaddingMask ?? null,
      memoryKeyPaddingMask: masks.memoryKeyPaddingMask ?? null,
    });
  }

  /** [sz, sz] float mask: 0 on and below the diagonal, −inf above (`Transformer.generate_square_subsequent_mask`). */
  static generateSquareSubsequentMask(sz: number, options: { dtype?: "float32" | "float64" } = {}): Tensor {
    if (!Number.isInteger(sz) || sz < 0) throw new ValueError(`generateSquareSubsequentMask: size must be a non-negative integer, got ${sz}`);
    return full([sz, sz], -Infinity, { dtype: options.dtype ?? "float32" }).triu(1);
  }
}
