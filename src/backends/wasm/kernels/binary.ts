/**
 * Binary float32 kernels with broadcasting (assembly/binary.ts), `where`, and pow by the
 * scalar exponents PyTorch special-cases. They run when the op computes in float32 (its
 * `inputDtypes`): float32 operands in the heap are read in place with their strides, a
 * contiguous operand of another dtype (a JS number, a bool mask) is converted to float32
 * first (see Operands in elementwise.ts), and anything else runs on the js kernels.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { RoundingMode } from "../../../ops/defs/binary.ts";
import type { Inference } from "../../../ops/define-op.ts";
import type { WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { allocOutput, elementwise, GRAIN } from "./elementwise.ts";
import { unaryF32 } from "./unary.ts";

function binary(fn: string, outDtype: "float32" | "bool"): WasmKernel {
  return (inputs, _attrs, inference) => {
    const out = inference.outputs[0]!;
    if (inference.inputDtypes?.[0] !== "float32" || out.dtype !== outDtype) return null;
    const [a, b] = inputs as [Tensor, Tensor];
    return elementwise(fn, [{ tensor: a, dtype: "float32" }, { tensor: b, dtype: "float32" }], out.shape, outDtype, GRAIN.cheap);
  };
}

/**
 * pow(x, e) for a JS-number exponent, as PyTorch's CPU pow: e = 0 fills ones and e = 1
 * copies (pow_Tensor_Scalar_out), 0.5, −0.5 and −1 run sqrt, rsqrt and reciprocal, and 2,
 * 3 and −2 multiply (pow_tensor_scalar_optimized_kernel); other exponents (and tensor
 * exponents) run on the js kernels, whose pow is correctly rounded.
 */
const pow: WasmKernel = (inputs, _attrs, inference) => {
  const [x, e] = inputs as [Tensor, Tensor];
  if (inference.inputDtypes?.[0] !== "float32" || x.dtype !== "float32" || !e.wrappedNumber) return null;
  const exponent = Math.fround(Number(e.values()[0]!));
  const special: Record<number, [string, number[]]> = {
    1: ["clampF32", [-Infinity, Infinity]], // a copy: min(max(x, −inf), inf) is x, nan included
    0.5: ["sqrtF32", []],
    [-0.5]: ["rsqrtF32", []],
    [-1]: ["reciprocalF32", []],
    2: ["squareF32", []],
    3: ["cubeF32", []],
    [-2]: ["inverseSquareF32", []],
  };
  if (exponent === 0) {
    // x^0 is 1 for every x, nan included.
    const out = allocOutput("float32", x.size);
    new Float32Array(wasmRuntime().heap.buffer as ArrayBuffer, out.ptr, x.size).fill(1);
    return [out.storage];
  }
  const found = special[exponent];
  return found ? unaryF32(found[0], x, inference, GRAIN.cheap, found[1]) : null;
};

/**
 * mul of a float32 tensor by a bool one (relu's and other masks' gradients): the mask's
 * bytes read in place as 1 or 0 (mulMaskF32) instead of converted to a float32 copy first.
 */
const mul: WasmKernel = (inputs, attrs, inference) => {
  const out = inference.outputs[0]!;
  const [a, b] = inputs as [Tensor, Tensor];
  const mask = a.dtype === "bool" ? a : b.dtype === "bool" ? b : null;
  const other = mask === a ? b : a;
  const masked =
    mask && other.dtype === "float32" && out.dtype === "float32"
      ? elementwise("mulMaskF32", [{ tensor: mask, dtype: "bool" }, { tensor: other, dtype: "float32" }], out.shape, "float32", GRAIN.cheap)
      : null;
  return masked ?? binary("mulF32", "float32")(inputs, attrs, inference);
};

export const binaryKernels: Record<string, WasmKernel> = {
  add: binary("addF32", "float32"),
  sub: binary("subF32", "float32"),
  mul,
  div: (inputs, attrs, inference) =>
    (attrs as { roundingMode: RoundingMode }).roundingMode === null ? binary("divF32", "float32")(inputs, attrs, inference) : null,
  maximum: binary("maximumF32", "float32"),
  minimum: binary("minimumF32", "float32"),
  pow,
  eq: binary("eqF32", "bool"),
  ne: binary("neF32", "bool"),
  lt: binary("ltF32", "bool"),
  le: binary("leF32", "bool"),
  gt: binary("gtF32", "bool"),
  ge: binary("geF32", "bool"),
  where: (inputs, _attrs, inference) => {
    const out = inference.outputs[0]!;
    if (out.dtype !== "float32") return null;
    const [c, a, b] = inputs as [Tensor, Tensor, Tensor];
    return elementwise(
      "whereF32",
      [{ tensor: c, dtype: "bool" }, { tensor: a, dtype: "float32" }, { tensor: b, dtype: "float32" }],
      out.shape,
      "float32",
      GRAIN.cheap,
    );
  },
};
