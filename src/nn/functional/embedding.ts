/** torch.nn.functional.embedding: rows of a weight table picked by integer indices. */
import { isIntegral } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { noGrad } from "../../autograd/grad-mode.ts";
import { ones, zeros } from "../../ops/creation.ts";
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
