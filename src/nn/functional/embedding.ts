/** torch.nn.functional.embedding and embedding_bag: rows of a weight table picked by integer indices. */
import { isIntegral } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape, shapesEqual } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { noGrad } from "../../autograd/grad-mode.ts";
import { arange, ones, tensor, zeros } from "../../ops/creation.ts";
import { where } from "../../ops/defs/binary.ts";

export interface EmbeddingOptions {
  /** Index whose row gets no gradient (a negative index counts from the end). */
  paddingIdx?: number | null;
  /** Rows looked up with a larger norm are first rescaled in place to this norm. */
  maxNorm?: number | null;
  /** The p of the norm for maxNorm (default 2). */
  normType?: number;
}

/** A padding index in [0, rows), from a possibly negative one. */
export function normalizePaddingIdx(paddingIdx: number | null | undefined, rows: number): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= rows || paddingIdx < -rows) throw new ValueError("Padding_idx must be within num_embeddings");
  return paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
}

/**
 * Rescales, in place and without gradient, each row of `weight` that `indices` refer to
 * and whose p-norm exceeds maxNorm, by maxNorm/(norm + 1e−7) (PyTorch's embedding_renorm_).
 */
export function embeddingRenorm_(weight: Tensor, indices: Tensor, maxNorm: number, normType = 2): Tensor {
  noGrad(() => {
    const rows = weight.shape[0]!;
    const flat = indices.reshape([-1]).to("int64");
    const referenced = zeros([rows], { dtype: weight.dtype }).indexAdd(0, flat, ones([flat.size], { dtype: weight.dtype })).gt(0);
    const norms = weight.norm(normType, 1);
    const scale = where(referenced.logicalAnd(norms.gt(maxNorm)), norms.add(1e-7).reciprocal().mul(maxNorm), 1);
    weight.copy_(weight.mul(scale.unsqueeze(1)));
  });
  return weight;
}

/**
 * out[..., :] = weight[input[...], :]: input integer indices of any shape, weight [rows,
 * dim], out [...input.shape, dim]. The row at `paddingIdx` gets no gradient; with `maxNorm`,
 * looked-up rows are renormalized in place first.
 *
 * ```ts
 * embedding(tensor([[1, 2], [0, 3]]), randn([10, 4])).shape; // [2, 2, 4]
 * ```
 */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (!isIntegral(input.dtype)) throw new DTypeError(`embedding: expected the indices to be an integer tensor (int64 or int32), got ${input.dtype}`);
  if (weight.ndim !== 2) throw new ShapeError(`embedding: 'weight' must be 2-D, got ${formatShape(weight.shape)}`);
  const paddingIdx = normalizePaddingIdx(options.paddingIdx, weight.shape[0]!);
  if (options.maxNorm !== null && options.maxNorm !== undefined) embeddingRenorm_(weight, input, options.maxNorm, options.normType ?? 2);
  const rows = weight.indexSelect(0, input.reshape([-1])).reshape([...input.shape, weight.shape[1]!]);
  if (paddingIdx === null) return rows;
  // Same values, but the padding positions take theirs from a detached copy: no gradient.
  return where(input.eq(paddingIdx).unsqueeze(-1), rows.detach(), rows);
}

export type EmbeddingBagMode = "sum" | "mean" | "max";

export interface EmbeddingBagOptions extends EmbeddingOptions {
  /** Start of each bag in a 1-D input (required for 1-D input, not allowed for 2-D). */
  offsets?: Tensor | null;
  /** How each bag's rows are combined (default "mean"). */
  mode?: EmbeddingBagMode;
  /** One weight per index, multiplying its row (mode "sum" only). */
  perSampleWeights?: Tensor | null;
  /** offsets has one more entry, the end of the last bag. */
  includeLastOffset?: boolean;
}

