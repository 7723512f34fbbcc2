/** Binary elementwise ops, scalars and where against PyTorch (fixture: scripts/fixtures/gen_binary.py). */
import * as c from "../../src/index.ts";
import type { Tensor, TensorLike, RoundingMode } from "../../src/index.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

type Fn = (a: TensorLike, b: TensorLike) => Tensor;

/** A binary op called with two tensors, or with a tensor and the case's JS scalar. */
function binary(f: Fn, extra: Partial<OpInfo> = {}): OpInfo {
  return {
    run: ([a, b], args) => (args.scalar !== undefined ? f(a!, args.scalar as number | boolean) : f(a!, b!)),
    gradgrad: true,
    ...extra,
  };
}

const infos: Record<string, OpInfo> = {
  add: { ...binary(c.add), run: ([a, b], args) => (args.scalar !== undefined ? c.add(a!, args.scalar as number) : c.add(a!, b!, (args.alpha as number) ?? 1)) },
  sub: { ...binary(c.sub), run: ([a, b], args) => (args.scalar !== undefined ? c.sub(a!, args.scalar as number) : c.sub(a!, b!, (args.alpha as number) ?? 1)) },
  mul: binary(c.mul),
  div: {
    ...binary(c.div),
    run: ([a, b], args) =>
      args.scalar !== undefined ? c.div(a!, args.scalar as number) : c.div(a!, b!, (args.roundingMode as RoundingMode) ?? null),
  },
  remainder: binary(c.remainder),
  fmod: binary(c.fmod),
  // pow of float16/bfloat16 goes through exp/log in PyTorch's vectorised path.
  // At a = 0 the derivatives of a^b are singular (0^(b-1)); the first-order values are
  // still compared with PyTorch's, finite differences are not.
  pow: binary(c.pow, { tol: { rtol: 4e-6, atol: 1e-5 }, gradcheckSkip: /zero grads/ }),
  atan2: binary(c.atan2, { tol: { rtol: 4e-6, atol: 1e-5 } }),
  // At ties maximum/minimum have a kink: PyTorch splits the gradient, finite differences cannot see it.
  maximum: binary(c.maximum, { gradcheckSkip: /ties/ }),
  minimum: binary(c.minimum, { gradcheckSkip: /ties/ }),
  eq: binary(c.eq),
  ne: binary(c.ne),
  lt: binary(c.lt),
  le: binary(c.le),
  gt: binary(c.gt),
  ge: binary(c.ge),
  logicalAnd: binary(c.logicalAnd),
  logicalOr: binary(c.logicalOr),
  logicalXor: binary(c.logicalXor),
  bitwiseAnd: binary(c.bitwiseAnd),
  bitwiseOr: binary(c.bitwiseOr),
  bitwiseXor: binary(c.bitwiseXor),
  bitwiseLeftShift: binary(c.bitwiseLeftShift),
  bitwiseRightShift: binary(c.bitwiseRightShift),
  where: { run: ([cond, a, b]) => c.where(cond!, a!, b!), gradgrad: true },
};

runOpSuite("binary", infos);
