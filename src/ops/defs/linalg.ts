/**
 * Linear-algebra primitives: a batched `matmul` and the triangular masks `tril` / `triu`.
 * `mm`, `bmm`, `mv`, `dot`, `outer` and the 1-D cases of `matmul` are thin functions over
 * them, with PyTorch's shape and dtype errors.
 *
 * Note: matmul ranks. The primitive multiplies [..., n, k] by [..., k, m], both at least
 * 2-D, with batch dims broadcast as elementwise ops broadcast. `matmul` reaches every rank
 * case of torch.matmul from it with views: a 1-D left operand gains a leading 1 (removed
 * from the result), a 1-D right operand a trailing 1; an N-D left operand times a matrix is
 * folded into one [rows, k] matrix first, as PyTorch folds it. The vjp then only ever sees
 * the batched case, and the views carry the gradient back through the rest.
 */
import type { DType } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { broadcastShapes, formatShape, numel } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { defineOp, single, type TensorMeta } from "../define-op.ts";
import { mul } from "./binary.ts";
import { sumTo } from "./reduce.ts";

/** PyTorch's matmul kernels take one dtype for both operands and have none for bool. */
function checkOperandDTypes(op: string, a: DType, b: DType): void {
  if (a !== b)
    throw new DTypeError(`${op}: expected both operands to have the same dtype, but found ${a} and ${b}`);
  if (a === "bool") throw new DTypeError(`${op}: not implemented for bool tensors`);
}

function inferMatmul([a, b]: readonly TensorMeta[]): ReturnType<typeof single> {
  checkOperandDTypes("matmul", a!.dtype, b!.dtype);
  if (a!.shape.length < 2 || b!.shape.length < 2)
    throw new ShapeError(`matmul primitive: operands must be at least 2-D, got ${formatShape(a!.shape)} and ${formatShape(b!.shape)}`);
  const [n, k] = a!.shape.slice(-2) as [number, number];
  const [k2, m] = b!.shape.slice(-2) as [number, number];
  if (k !== k2)
    throw new ShapeError(`matmul: shapes ${formatShape(a!.shape)} and ${formatShape(b!.shape)} cannot be multiplied (${n}x${k} and ${k2}x${m})`);
  const batch = broadcastShapes(a!.shape.slice(0, -2), b!.shape.slice(0, -2));
  return single([...batch, n, m], a!.dtype);
}

/** The attributes of tril / triu: which diagonal bounds the kept triangle (0 = the main one). */
export interface TriangleAttrs {
  readonly diagonal: number;
}

function inferTriangle(name: string) {
  return ([x]: readonly TensorMeta[]) => {
    if (x!.shape.length < 2) throw new ShapeError(`${name}: input tensor must have at least 2 dimensions, got ${x!.shape.length}`);
    return single(x!.shape, x!.dtype);
  };
}

export const linalgOps = {
  /** [..., n, k] · [..., k, m] -> [..., n, m], batch dims broadcast (see Note: matmul ranks). */
  matmul: defineOp({
    name: "matmul",
    inputs: ["a", "b"],
    infer: inferMatmul,
    // d(A·B) = dA·B + A·dB, so gA = g·Bᵀ and gB = Aᵀ·g, summed over broadcast batch dims.
    vjp: ([g], { inputs, metas, needsGrad }) => [
      needsGrad[0] ? sumTo(matmul(g!, inputs[1]!.transpose(-1, -2)), metas[0]!.shape) : null,
      needsGrad[1] ? sumTo(matmul(inputs[0]!.transpose(-1, -2), g!), metas[1]!.shape) : null,
    ],
    onnx: { type: "MatMul", sinceOpset: 13 },
  }),
  /** Zeroes the elements above the `diagonal`-th diagonal of the last two dims. */
  tril: defineOp<TriangleAttrs>({
    name: "tril",
    inputs: ["x"],
    infer: inferTriangle("tril"),
    vjp: ([g], { attrs }) => [tril(g!, attrs.diagonal)],
    onnx: { type: "Trilu", sinceOpset: 14, pattern: "Trilu upper=0 with k = diagonal" },
  }),
  /** Zeroes the elements below the `diagonal`-th diagonal of the last two dims. */
  triu: defineOp<TriangleAttrs>({
    name: "triu",
    inputs: ["x"],
    infer: inferTriangle("triu"),
    vjp: ([g], { attrs }) => [triu(g!, attrs.diagonal)],
    onnx: { type: "Trilu", sinceOpset: 14, pattern: "Trilu upper=1 with k = diagonal" },
  }),
};

