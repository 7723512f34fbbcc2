/**
 * Vision Transformer as torchvision 0.14 builds it (torchvision.models.vision_transformer):
 * keys class_token, conv_proj, encoder.pos_embedding, encoder.layers.encoder_layer_N.{ln_1,
 * self_attention.{in_proj_weight,in_proj_bias,out_proj}, ln_2, mlp.0, mlp.3}, encoder.ln,
 * heads.head (and heads.pre_logits with a representation layer) — so its checkpoints load
 * unchanged.
 *
 * ```ts
 * const tiny = new VisionTransformer({ imageSize: 32, patchSize: 8, numLayers: 2, numHeads: 4, hiddenDim: 32, mlpDim: 64, numClasses: 10 });
 * const base = vit_b_16(); // 224×224, patches 16×16, 12 layers × 12 heads, hidden 768
 * ```
 */
import { ShapeError, ValueError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import { zeros, empty } from "../ops/creation.ts";
import { add } from "../ops/defs/binary.ts";
import { cat } from "../ops/defs/shape.ts";
import { expand, permute, reshape, select } from "../ops/views.ts";
import { Sequential } from "../nn/containers.ts";
import { Module } from "../nn/module.ts";
import { Parameter } from "../nn/parameter.ts";
import { Conv2d, Dropout, GELU, LayerNorm, Linear, Tanh } from "../nn/layers/index.ts";
import { MultiheadAttention } from "../nn/layers/index.ts";
import { normal_, truncNormal_, xavierUniform_, zeros_ } from "../nn/init.ts";

/** Builds the normalization over `hiddenDim` (default LayerNorm with eps 1e-6). */
export type LayerNormFactory = (hiddenDim: number) => Module;

const defaultNorm: LayerNormFactory = (d) => new LayerNorm(d, { eps: 1e-6 });

/** Linear → GELU → Dropout → Linear → Dropout, keyed 0..4 (torchvision's MLPBlock). */
export class MLPBlock extends Sequential {
  constructor(inDim: number, mlpDim: number, dropout: number) {
    super(new Linear(inDim, mlpDim), new GELU(), new Dropout(dropout), new Linear(mlpDim, inDim), new Dropout(dropout));
    for (const m of this.modules()) {
      if (m instanceof Linear) {
        xavierUniform_(m.weight);
        if (m.bias) normal_(m.bias, 0, 1e-6);
      }
    }
  }
}

/** Pre-norm transformer block: x + attention(ln_1(x)), then + mlp(ln_2(·)). */
export class EncoderBlock extends Module {
  // Registered explicitly, in torchvision's order, for the keys ln_1 / ln_2 (read as ln1 / ln2).
  declare ln1: Module;
  declare selfAttention: MultiheadAttention;
  declare dropout: Dropout;
  declare ln2: Module;
  declare mlp: MLPBlock;

  constructor(numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number, normLayer: LayerNormFactory) {
    super();
    this.registerModule("ln_1", normLayer(hiddenDim));
    this.registerModule("self_attention", new MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout, batchFirst: true }));
    this.registerModule("dropout", new Dropout(dropout));
    this.registerModule("ln_2", normLayer(hiddenDim));
    this.registerModule("mlp", new MLPBlock(hiddenDim, mlpDim, dropout));
  }

  override forward(input: Tensor): Tensor {
    if (input.ndim !== 3) throw new ShapeError(`Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(", ")}]`);
    let x = this.ln1.forward(input) as Tensor;
    [x] = this.selfAttention.forward(x, x, x, { needWeights: false });
    x = add(this.dropout.forward(x), input);
    const y = this.mlp.forward(this.ln2.forward(x) as Tensor);
    return add(x, y);
  }
}

/** Learned position embeddings, dropout, the blocks, a final norm. */
export class Encoder extends Module {
  posEmbedding: Parameter;
  dropout: Dropout;
  layers: Sequential;
  ln: Module;

  constructor(
    seqLength: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number,
    dropout: number, attentionDropout: number, normLayer: LayerNormFactory,
  ) {
    super();
    this.posEmbedding = new Parameter(normal_(empty([1, seqLength, hiddenDim]), 0, 0.02));
    this.dropout = new Dropout(dropout);
    const layers: Record<string, Module> = {};
    for (let i = 0; i < numLayers; i++) {
      layers[`encoder_layer_${i}`] = new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout, normLayer);
    }
    this.layers = new Sequential(layers);
    this.ln = normLayer(hiddenDim);
  }

  override forward(input: Tensor): Tensor {
    if (input.ndim !== 3) throw new ShapeError(`Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(", ")}]`);
    const x = this.dropout.forward(add(input, this.posEmbedding));
    return this.ln.forward(this.layers.forward(x)) as Tensor;
  }
}

