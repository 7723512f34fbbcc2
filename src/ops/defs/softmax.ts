/**
 * softmax and logSoftmax along one dim (ONNX Softmax / LogSoftmax, opset 13 semantics: one
 * axis, not the flattened tail). Primitives rather than composites: the kernel shifts by
 * the line's max so exp cannot overflow, and logSoftmax stays finite where log(softmax)
 * would underflow to -inf. They need a floating input, as in PyTorch.
 */
import { isFloating, type DType } from "../../core/dtype.ts";
import { DTypeError } from "../../core/errors.ts";
import { normalizeDim } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { defineOp, single } from "../define-op.ts";
import { sum } from "./reduce.ts";

export interface SoftmaxAttrs {
  readonly dim: number;
}

function softmaxLike(name: "softmax" | "logSoftmax", onnx: "Softmax" | "LogSoftmax") {
  return defineOp<SoftmaxAttrs>({
    name,
    inputs: ["x"],
    infer: ([x]) => {
      if (!isFloating(x!.dtype)) throw new DTypeError(`${name}: expected a floating point input, got ${x!.dtype}`);
      return single(x!.shape, x!.dtype);
    },
    vjp: ([g], { outputs, attrs: { dim } }) => {
      const y = outputs[0]!;
      // softmax: y·(g − Σ g·y); logSoftmax: g − exp(y)·Σ g (PyTorch's _softmax_backward_data).
      if (name === "softmax") return [y.mul(g!.sub(sum(g!.mul(y), dim, { keepdim: true })))];
      return [g!.sub(y.exp().mul(sum(g!, dim, { keepdim: true })))];
    },
    onnx: { type: onnx, sinceOpset: 13 },
  });
}

export const softmaxOps = {
  softmax: softmaxLike("softmax", "Softmax"),
  logSoftmax: softmaxLike("logSoftmax", "LogSoftmax"),
};

export interface SoftmaxOptions {
  /** Convert the input to this dtype first. */
  dtype?: DType;
}

/**
 * exp(x − max) / Σ exp(x − max) along `dim` (the max shift keeps exp from overflowing).
 * `softmax(logits, -1)`.
 */
export function softmax(x: Tensor, dim: number, options: SoftmaxOptions = {}): Tensor {
  const input = options.dtype ? x.to(options.dtype) : x;
  return apply1(softmaxOps.softmax, [input], { dim: normalizeDim(dim, x.ndim) });
}

/** log(softmax(x)) computed stably as (x − max) − log Σ exp(x − max). */
export function logSoftmax(x: Tensor, dim: number, options: SoftmaxOptions = {}): Tensor {
  const input = options.dtype ? x.to(options.dtype) : x;
  return apply1(softmaxOps.logSoftmax, [input], { dim: normalizeDim(dim, x.ndim) });
}
