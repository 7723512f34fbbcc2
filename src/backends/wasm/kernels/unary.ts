/**
 * Unary float32 kernels (assembly/unary.ts): float32 in, float32 out, any layout the
 * strided walk folds to four dims. Other dtypes run on the js kernels.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { ClampAttrs } from "../../../ops/defs/clamp.ts";
import type { Inference } from "../../../ops/define-op.ts";
import type { WasmKernel } from "../index.ts";
import { elementwise, GRAIN } from "./elementwise.ts";

/**
 * Runs `fn` on an op computed in float32 (an integer input of exp is converted first) into
 * a float32 output, or declines (null).
 */
export function unaryF32(fn: string, x: Tensor, inference: Inference, grain: number, extra: readonly number[] = []) {
  const out = inference.outputs[0]!;
  const compute = inference.inputDtypes?.[0] ?? x.dtype;
  if (compute !== "float32" || out.dtype !== "float32") return null;
  return elementwise(fn, [{ tensor: x, dtype: "float32" }], out.shape, "float32", grain, extra);
}

function unary(fn: string, grain: number): WasmKernel {
  return (inputs, _attrs, inference) => unaryF32(fn, inputs[0]!, inference, grain);
}

const cheap = (fn: string) => unary(fn, GRAIN.cheap);
const costly = (fn: string) => unary(fn, GRAIN.transcendental);

export const unaryKernels: Record<string, WasmKernel> = {
  neg: cheap("negF32"),
  abs: cheap("absF32"),
  relu: cheap("reluF32"),
  sign: cheap("signF32"),
  floor: cheap("floorF32"),
  ceil: cheap("ceilF32"),
  trunc: cheap("truncF32"),
  sqrt: cheap("sqrtF32"),
  rsqrt: cheap("rsqrtF32"),
  reciprocal: cheap("reciprocalF32"),
  exp: costly("expF32"),
  expm1: costly("expm1F32"),
  log: costly("logF32"),
  log1p: costly("log1pF32"),
  log2: costly("log2F32"),
  sigmoid: costly("sigmoidF32"),
  tanh: costly("tanhF32"),
  erf: costly("erfF32"),
  sin: costly("sinF32"),
  cos: costly("cosF32"),
  // round(x, decimals) scales by 10^decimals in float32 first: only decimals = 0 here.
  round: (inputs, attrs, inference) =>
    (attrs as { decimals: number }).decimals === 0 ? unaryF32("roundF32", inputs[0]!, inference, GRAIN.cheap) : null,
  clamp: (inputs, attrs, inference) => {
    const { min, max } = attrs as ClampAttrs;
    // A nan bound: the js kernel ignores it, wasm's min/max would not.
    if (Number.isNaN(min) || Number.isNaN(max)) return null;
    return unaryF32("clampF32", inputs[0]!, inference, GRAIN.cheap, [min ?? -Infinity, max ?? Infinity]);
  },
};
