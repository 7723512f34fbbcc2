/**
 * Reductions: ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare (axes as an
 * attribute before opset 18 — 13 for ReduceSum — and as an input since, with
 * noop_with_empty_axes), ArgMax/ArgMin with select_last_index.
 */
import { isFloating } from "../../../core/dtype.ts";
import { Tensor } from "../../../core/tensor.ts";
import type { OpContext, OpImpl } from "../../../graph/interpreter.ts";
import { full } from "../../../ops/creation.ts";
import { logsumexp, mean } from "../../../ops/composite/reduction.ts";
import { amax, amin, argmax, argmin, prod, reducedShape, sum } from "../../../ops/defs/reduce.ts";
import { flip } from "../../../ops/defs/shape.ts";
import { to } from "../../../ops/views.ts";
import { axesOf } from "./tensor.ts";
import type { OpFamily } from "./table.ts";
import { normAxis, tensorAt } from "./util.ts";

type Reducer = (x: Tensor, dims: number[], keepdim: boolean) => Tensor;

/** Integer sums and products keep the input's type (ONNX), where PyTorch widens to int64. */
const keepType = (f: Reducer): Reducer => (x, dims, keepdim) => to(f(x, dims, keepdim), x.dtype);

const floatMean: Reducer = (x, dims, keepdim) =>
  isFloating(x.dtype) ? mean(x, dims, { keepdim }) : to(mean(x, dims, { keepdim, dtype: "float64" }), x.dtype);

const reducers: Record<string, { f: Reducer; empty: number; inputSince: number }> = {
  ReduceSum: { f: keepType((x, d, k) => sum(x, d, { keepdim: k })), empty: 0, inputSince: 13 },
  ReduceMean: { f: floatMean, empty: NaN, inputSince: 18 },
  ReduceMax: { f: (x, d, k) => amax(x, d, { keepdim: k }), empty: -Infinity, inputSince: 18 },
  ReduceMin: { f: (x, d, k) => amin(x, d, { keepdim: k }), empty: Infinity, inputSince: 18 },
  ReduceProd: { f: keepType((x, d, k) => prod(x, d, { keepdim: k })), empty: 1, inputSince: 18 },
  ReduceL1: { f: keepType((x, d, k) => sum(x.abs(), d, { keepdim: k })), empty: 0, inputSince: 18 },
  ReduceL2: { f: (x, d, k) => to(sum(x.mul(x), d, { keepdim: k }).to(isFloating(x.dtype) ? x.dtype : "float64").sqrt(), x.dtype), empty: 0, inputSince: 18 },
  ReduceLogSum: { f: (x, d, k) => sum(x, d, { keepdim: k }).log(), empty: -Infinity, inputSince: 18 },
  ReduceLogSumExp: { f: (x, d, k) => to(logsumexp(x, d, { keepdim: k }), x.dtype), empty: -Infinity, inputSince: 18 },
  ReduceSumSquare: { f: keepType((x, d, k) => sum(x.mul(x), d, { keepdim: k })), empty: 0, inputSince: 18 },
};

function reduceImpl(name: string): OpImpl {
  const { f, empty, inputSince } = reducers[name]!;
  return (inputs, ctx) => {
    const x = tensorAt(inputs, 0, ctx);
    const keepdim = ctx.attrs.int("keepdims", 1) === 1;
    const axes = axesOf(inputs, ctx, inputSince);
    if ((!axes || axes.length === 0) && ctx.attrs.int("noop_with_empty_axes", 0) === 1) return [x];
    const dims = axes && axes.length > 0 ? axes.map((a) => normAxis(a, x.ndim, ctx)) : x.shape.map((_, i) => i);
    const count = dims.reduce((n, d) => n * x.shape[d]!, 1);
    if (count === 0) {
      // Reducing an empty set gives the reduction's identity (ONNX, opset 18+).
      const value = x.dtype === "bool" ? empty > 0 : isFloating(x.dtype) ? empty : Number.isFinite(empty) ? empty : 0;
      return [full(reducedShape(x.shape, dims, keepdim), value, { dtype: x.dtype })];
    }
    return [f(x, dims, keepdim)];
  };
}

function argImpl(pick: typeof argmax): OpImpl {
  return (inputs, ctx: OpContext) => {
    const x = tensorAt(inputs, 0, ctx);
    const axis = normAxis(ctx.attrs.int("axis", 0), x.ndim, ctx);
    const keepdim = ctx.attrs.int("keepdims", 1) === 1;
    if (ctx.attrs.int("select_last_index", 0) === 1) {
      const n = x.shape[axis]!;
      return [pick(flip(x, axis), axis, { keepdim }).neg().add(n - 1)];
    }
    return [pick(x, axis, { keepdim })];
  };
}

export const reduceOps: OpFamily = {
  ...Object.fromEntries(Object.keys(reducers).map((name) => [name, reduceImpl(name)])),
  ArgMax: argImpl(argmax),
  ArgMin: argImpl(argmin),
};
