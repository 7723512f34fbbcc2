/**
 * Composite pointwise ops and activations against PyTorch (fixture:
 * scripts/fixtures/gen_composite.py), including the break points where PyTorch's backward
 * picks a side (hardtanh's bounds, hardswish at ±3, softplus's threshold...).
 */
import * as c from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

// Composites round after each primitive where PyTorch's kernels round once, yet stay within
// PyTorch's default tolerances. Finite differences are meaningless at a kink, so break-point
// cases check gradients against PyTorch's only.
const composite: Partial<OpInfo> = { gradgrad: true, gradcheckSkip: /break points/ };
const num = (v: unknown, fallback: number) => (v === undefined ? fallback : (v as number));

const infos: Record<string, OpInfo> = {
  gelu: { run: ([x], a) => c.gelu(x!, (a.approximate as "none" | "tanh" | undefined) ?? "none"), ...composite },
  silu: { run: ([x]) => c.silu(x!), ...composite },
  softplus: { run: ([x], a) => c.softplus(x!, num(a.beta, 1), num(a.threshold, 20)), ...composite },
  elu: { run: ([x], a) => c.elu(x!, num(a.alpha, 1)), ...composite },
  selu: { run: ([x]) => c.selu(x!), ...composite },
  leakyRelu: { run: ([x], a) => c.leakyRelu(x!, num(a.negativeSlope, 0.01)), ...composite },
  hardtanh: { run: ([x], a) => c.hardtanh(x!, num(a.min, -1), num(a.max, 1)), ...composite },
  relu6: { run: ([x]) => c.relu6(x!), ...composite },
  hardswish: { run: ([x]) => c.hardswish(x!), ...composite },
  hardsigmoid: { run: ([x]) => c.hardsigmoid(x!), ...composite },
  mish: { run: ([x]) => c.mish(x!), ...composite },
  logSigmoid: { run: ([x]) => c.logSigmoid(x!), ...composite },
  lerp: { run: ([a, b, w], args) => c.lerp(a!, b!, w ?? (args.weight as number)), ...composite },
  addcmul: { run: ([x, a, b], args) => c.addcmul(x!, a!, b!, num(args.value, 1)), ...composite },
  addcdiv: { run: ([x, a, b], args) => c.addcdiv(x!, a!, b!, num(args.value, 1)), ...composite },
  frac: { run: ([x]) => c.frac(x!), ...composite },
  isfinite: { run: ([x]: Tensor[]) => c.isfinite(x!) },
};

runOpSuite("composite", infos);