export interface VisionTransformerOptions {
  /** Side of the square input image. */
  imageSize: number;
  /** Side of the square patches; must divide imageSize. */
  patchSize: number;
  numLayers: number;
  numHeads: number;
  hiddenDim: number;
  mlpDim: number;
  /** Dropout after embeddings, attention outputs and MLPs. Default 0. */
  dropout?: number;
  /** Dropout of the attention weights. Default 0. */
  attentionDropout?: number;
  numClasses?: number;
  /** With a size, the head is Linear(hidden, size) → tanh → Linear(size, classes) (pre_logits). */
  representationSize?: number | null;
  normLayer?: LayerNormFactory;
}

/** torchvision.models.VisionTransformer (without the convolutional-stem variant), initialized as torchvision's. */
export class VisionTransformer extends Module {
  readonly imageSize: number;
  readonly patchSize: number;
  readonly hiddenDim: number;
  readonly seqLength: number;
  convProj: Conv2d;
  classToken: Parameter;
  encoder: Encoder;
  heads: Sequential;

  constructor(options: VisionTransformerOptions) {
    super();
    const { imageSize, patchSize, numLayers, numHeads, hiddenDim, mlpDim } = options;
    for (const [name, v] of Object.entries({ imageSize, patchSize, numLayers, numHeads, hiddenDim, mlpDim })) {
      if (!Number.isInteger(v) || v <= 0) throw new ValueError(`VisionTransformer: ${name} must be a positive integer, got ${v}`);
    }
    if (imageSize % patchSize !== 0) throw new ValueError(`Input shape indivisible by patch size! (image ${imageSize}, patch ${patchSize})`);
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.hiddenDim = hiddenDim;
    const normLayer = options.normLayer ?? defaultNorm;
    const dropout = options.dropout ?? 0;
    this.convProj = new Conv2d(3, hiddenDim, patchSize, { stride: patchSize });
    this.classToken = new Parameter(zeros([1, 1, hiddenDim]));
    this.seqLength = (imageSize / patchSize) ** 2 + 1;
    this.encoder = new Encoder(this.seqLength, numLayers, numHeads, hiddenDim, mlpDim, dropout, options.attentionDropout ?? 0, normLayer);

    const numClasses = options.numClasses ?? 1000;
    const rep = options.representationSize ?? null;
    const preLogits = rep === null ? null : new Linear(hiddenDim, rep);
    const head = new Linear(rep ?? hiddenDim, numClasses);
    this.heads = new Sequential(preLogits ? { pre_logits: preLogits, act: new Tanh(), head } : { head });

    const fanIn = 3 * patchSize * patchSize;
    truncNormal_(this.convProj.weight, 0, Math.sqrt(1 / fanIn));
    if (this.convProj.bias) zeros_(this.convProj.bias);
    if (preLogits) {
      truncNormal_(preLogits.weight, 0, Math.sqrt(1 / preLogits.inFeatures));
      if (preLogits.bias) zeros_(preLogits.bias);
    }
    zeros_(head.weight);
    if (head.bias) zeros_(head.bias);
  }

  /** [N, 3, H, W] → [N, (H/p)·(W/p), hidden]. */
  processInput(x: Tensor): Tensor {
    const [n, , h, w] = x.shape;
    if (x.ndim !== 4 || h !== this.imageSize || w !== this.imageSize) {
      throw new ShapeError(`VisionTransformer expects [N, 3, ${this.imageSize}, ${this.imageSize}] images, got [${x.shape.join(", ")}]`);
    }
    const side = this.imageSize / this.patchSize;
    const y = this.convProj.forward(x);
    return permute(reshape(y, [n!, this.hiddenDim, side * side]), [0, 2, 1]);
  }

  override forward(x: Tensor): Tensor {
    const tokens = this.processInput(x);
    const n = tokens.shape[0]!;
    const seq = cat([expand(this.classToken, [n, -1, -1]), tokens], 1);
    const encoded = this.encoder.forward(seq);
    return this.heads.forward(select(encoded, 1, 0));
  }
}

/** Options of the named constructors: the architecture is fixed, the image size may change. */
export type ViTVariantOptions = Partial<Pick<VisionTransformerOptions, "imageSize" | "dropout" | "attentionDropout" | "numClasses" | "representationSize" | "normLayer">>;

function variant(patchSize: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number) {
  return (options: ViTVariantOptions = {}): VisionTransformer =>
    new VisionTransformer({ imageSize: 224, ...options, patchSize, numLayers, numHeads, hiddenDim, mlpDim });
}

export const vit_b_16 = variant(16, 12, 12, 768, 3072);
export const vit_b_32 = variant(32, 12, 12, 768, 3072);
export const vit_l_16 = variant(16, 24, 16, 1024, 4096);
export const vit_l_32 = variant(32, 24, 16, 1024, 4096);