/** The bag of each of the n indices, from PyTorch's offsets (read from the tensor). */
function bagIndex(offsets: Tensor, n: number, includeLastOffset: boolean): { bags: number; index: Tensor } {
  if (offsets.ndim !== 1) throw new ShapeError(`offsets has to be a 1D Tensor, but got Tensor of dimension ${offsets.ndim}`);
  if (!isIntegral(offsets.dtype)) throw new DTypeError(`embedding_bag: offsets must be an integer tensor, got ${offsets.dtype}`);
  const starts = Array.from(offsets.to("int64").dataSync() as BigInt64Array, Number);
  const bags = includeLastOffset ? starts.length - 1 : starts.length;
  if (bags < 0) throw new ShapeError("embedding_bag: include_last_offset needs at least one offset");
  if (starts.length > 0 && starts[0] !== 0)
    throw new ValueError(`offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got ${starts[0]}`);
  const bagOf = new BigInt64Array(n);
  for (let b = 0; b < bags; b++) {
    const end = b + 1 < starts.length ? starts[b + 1]! : n;
    if (end < starts[b]! || end > n)
      throw new ValueError(`embedding_bag: offsets must be non-decreasing and at most the number of indices (${n}), got [${starts.join(", ")}]`);
    bagOf.fill(BigInt(b), starts[b]!, end);
  }
  return { bags, index: tensor(bagOf) };
}

/**
 * Sums, means or maxima of bags of embedding rows without materializing the rows per bag
 * (`torch.nn.functional.embedding_bag`): a 2-D input [B, N] is B bags of N indices; a 1-D
 * input is cut into bags at `offsets`. Indices equal to `paddingIdx` are left out of
 * their bag (and of its count); an empty bag gives zeros. The offsets are read on the CPU.
 *
 * ```ts
 * embeddingBag(tensor([1, 2, 4, 5, 4, 3]), weight, { offsets: tensor([0, 2]), mode: "sum" }).shape; // [2, dim]
 * ```
 */
export function embeddingBag(input: Tensor, weight: Tensor, options: EmbeddingBagOptions = {}): Tensor {
  const mode = options.mode ?? "mean";
  if (mode !== "sum" && mode !== "mean" && mode !== "max") throw new ValueError(`mode has to be one of sum, mean or max, got ${String(mode)}`);
  if (!isIntegral(input.dtype)) throw new DTypeError(`embedding_bag: expected the indices to be an integer tensor, got ${input.dtype}`);
  if (weight.ndim !== 2) throw new ShapeError(`embedding_bag: 'weight' must be 2-D, got ${formatShape(weight.shape)}`);
  const psw = options.perSampleWeights ?? null;
  if (psw && mode !== "sum")
    throw new ValueError(`embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}').`);
  if (psw && !shapesEqual(psw.shape, input.shape))
    throw new ShapeError(`embedding_bag: If per_sample_weights (${formatShape(psw.shape)}) is not None, then it must have the same shape as the input (${formatShape(input.shape)})`);
  let offsets = options.offsets ?? null;
  if (input.ndim === 2) {
    if (offsets) throw new ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences.");
    const [b, n] = input.shape as [number, number];
    offsets = arange(0, b * n, Math.max(n, 1), { dtype: "int64" }).narrow(0, 0, b);
  } else if (input.ndim === 1) {
    if (!offsets) throw new ValueError("offsets has to be a 1D Tensor but got None");
  } else {
    throw new ShapeError(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.ndim}`);
  }
  const paddingIdx = normalizePaddingIdx(options.paddingIdx, weight.shape[0]!);
  const flat = input.reshape([-1]).to("int64");
  if (options.maxNorm !== null && options.maxNorm !== undefined) embeddingRenorm_(weight, flat, options.maxNorm, options.normType ?? 2);
  const { bags, index } = bagIndex(offsets, flat.size, input.ndim === 1 && (options.includeLastOffset ?? false));
  const dim = weight.shape[1]!;
  let rows = weight.indexSelect(0, flat);
  if (psw) rows = rows.mul(psw.reshape([-1, 1]));
  const kept = paddingIdx === null ? null : flat.ne(paddingIdx).unsqueeze(1);
  const counts = zeros([bags], { dtype: weight.dtype }).indexAdd(0, index, kept ? kept.squeeze(1).to(weight.dtype) : ones([flat.size], { dtype: weight.dtype }));
  if (mode === "max") {
    const candidates = kept ? where(kept, rows, -Infinity) : rows;
    const maxima = zeros([bags, dim], { dtype: weight.dtype }).scatterReduce(0, index.unsqueeze(1).expand([flat.size, dim]), candidates, "amax", { includeSelf: false });
    return where(counts.gt(0).unsqueeze(1), maxima, 0);
  }
  const sums = zeros([bags, dim], { dtype: weight.dtype }).indexAdd(0, index, kept ? where(kept, rows, 0) : rows);
  return mode === "sum" ? sums : sums.div(counts.clamp(1).unsqueeze(1));
}
