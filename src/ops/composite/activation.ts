/**
 * Activation functions written with primitives, so that gradients of every order come
 * from the primitives' vjps. Each follows PyTorch's CPU kernel (forward formula, operation
 * order) and reproduces its backward at the break points with `where`: the branch a
 * point belongs to decides both its value and its gradient.
 *
 * Note: safe branches. `where(c, a, b)` passes a zero gradient to the branch it did not
 * pick, but that branch's own backward still runs: 0 · ∞ is nan. So a branch that can
 * overflow where it is not picked (exp of a large x) is fed a harmless input there, e.g.
 * `x.where(x.le(0), 0)` before `expm1` in elu.
 */
import { isFloating } from "../../core/dtype.ts";
import { DTypeError, ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { where } from "../defs/binary.ts";
import { inOpmath } from "./pointwise.ts";

/**
 * Runs `f` on x after checking it is floating (PyTorch has no integer kernel for these),
 * in float32 for half types (see Note: half precision in composites, in pointwise.ts).
 */
function floating(op: string, x: Tensor, f: (x: Tensor) => Tensor): Tensor {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: expected a floating-point tensor, got ${x.dtype}`);
  return inOpmath(x.dtype, [x], f);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/**
 * GELU: x·Φ(x) = x/2 · (1 + erf(x/√2)); with `approximate: "tanh"`,
 * x/2 · (1 + tanh(√(2/π) · (x + 0.044715·x³))).
 */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (approximate !== "none" && approximate !== "tanh")
    throw new ValueError(`gelu: approximate argument must be either "none" or "tanh", got "${String(approximate)}"`);
  return floating("gelu", x, (x) => {
    if (approximate === "none") return x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1));
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI);
    return x.mul(0.5).mul(inner.tanh().add(1));
  });
}

/** SiLU (swish): x·sigmoid(x). */
export function silu(x: Tensor): Tensor {
  return floating("silu", x, (x) => x.mul(x.sigmoid()));
}

/**
 * Softplus: log(1 + e^(βx)) / β, and x itself where βx > threshold (PyTorch's linear
 * cut-off, which also sets the gradient there to exactly 1).
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return floating("softplus", x, (x) => {
    const scaled = beta === 1 ? x : x.mul(beta);
    const linear = scaled.gt(threshold);
    // See Note: safe branches — e^(βx) would overflow where the linear branch is picked.
    const safe = scaled.where(linear.logicalNot(), 0);
    const soft = beta === 1 ? safe.exp().log1p() : safe.exp().log1p().div(beta);
    return where(linear, x, soft);
  });
}

/** The negative branch α·(e^x − 1) of elu/selu, fed 0 where x > 0 (see Note: safe branches). */
function eluNegative(x: Tensor, negative: Tensor, coefficient: number): Tensor {
  return x.where(negative, 0).expm1().mul(coefficient);
}

/** ELU: x for x > 0, α·(e^x − 1) for x ≤ 0 (so the gradient at 0 is α, as in PyTorch). */
export function elu(x: Tensor, alpha = 1): Tensor {
  return floating("elu", x, (x) => {
    const negative = x.le(0);
    return where(negative, eluNegative(x, negative, alpha), x);
  });
}

/** SELU: scale·elu(x, α) with the self-normalizing constants α ≈ 1.6733, scale ≈ 1.0507. */
export function selu(x: Tensor): Tensor {
  return floating("selu", x, (x) => {
    const negative = x.le(0);
    return where(negative, eluNegative(x, negative, SELU_ALPHA * SELU_SCALE), x.mul(SELU_SCALE));
  });
}

/** Leaky ReLU: x for x > 0, negativeSlope·x otherwise (the gradient at 0 is negativeSlope). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return floating("leakyRelu", x, (x) => where(x.gt(0), x, x.mul(negativeSlope)));
}

/**
 * HardTanh: x clamped to [min, max]. As PyTorch's hardtanh_backward, the gradient is 0 at
 * the bounds themselves (clamp's passes there) and passes at nan. When min > max every
 * number becomes max, as clamp gives. Integer tensors are clamped (no gradient to keep).
 */
export function hardtanh(x: Tensor, min = -1, max = 1): Tensor {
  if (!isFloating(x.dtype)) return x.clamp(min, max);
  const lo = Math.min(min, max);
  return where(x.ge(max), max, where(x.le(lo), lo, x));
}

/** ReLU6: min(max(x, 0), 6), which is hardtanh(x, 0, 6) — gradient 0 at 0 and at 6. */
export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

/**
 * HardSwish: x · min(max(x + 3, 0), 6) / 6. The gradient follows PyTorch's
 * hardswish_backward: 0 below −3, x/3 + 1/2 on [−3, 3] (so −1/2 at −3 and 3/2 at 3), 1 above.
 */
export function hardswish(x: Tensor): Tensor {
  return floating("hardswish", x, (x) => {
    const shifted = where(x.lt(-3), 0, where(x.le(3), x.add(3), 6));
    return x.mul(shifted).div(6);
  });
}

/**
 * HardSigmoid: min(max(x + 3, 0), 6) / 6. The gradient is 1/6 strictly inside (−3, 3) and 0
 * elsewhere, at ±3 and at nan too (PyTorch's hardsigmoid_backward).
 */
export function hardsigmoid(x: Tensor): Tensor {
  return floating("hardsigmoid", x, (x) => {
    const inside = x.gt(-3).logicalAnd(x.lt(3));
    // Outside: the constants 0 and 1, and for nan x·0 — nan in value, 0 in gradient.
    const outside = where(x.le(-3), 0, where(x.ge(3), 1, x.mul(0)));
    return where(inside, x.add(3).div(6), outside);
  });
}

/** Mish: x · tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return floating("mish", x, (x) => x.mul(softplus(x).tanh()));
}

/**
 * log(sigmoid(x)), computed stably as min(x, 0) − log(1 + e^(−|x|)) like PyTorch. −|x| is
 * taken as −x at 0, which gives the gradient 1/2 there.
 */
export function logSigmoid(x: Tensor): Tensor {
  return floating("logSigmoid", x, (x) => {
    const negative = x.lt(0);
    const negAbs = where(negative, x, x.neg());
    return where(negative, x, 0).sub(negAbs.exp().log1p());
  });
}

export const activationMethods = {
  gelu, silu, softplus, elu, selu, leakyRelu, hardtanh, relu6, hardswish, hardsigmoid, mish, logSigmoid,
};
