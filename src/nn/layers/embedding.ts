/** Embedding and EmbeddingBag: lookup tables of learned vectors (torch.nn.Embedding, torch.nn.EmbeddingBag). */
import type { DType } from "../../core/dtype.ts";
import { ShapeError, ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { noGrad } from "../../autograd/grad-mode.ts";
import { empty } from "../../ops/creation.ts";
import { embedding, embeddingBag, normalizePaddingIdx, type EmbeddingBagMode, type EmbeddingOptions } from "../functional/embedding.ts";
import { normal_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { pyFloat } from "./repr.ts";

/**
 * A table weight [numEmbeddings, embeddingDim] ~ N(0, 1) (the `paddingIdx` row zeroed);
 * forward maps integer indices of any shape to their rows.
 *
 * ```ts
 * const emb = new Embedding(10, 3, { paddingIdx: 0 });
 * emb.forward(tensor([[0, 2], [4, 5]])).shape; // [2, 2, 3]
 * ```
 */
export class Embedding extends Module {
  weight: Parameter;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions & { dtype?: DType; weight?: Tensor } = {}) {
    super();
    if (!Number.isInteger(numEmbeddings) || numEmbeddings < 0 || !Number.isInteger(embeddingDim) || embeddingDim < 0)
      throw new ValueError(`Embedding: sizes must be non-negative integers, got ${numEmbeddings} and ${embeddingDim}`);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = normalizePaddingIdx(options.paddingIdx, numEmbeddings);
    this.maxNorm = options.maxNorm ?? null;
    this.normType = options.normType ?? 2;
    if (options.weight) {
      if (options.weight.ndim !== 2 || options.weight.shape[0] !== numEmbeddings || options.weight.shape[1] !== embeddingDim)
        throw new ShapeError("Shape of weight does not match num_embeddings and embedding_dim");
      this.weight = new Parameter(options.weight);
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: options.dtype ?? "float32" }));
      this.resetParameters();
    }
  }

  /**
   * An Embedding over `embeddings` [rows, dim] (sharing its data, not redrawn); frozen
   * (no gradient) unless `freeze` is false.
   */
  static fromPretrained(embeddings: Tensor, options: EmbeddingOptions & { freeze?: boolean } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new ShapeError("Embeddings parameter is expected to be 2-dimensional");
    const emb = new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, { ...options, weight: embeddings });
    emb.weight.requiresGrad = !(options.freeze ?? true);
    return emb;
  }

  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }

  override forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    return s;
  }
}

export interface EmbeddingBagModuleOptions extends EmbeddingOptions {
  /** How each bag's rows are combined (default "mean"). */
  mode?: EmbeddingBagMode;
  /** offsets passed to forward have one more entry, the end of the last bag. */
  includeLastOffset?: boolean;
  dtype?: DType;
  /** Use this table (shared, not redrawn) instead of drawing one. */
  weight?: Tensor;
}

/**
 * Sums, means or maxima of bags of embeddings (torch.nn.EmbeddingBag): weight ~ N(0, 1)
 * with the padding row zeroed; forward takes a 2-D input of fixed-size bags, or a 1-D
 * input with the offsets where bags start.
 *
 * ```ts
 * const bag = new EmbeddingBag(10, 3, { mode: "sum" });
 * bag.forward(tensor([1, 2, 4, 5, 4, 3, 2, 9]), tensor([0, 4])).shape; // [2, 3]
 * ```
 */
export class EmbeddingBag extends Module {
  weight: Parameter;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly mode: EmbeddingBagMode;
  readonly includeLastOffset: boolean;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingBagModuleOptions = {}) {
    super();
    if (!Number.isInteger(numEmbeddings) || numEmbeddings < 0 || !Number.isInteger(embeddingDim) || embeddingDim < 0)
      throw new ValueError(`EmbeddingBag: sizes must be non-negative integers, got ${numEmbeddings} and ${embeddingDim}`);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = normalizePaddingIdx(options.paddingIdx, numEmbeddings);
    this.maxNorm = options.maxNorm ?? null;
    this.normType = options.normType ?? 2;
    this.mode = options.mode ?? "mean";
    this.includeLastOffset = options.includeLastOffset ?? false;
    if (options.weight) {
      if (options.weight.ndim !== 2 || options.weight.shape[0] !== numEmbeddings || options.weight.shape[1] !== embeddingDim)
        throw new ShapeError("Shape of weight does not match num_embeddings and embedding_dim");
      this.weight = new Parameter(options.weight);
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: options.dtype ?? "float32" }));
      this.resetParameters();
    }
  }

  /** An EmbeddingBag over `embeddings` (sharing its data); frozen unless `freeze` is false. */
  static fromPretrained(embeddings: Tensor, options: Omit<EmbeddingBagModuleOptions, "weight" | "dtype"> & { freeze?: boolean } = {}): EmbeddingBag {
    if (embeddings.ndim !== 2) throw new ShapeError("Embeddings parameter is expected to be 2-dimensional");
    const bag = new EmbeddingBag(embeddings.shape[0]!, embeddings.shape[1]!, { ...options, weight: embeddings });
    bag.weight.requiresGrad = !(options.freeze ?? true);
    return bag;
  }

  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }

  override forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return embeddingBag(input, this.weight, {
      offsets, perSampleWeights, mode: this.mode, includeLastOffset: this.includeLastOffset,
      paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    s += `, mode=${this.mode}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
