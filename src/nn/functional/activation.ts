/**
 * torch.nn.functional's activations. Most are the ops' (unary relu, sigmoid, tanh; the
 * composites of src/ops/composite/activation.ts; softmax and logSoftmax); the ones written
 * here (celu, softsign, tanhshrink, softshrink, hardshrink, threshold, prelu, softmin, glu)
 * follow PyTorch's CPU kernels, including which branch a break point belongs to, which
 * decides its gradient there.
 */
import { isFloating } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { where } from "../../ops/defs/binary.ts";
import { softmax, type SoftmaxOptions } from "../../ops/defs/softmax.ts";
import { inOpmath } from "../../ops/composite/pointwise.ts";

export { relu, sigmoid, tanh } from "../../ops/defs/unary.ts";
export {
  gelu, silu, softplus, elu, selu, leakyRelu, hardtanh, relu6, hardswish, hardsigmoid, mish, logSigmoid,
} from "../../ops/composite/activation.ts";
export { softmax, logSoftmax, type SoftmaxOptions } from "../../ops/defs/softmax.ts";

function floating(op: string, x: Tensor, f: (x: Tensor) => Tensor): Tensor {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: expected a floating-point tensor, got ${x.dtype}`);
  return inOpmath(x.dtype, [x], f);
}

/** CELU: x for x > 0, α·(e^(x/α) − 1) otherwise (PyTorch's elu with input scale 1/α). */
export function celu(x: Tensor, alpha = 1): Tensor {
  if (alpha === 0) throw new ValueError("ZeroDivisionError: alpha cannot be 0 for CELU");
  return floating("celu", x, (x) => {
    const negative = x.le(0);
    // Fed 0 where positive, so exp cannot overflow in the unpicked branch (Note: safe branches).
    const exp = x.where(negative, 0).mul(1 / alpha).expm1().mul(alpha);
    return where(negative, exp, x);
  });
}

/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return floating("softsign", x, (x) => x.div(x.abs().add(1)));
}

/** x − tanh(x). */
export function tanhshrink(x: Tensor): Tensor {
  return floating("tanhshrink", x, (x) => x.sub(x.tanh()));
}

function checkLambda(lambd: number): void {
  if (!(lambd >= 0)) throw new ValueError(`lambda must be greater or equal to 0, but found to be ${lambd}.`);
}

/** x − λ above λ, x + λ below −λ, 0 between (gradient 1 outside [−λ, λ], 0 inside). */
export function softshrink(x: Tensor, lambd = 0.5): Tensor {
  checkLambda(lambd);
  return floating("softshrink", x, (x) => where(x.gt(lambd), x.sub(lambd), where(x.lt(-lambd), x.add(lambd), 0)));
}

/** x where |x| > λ, else 0 (PyTorch: 0 on the closed interval [−λ, λ]). */
export function hardshrink(x: Tensor, lambd = 0.5): Tensor {
  checkLambda(lambd);
  return floating("hardshrink", x, (x) => where(x.ge(-lambd).logicalAnd(x.le(lambd)), 0, x));
}

/** `value` where x ≤ threshold, else x (nan stays nan, as PyTorch's kernel compares x ≤ threshold). */
export function threshold(x: Tensor, threshold: number, value: number): Tensor {
  return where(x.le(threshold), value, x);
}

/**
 * PReLU: x for x > 0, weight·x otherwise, with one weight or one per channel (dim 1 of
 * inputs with 2 or more dims).
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  if (!isFloating(x.dtype)) throw new DTypeError(`prelu: expected a floating-point tensor, got ${x.dtype}`);
  const channels = x.ndim >= 2 ? x.shape[1]! : 1;
  if (weight.size !== 1 && weight.size !== channels)
    throw new ShapeError(`Mismatch of parameter numbers and input channel size. Found parameter numbers = ${weight.size} and channel size = ${channels}.`);
  const w = weight.size === 1 ? weight.reshape([]) : weight.reshape([channels, ...x.shape.slice(2).map(() => 1)]);
  return where(x.gt(0), x, x.mul(w));
}

/** softmax(−x) along `dim`. */
export function softmin(x: Tensor, dim: number, options: SoftmaxOptions = {}): Tensor {
  const input = options.dtype ? x.to(options.dtype) : x;
  return softmax(input.neg(), dim);
}

/** Gated linear unit: the first half of `dim` times the sigmoid of the second half. */
export function glu(x: Tensor, dim = -1): Tensor {
  const d = dim < 0 ? dim + x.ndim : dim;
  const size = x.shape[d];
  if (size === undefined || size % 2 !== 0)
    throw new ShapeError(`glu: Halving dimension must be even, but dimension ${dim} is size ${size ?? "(none)"} in ${formatShape(x.shape)}`);
  const half = size / 2;
  return x.narrow(d, 0, half).mul(x.narrow(d, half, half).sigmoid());
}
