/**
 * Pointwise ops written with primitives: lerp, addcmul, addcdiv, frac, isfinite. Each
 * computes what PyTorch's kernel computes, in the same order, so values agree to rounding
 * and gradients come from the primitives.
 */
import { isFloating, resultType, type DType } from "../../core/dtype.ts";
import { DTypeError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { where } from "../defs/binary.ts";

/**
 * Note: half precision in composites. PyTorch computes float16/bfloat16 pointwise ops in
 * float32 (its "opmath" type) and rounds once at the end; a composite that rounded after
 * every primitive would lose several bits. So composites run half-precision inputs in
 * float32 and cast the result back. The casts carry the gradient, which is then rounded once
 * too, as PyTorch's backward kernels do. `inOpmath(dtype, inputs, f)` runs f on the inputs
 * converted to `dtype`, or to float32 when `dtype` is a half type.
 */
export function inOpmath(dtype: DType, inputs: readonly Tensor[], f: (...xs: Tensor[]) => Tensor): Tensor {
  if (dtype !== "float16" && dtype !== "bfloat16") return f(...inputs.map((t) => t.to(dtype)));
  return f(...inputs.map((t) => t.to("float32"))).to(dtype);
}

function requireFloating(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: expected a floating-point tensor, got ${x.dtype}`);
}

/**
 * Linear interpolation start + weight·(end − start), `weight` a number or a tensor (all
 * three broadcast). As PyTorch (1.13) does, for weight ≥ 0.5 it is computed from the other
 * end, end − (end − start)·(1 − weight), so that weight 1 gives exactly `end`. start, end
 * and a tensor weight must share one floating dtype. (PyTorch fuses each branch's
 * multiply-add; here the product is rounded first, a difference of rounding only.)
 *
 * ```ts
 * lerp(a, b, 0.25); // a + 0.25·(b − a)
 * ```
 */
export function lerp(start: Tensor, end: Tensor, weight: Tensor | number): Tensor {
  requireFloating("lerp", start);
  if (end.dtype !== start.dtype) throw new DTypeError(`lerp: expected dtype ${start.dtype} for end but got dtype ${end.dtype}`);
  if (typeof weight === "number") {
    return inOpmath(start.dtype, [start, end], (a, b) => {
      const diff = b!.sub(a!);
      return weight < 0.5 ? a!.add(diff.mul(weight)) : b!.sub(diff.mul(1 - weight));
    });
  }
  if (weight.dtype !== start.dtype) throw new DTypeError(`lerp: expected dtype ${start.dtype} for weight but got dtype ${weight.dtype}`);
  return inOpmath(start.dtype, [start, end, weight], (a, b, w) => {
    const diff = b!.sub(a!);
    // The two branches agree in value and gradient up to rounding; where() picks PyTorch's.
    return where(w!.lt(0.5), a!.add(diff.mul(w!)), b!.sub(diff.mul(w!.neg().add(1))));
  });
}

/** The dtype PyTorch computes x op t1 op t2 in: the three tensors promoted together. */
function commonDType(x: Tensor, t1: Tensor, t2: Tensor): DType {
  const operand = (t: Tensor) => ({ dtype: t.dtype, ndim: t.ndim });
  return resultType(operand(x), operand(t1), operand(t2));
}

/**
 * x + value·t1·t2, broadcasting and promoting the three tensors. For an integer result
 * `value` is truncated to an integer first, as PyTorch converts it to the tensor's type.
 */
export function addcmul(x: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  const dtype = commonDType(x, t1, t2);
  const v = isFloating(dtype) ? value : Math.trunc(value);
  return inOpmath(dtype, [x, t1, t2], (a, b, c) => a!.add((v === 1 ? b! : b!.mul(v)).mul(c!)));
}

/**
 * x + value·t1 / t2, broadcasting and promoting the three tensors. Integer t1 and t2 are
 * refused, as in PyTorch (which once rounded the quotient and now asks for a float).
 */
export function addcdiv(x: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  if (!isFloating(t1.dtype) && !isFloating(t2.dtype))
    throw new DTypeError(
      "addcdiv: integer division with addcdiv is no longer supported; use (x + value * t1 / t2) with float tensors instead",
    );
  const dtype = commonDType(x, t1, t2);
  return inOpmath(dtype, [x, t1, t2], (a, b, c) => a!.add((value === 1 ? b! : b!.mul(value)).div(c!)));
}

/** The fractional part x − trunc(x), with the sign of x (nan for ±inf). Floats only. */
export function frac(x: Tensor): Tensor {
  requireFloating("frac", x);
  return x.sub(x.trunc());
}

/** True where x is neither nan nor ±inf (always true for integer and bool tensors). */
export function isfinite(x: Tensor): Tensor {
  if (!isFloating(x.dtype)) return x.eq(x);
  return x.abs().lt(Infinity);
}

export const pointwiseMethods = { lerp, addcmul, addcdiv, frac, isfinite };