/**
 * Matrix product with torch.matmul's rank rules: 1-D·1-D is a dot product (0-d result),
 * 2-D·2-D a matrix product, a 1-D operand is treated as a row (left) or column (right)
 * vector whose dim is removed from the result, and N-D operands are batches of matrices
 * whose batch dims broadcast. Both operands must have the same dtype (not bool); integer
 * products are exact modulo the dtype's width, as in PyTorch.
 *
 * ```ts
 * matmul(randn([10, 3, 4]), randn([4, 5])).shape; // [10, 3, 5]
 * matmul(randn([4]), randn([2, 4, 5])).shape;     // [2, 5]
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0)
    throw new ShapeError(`both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  checkOperandDTypes("matmul", a.dtype, b.dtype);
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(-1) : b;
  let out: Tensor;
  if (a2.ndim >= 3 && b2.ndim === 2) {
    // Fold the batch of the left operand into its rows: one matrix product (see Note: matmul ranks).
    const lead = a2.shape.slice(0, -1);
    const k = a2.shape[a2.ndim - 1]!;
    const folded = apply1(linalgOps.matmul, [a2.reshape([numel(lead), k]), b2], {});
    out = folded.reshape([...lead, b2.shape[1]!]);
  } else {
    out = apply1(linalgOps.matmul, [a2, b2], {});
  }
  if (a.ndim === 1 && b.ndim === 1) return out.reshape([]);
  if (a.ndim === 1) return out.squeeze(-2);
  if (b.ndim === 1) return out.squeeze(-1);
  return out;
}

/** Product of two matrices (2-D only; see `matmul` for other ranks). */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2) throw new ShapeError(`mm: self must be a matrix, got a ${a.ndim}-D tensor`);
  if (b.ndim !== 2) throw new ShapeError(`mm: mat2 must be a matrix, got a ${b.ndim}-D tensor`);
  return matmul(a, b);
}

/** Batched matrix product of [b, n, k] and [b, k, m] (3-D only, equal batch sizes, no broadcasting). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3) throw new ShapeError(`bmm: batch1 must be a 3D tensor, got ${a.ndim}-D`);
  if (b.ndim !== 3) throw new ShapeError(`bmm: batch2 must be a 3D tensor, got ${b.ndim}-D`);
  if (b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[2])
    throw new ShapeError(
      `bmm: expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}]`,
    );
  return matmul(a, b);
}

/** Matrix times vector: [n, k] · [k] -> [n]. */
export function mv(a: Tensor, v: Tensor): Tensor {
  if (a.ndim !== 2 || v.ndim !== 1)
    throw new ShapeError(`mv: vector + matrix @ vector expected, got a ${a.ndim}-D matrix and a ${v.ndim}-D vector`);
  if (a.shape[1] !== v.shape[0]) throw new ShapeError(`mv: size mismatch, got ${formatShape(a.shape)} and ${formatShape(v.shape)}`);
  return matmul(a, v);
}

/** Inner product of two 1-D tensors of the same size and dtype (0-d result). */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) throw new ShapeError(`dot: 1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a.dtype !== b.dtype)
    throw new DTypeError(`dot: expected both vectors to have same dtype, but found ${a.dtype} and ${b.dtype}`);
  if (a.shape[0] !== b.shape[0])
    throw new ShapeError(`dot: inconsistent tensor size, expected tensors of the same size, but got ${a.shape[0]} and ${b.shape[0]}`);
  return matmul(a, b);
}

/**
 * Outer product of two 1-D tensors: out[i][j] = a[i]·b[j]. As in PyTorch it is an
 * elementwise product, so dtypes promote and bool is allowed.
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1) throw new ShapeError(`outer: expected 1-D argument self, but got ${a.ndim}-D`);
  if (b.ndim !== 1) throw new ShapeError(`outer: expected 1-D argument vec2, but got ${b.ndim}-D`);
  return mul(a.reshape([a.shape[0]!, 1]), b);
}

function checkDiagonal(name: string, diagonal: number): void {
  if (!Number.isInteger(diagonal)) throw new ValueError(`${name}: diagonal must be an integer, got ${diagonal}`);
}

/**
 * The lower triangle of the last two dims: elements with column − row ≤ `diagonal` are
 * kept, the rest become zero. `tril(x, -1)` also drops the main diagonal.
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  checkDiagonal("tril", diagonal);
  return apply1(linalgOps.tril, [x], { diagonal });
}

/** The upper triangle of the last two dims: elements with column − row ≥ `diagonal` are kept. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  checkDiagonal("triu", diagonal);
  return apply1(linalgOps.triu, [x], { diagonal });
}

export const linalgMethods = { matmul, mm, bmm, mv, dot, outer, tril, triu };

