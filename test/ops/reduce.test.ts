/** Reductions, scans, softmax and sorting against PyTorch (fixture: scripts/fixtures/gen_reduce.py). */
import * as c from "../../src/index.ts";
import type { DType, Tensor } from "../../src/index.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

type Args = Record<string, unknown>;
type Dims = number | number[] | undefined;

/** The fixture's dim: null (PyTorch's None) means every dim. */
const dimOf = (a: Args): Dims => (a.dim ?? undefined) as Dims;
const keepdimOf = (a: Args) => ({ keepdim: (a.keepdim as boolean | undefined) ?? false });
const dtypeOf = (a: Args) => (a.dtype ? { dtype: a.dtype as DType } : {});
/** p as the fixture spells it: a number, "inf"/"-inf", or "fro". */
const pOf = (a: Args): number | "fro" => {
  const p = a.p as number | string | undefined;
  if (p === "inf") return Infinity;
  if (p === "-inf") return -Infinity;
  return (p ?? 2) as number | "fro";
};

// Finite differences mean nothing at a kink: tied extrema, sorting ties, |x| or √ at 0.
const kinks = /ties|signed zeros|at zero|zero spread/;
// Half-precision gradients differ from PyTorch's by rounding: both round each backward
// step, but not the same steps (var/std/norm compute in float32 and round once, closer to
// the float64 gradient). A few units in the last place of float16/bfloat16.
const halfGrads: Partial<OpInfo> = { gradTol: { rtol: 2e-2, atol: 4e-3, only: ["float16", "bfloat16"] } };
// Ops built from exp/log/sqrt: concord evaluates in float64 and rounds once, PyTorch's
// vectorised float32 paths are a few ulp off that.
const transcendental: Partial<OpInfo> = { tol: { rtol: 4e-6, atol: 1e-5 }, gradgrad: true, gradcheckSkip: kinks, ...halfGrads };

const reduction = (f: (x: Tensor, dim: Dims, a: Args) => Tensor, extra: Partial<OpInfo> = {}): OpInfo => ({
  run: ([x], a) => f(x!, dimOf(a), a),
  gradgrad: true,
  gradcheckSkip: kinks,
  ...extra,
});

const infos: Record<string, OpInfo> = {
  sum: reduction((x, dim, a) => c.sum(x, dim, { ...keepdimOf(a), ...dtypeOf(a) })),
  mean: reduction((x, dim, a) => c.mean(x, dim, { ...keepdimOf(a), ...dtypeOf(a) })),
  prod: reduction((x, dim, a) => c.prod(x, dim, { ...keepdimOf(a), ...dtypeOf(a) })),
  amax: reduction((x, dim, a) => c.amax(x, dim, keepdimOf(a))),
  amin: reduction((x, dim, a) => c.amin(x, dim, keepdimOf(a))),
  var: reduction(
    (x, dim, a) => c.var(x, dim, { ...keepdimOf(a), correction: a.correction as number | undefined, unbiased: a.unbiased as boolean | undefined }),
    { tol: { rtol: 4e-6, atol: 1e-5 }, ...halfGrads },
  ),
  std: reduction(
    (x, dim, a) => c.std(x, dim, { ...keepdimOf(a), correction: a.correction as number | undefined, unbiased: a.unbiased as boolean | undefined }),
    transcendental,
  ),
  logsumexp: reduction((x, dim, a) => c.logsumexp(x, dim, keepdimOf(a)), transcendental),
  norm: reduction((x, dim, a) => c.norm(x, pOf(a), dim, { ...keepdimOf(a), ...dtypeOf(a) }), transcendental),
  all: reduction((x, dim, a) => c.all(x, dim, keepdimOf(a))),
  any: reduction((x, dim, a) => c.any(x, dim, keepdimOf(a))),
  max: {
    run: ([x, other], a) => (other ? c.max(x!, other) : a.dim === undefined ? c.max(x!) : c.max(x!, a.dim as number, keepdimOf(a))),
    gradgrad: true,
    gradcheckSkip: kinks,
  },
  min: {
    run: ([x, other], a) => (other ? c.min(x!, other) : a.dim === undefined ? c.min(x!) : c.min(x!, a.dim as number, keepdimOf(a))),
    gradgrad: true,
    gradcheckSkip: kinks,
  },
  argmax: { run: ([x], a) => c.argmax(x!, a.dim as number | undefined, keepdimOf(a)) },
  argmin: { run: ([x], a) => c.argmin(x!, a.dim as number | undefined, keepdimOf(a)) },
  cumsum: { run: ([x], a) => c.cumsum(x!, a.dim as number, dtypeOf(a)), gradgrad: true },
  cumprod: { run: ([x], a) => c.cumprod(x!, a.dim as number, dtypeOf(a)), gradgrad: true },
  softmax: { run: ([x], a) => c.softmax(x!, a.dim as number, dtypeOf(a)), ...transcendental },
  logSoftmax: { run: ([x], a) => c.logSoftmax(x!, a.dim as number, dtypeOf(a)), ...transcendental },
  sort: {
    run: ([x], a) => c.sort(x!, { dim: a.dim as number | undefined, descending: a.descending as boolean | undefined, stable: a.stable as boolean | undefined }),
    gradgrad: true,
    gradcheckSkip: kinks,
  },
  argsort: { run: ([x], a) => c.argsort(x!, { dim: a.dim as number | undefined, descending: a.descending as boolean | undefined }) },
  topk: {
    run: ([x], a) => {
      const result = c.topk(x!, a.k as number, { dim: a.dim as number | undefined, largest: a.largest as boolean | undefined, sorted: a.sorted as boolean | undefined });
      return a.valuesOnly ? result[0] : result;
    },
    gradgrad: true,
    gradcheckSkip: kinks,
  },
};

runOpSuite("reduce", infos);
