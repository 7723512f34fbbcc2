/**
 * Scan primitives: cumsum (ONNX CumSum) and cumprod, running along one dim. Like sum and
 * prod they give int64 for integer and bool inputs (`accumulateDType`).
 *
 * The scans run either way (`reverse`, ONNX CumSum's attribute): the vjp of a scan is the
 * scan of the gradient run the other way. `exclusiveCumprod` and `hasZero` also serve
 * prod's vjp (defs/reduce.ts), which must not divide by a zero.
 */
import { accumulateDType, type DType } from "../../core/dtype.ts";
import { inversePermutation, normalizeDim } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { isGradEnabled } from "../../autograd/grad-mode.ts";
import { apply1 } from "../apply.ts";
import { arange, onesLike } from "../creation.ts";
import { defineOp, single, type Inference, type TensorMeta } from "../define-op.ts";

/** cumsum/cumprod; `reverse` scans from the end (ONNX CumSum's attribute; the vjp needs it). */
export interface ScanAttrs {
  readonly dim: number;
  readonly reverse: boolean;
  readonly dtype?: DType;
}

function scan(op: "cumsum" | "cumprod", x: Tensor, dim: number, reverse: boolean): Tensor {
  return apply1(scanOps[op], [x], { dim, reverse });
}

/** Whether some element of x is zero (then the product vjps cannot divide by x). */
export const hasZero = (x: Tensor): boolean => x.size > 0 && x.eq(0).sum().item() !== 0n;

/** cumprod of `x` shifted by one along `dim` with 1 coming in: element i is the product of the elements before i. */
export function exclusiveCumprod(x: Tensor, dim: number, reverse: boolean): Tensor {
  const n = x.shape[dim]!;
  const ones = onesLike(x);
  if (n <= 1) return ones;
  const shifted = reverse
    ? ones.sliceScatter(x.slice(dim, 1, n), { dim, start: 0, end: n - 1, step: 1 })
    : ones.sliceScatter(x.slice(dim, 0, n - 1), { dim, start: 1, end: n, step: 1 });
  return scan("cumprod", shifted, dim, reverse);
}

/**
 * The cumprod vjp. Without zeros: reversed cumsum of g·out, divided by x. With zeros
 * (PyTorch's cumprod_backward): elements before the first zero of their line use that
 * formula; the first zero gets (product before it) · Σ_{j≥z} g_j · Π_{z<k≤j} x_k; elements
 * after it get 0, since every product through them contains that zero.
 */
function cumprodBackward(g: Tensor, x: Tensor, out: Tensor, dim: number, reverse: boolean): Tensor {
  if (!hasZero(x)) return scan("cumsum", g.mul(out), dim, !reverse).div(x);
  if (isGradEnabled()) return cumprodBackwardByPairs(g, x, dim, reverse);
  const isZero = x.eq(0);
  const zerosSoFar = scan("cumsum", isZero, dim, reverse);
  const before = zerosSoFar.eq(0);
  const first = isZero.logicalAnd(zerosSoFar.eq(1));
  const fromFirst = zerosSoFar.ge(1);
  const beforeTerm = scan("cumsum", g.mul(out), dim, !reverse).div(x.where(before, 1)).where(before, 0);
  const afterFirst = scan("cumprod", x.where(fromFirst.logicalAnd(first.logicalNot()), 1), dim, reverse);
  const tail = g.mul(afterFirst).where(fromFirst, 0).sum(dim, { keepdim: true });
  const head = x.where(before, 1).prod(dim, { keepdim: true });
  return beforeTerm.add(head.mul(tail).where(first, 0));
}

/**
 * The cumprod vjp written so that it is itself differentiable where x has zeros (used when
 * the backward is being recorded, as PyTorch's cumprod_backward under GradMode): for each
 * line, grad_i = (Π of the elements before i) · Σ_{j≥i} g_j · Π_{i<k≤j} x_k, with the
 * inner products taken by a cumprod over an n × n (i, k) grid. O(n²) per line.
 */
function cumprodBackwardByPairs(g: Tensor, x: Tensor, dim: number, reverse: boolean): Tensor {
  if (x.ndim === 0 || x.size === 0) return g;
  const n = x.shape[dim]!;
  const order = [...x.shape.map((_, d) => d).filter((d) => d !== dim), dim];
  const lines = x.permute(order);
  const last = lines.ndim - 1;
  const i = arange(n).reshape([n, 1]);
  const k = arange(n).reshape([1, n]);
  // k comes strictly after i in scan order; j comes at or after i.
  const after = reverse ? k.lt(i) : k.gt(i);
  const atOrAfter = reverse ? k.le(i) : k.ge(i);
  const grid = lines.unsqueeze(-2).expand([...lines.shape.slice(0, -1), n, n]); // grid[…, i, k] = x_k
  const between = scan("cumprod", grid.where(after, 1), last + 1, reverse);
  const tail = between.mul(g.permute(order).unsqueeze(-2)).where(atOrAfter, 0).sum(-1);
  return exclusiveCumprod(lines, last, reverse).mul(tail).permute(inversePermutation(order));
}

/** The input's shape in the accumulation dtype, the input converted to it first. */
function inferScan([x]: readonly TensorMeta[], attrs: ScanAttrs): Inference {
  const dtype = accumulateDType(x!.dtype, attrs.dtype);
  return single(x!.shape, dtype, [dtype]);
}

export const scanOps = {
  cumsum: defineOp<ScanAttrs>({
    name: "cumsum",
    inputs: ["x"],
    infer: inferScan,
    // Each input element feeds every later output: the gradient is the cumsum of g run the other way.
    vjp: ([g], { attrs }) => [scan("cumsum", g!, attrs.dim, !attrs.reverse)],
    onnx: { type: "CumSum", sinceOpset: 11 },
  }),
  cumprod: defineOp<ScanAttrs>({
    name: "cumprod",
    inputs: ["x"],
    infer: inferScan,
    vjp: ([g], { inputs, outputs, attrs }) => [cumprodBackward(g!, inputs[0]!, outputs[0]!, attrs.dim, attrs.reverse)],
    // ONNX has no CumProd: a Loop along the axis carrying the running product.
    onnx: { type: "Loop", sinceOpset: 11, pattern: "Loop over the axis multiplying a running product (no ONNX CumProd)" },
  }),
};

export interface ScanOptions {
  /** Convert the input to this dtype first (integers otherwise scan in int64). */
  dtype?: DType;
}

/** Running sums along `dim`: out[i] = x[0] + … + x[i]. `cumsum(tensor([1, 2, 3]), 0)` is `[1, 3, 6]`. */
export function cumsum(x: Tensor, dim: number, options: ScanOptions = {}): Tensor {
  return apply1(scanOps.cumsum, [x], { dim: normalizeDim(dim, x.ndim), reverse: false, ...(options.dtype ? { dtype: options.dtype } : {}) });
}

/** Running products along `dim`: out[i] = x[0] · … · x[i]. */
export function cumprod(x: Tensor, dim: number, options: ScanOptions = {}): Tensor {
  return apply1(scanOps.cumprod, [x], { dim: normalizeDim(dim, x.ndim), reverse: false, ...(options.dtype ? { dtype: options.dtype } : {}) });
}
