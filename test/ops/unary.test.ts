/** Unary elementwise ops, clamp and casts against PyTorch (fixture: scripts/fixtures/gen_unary.py). */
import * as c from "../../src/index.ts";
import type { DType, Tensor } from "../../src/index.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

const unary = (f: (x: Tensor) => Tensor, extra: Partial<OpInfo> = {}): OpInfo => ({ run: ([x]) => f(x!), ...extra });
// Transcendentals: concord evaluates in float64 and rounds once; PyTorch's vectorised float32
// paths are within a few ulp of that, and half-precision results can land one half-ulp away.
const transcendental: Partial<OpInfo> = {
  tol: { rtol: 4e-6, atol: 1e-5 },
  // Gradients written with ops round after each op in bfloat16; PyTorch's fused backward
  // kernels round once.
  gradTol: { rtol: 3e-2, only: ["bfloat16"] },
  gradgrad: true,
};

const infos: Record<string, OpInfo> = {
  abs: unary(c.abs, { gradgrad: true }),
  neg: unary(c.neg, { gradgrad: true }),
  sign: unary(c.sign),
  relu: unary(c.relu),
  floor: unary(c.floor),
  ceil: unary(c.ceil),
  trunc: unary(c.trunc),
  round: { run: ([x], a) => c.round(x!, (a.decimals as number | undefined) ?? 0) },
  isnan: unary(c.isnan),
  isinf: unary(c.isinf),
  logicalNot: unary(c.logicalNot),
  bitwiseNot: unary(c.bitwiseNot),
  // At the bounds clamp has a kink: PyTorch's gradient is 1 there, finite differences give 1/2.
  clamp: { run: ([x], a) => c.clamp(x!, a.min as number | null, a.max as number | null), gradcheckSkip: /at bounds/ },
  cast: { run: ([x], a) => x!.to(a.dtype as DType) },
};
for (const name of [
  "exp", "expm1", "log", "log1p", "log2", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "acos",
  "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf", "erfc", "sigmoid",
] as const) {
  infos[name] = unary(c[name], transcendental);
}

runOpSuite("unary", infos);
