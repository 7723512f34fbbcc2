/**
 * Linear algebra and along-an-axis operators: MatMul, Gemm, Einsum, Trilu, CumSum,
 * CumProd, TopK, Softmax/LogSoftmax/Hardmax (2-D coercion before opset 13), Det.
 */
import { isFloating } from "../../../core/dtype.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext, OpImpl } from "../../../graph/interpreter.ts";
import { tensor } from "../../../ops/creation.ts";
import { einsum } from "../../../ops/composite/einsum.ts";
import { oneHot } from "../../../ops/composite/indexing.ts";
import { matmul, tril, triu } from "../../../ops/defs/linalg.ts";
import { argmax } from "../../../ops/defs/reduce.ts";
import { cumprod, cumsum } from "../../../ops/defs/scan.ts";
import { cat, flip } from "../../../ops/defs/shape.ts";
import { logSoftmax, softmax } from "../../../ops/defs/softmax.ts";
import { topk } from "../../../ops/defs/sort.ts";
import { reshape, to, transpose } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { intValues, invalid, normAxis, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

function gemm(inputs: Inputs, ctx: OpContext): Tensor[] {
  let a = tensorAt(inputs, 0, ctx);
  let b = tensorAt(inputs, 1, ctx);
  if (ctx.attrs.int("transA", 0)) a = transpose(a, 0, 1);
  if (ctx.attrs.int("transB", 0)) b = transpose(b, 0, 1);
  const alpha = ctx.attrs.float("alpha", 1);
  const beta = ctx.attrs.float("beta", 1);
  let y = matmul(a, b);
  if (alpha !== 1) y = y.mul(alpha);
  const c = optionalTensorAt(inputs, 2, ctx);
  if (c && beta !== 0) y = y.add(beta === 1 ? c : c.mul(beta));
  return [to(y, a.dtype)];
}

/** Softmax-like ops: along `axis` (opset 13+), or over the 2-D coercion [prod(d<axis), prod(d>=axis)] before. */
function alongAxis(f: (x: Tensor, dim: number) => Tensor): OpImpl {
  return (inputs, ctx) => {
    const x = tensorAt(inputs, 0, ctx);
    if (ctx.opset >= 13) return [f(x, normAxis(ctx.attrs.int("axis", -1), x.ndim, ctx))];
    const axis = normAxis(ctx.attrs.int("axis", 1), x.ndim, ctx);
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    return [reshape(f(reshape(x, [outer, x.size / Math.max(outer, 1)]), 1), x.shape)];
  };
}

function hardmax(x: Tensor, dim: number): Tensor {
  const n = x.shape[dim]!;
  const idx = argmax(x, dim, { keepdim: true });
  const hot = oneHot(idx, n).to(x.dtype);
  // oneHot appends the class axis; move it to `dim` (its size-1 slot is squeezed away).
  return transpose(hot, dim, -1).squeeze(-1);
}

function cumulative(f: typeof cumsum): OpImpl {
  return (inputs, ctx) => {
    const x = tensorAt(inputs, 0, ctx);
    const axis = normAxis(intValues(tensorAt(inputs, 1, ctx))[0]!, x.ndim, ctx);
    const reverse = ctx.attrs.int("reverse", 0) === 1;
    const exclusive = ctx.attrs.int("exclusive", 0) === 1;
    let y = reverse ? flip(x, axis) : x;
    y = to(f(y, axis), x.dtype);
    if (exclusive) {
      // Shift by one along the axis, the identity (0 for sums, 1 for products) first.
      const identity = f === cumsum ? 0 : 1;
      const first = y.narrow(axis, 0, Math.min(1, y.shape[axis]!)).mul(0).add(identity).to(x.dtype);
      y = y.shape[axis]! === 0 ? y : cat([first, y.narrow(axis, 0, y.shape[axis]! - 1)], axis);
    }
    return [reverse ? flip(y, axis) : y];
  };
}

function topK(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const k = ctx.opset < 10 ? ctx.attrs.int("k", 1) : intValues(tensorAt(inputs, 1, ctx))[0]!;
  const axis = normAxis(ctx.attrs.int("axis", -1), x.ndim, ctx);
  if (k < 0 || k > x.shape[axis]!) throw invalid(ctx, `k = ${k} is out of range for axis ${axis} of size ${x.shape[axis]}`);
  const largest = ctx.attrs.int("largest", 1) === 1;
  return topk(x, k, { dim: axis, largest });
}

function trilu(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const kt = optionalTensorAt(inputs, 1, ctx);
  const k = kt ? intValues(kt)[0]! : 0;
  return [ctx.attrs.int("upper", 1) ? triu(x, k) : tril(x, k)];
}

function det(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  if (!isFloating(x.dtype)) throw invalid(ctx, "Det needs floating input");
  return [determinant(x)];
}

/** Determinants of the trailing square matrices, by Gaussian elimination with partial pivoting (float64 on the host). */
function determinant(x: Tensor): Tensor {
  const n = x.shape[x.ndim - 1]!;
  const batch = x.shape.slice(0, -2);
  const values = Float64Array.from(to(x, "float64").contiguous().dataSync() as Float64Array);
  const count = values.length / (n * n || 1);
  const out = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    const m = values.subarray(b * n * n, (b + 1) * n * n);
    let d = 1;
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[p * n + c]!)) p = r;
      if (m[p * n + c] === 0) {
        d = 0;
        break;
      }
      if (p !== c) {
        for (let j = 0; j < n; j++) [m[c * n + j], m[p * n + j]] = [m[p * n + j]!, m[c * n + j]!];
        d = -d;
      }
      d *= m[c * n + c]!;
      for (let r = c + 1; r < n; r++) {
        const f = m[r * n + c]! / m[c * n + c]!;
        for (let j = c; j < n; j++) m[r * n + j]! -= f * m[c * n + j]!;
      }
    }
    out[b] = d;
  }
  return to(tensor(out, { shape: batch }), x.dtype);
}

export const mathOps: OpFamily = {
  MatMul: (inputs, ctx) => [matmul(tensorAt(inputs, 0, ctx), tensorAt(inputs, 1, ctx))],
  Gemm: gemm,
  Einsum: (inputs, ctx) => [einsum(ctx.attrs.string("equation", ""), ...inputs.map((_, i) => tensorAt(inputs, i, ctx)))],
  Softmax: alongAxis((x, d) => softmax(x, d)),
  LogSoftmax: alongAxis((x, d) => logSoftmax(x, d)),
  Hardmax: alongAxis(hardmax),
  CumSum: cumulative(cumsum),
  CumProd: cumulative(cumprod),
  TopK: topK,
  Trilu: trilu,
  Det: det,
};
