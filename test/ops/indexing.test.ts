/** Indexing ops against PyTorch (fixture: scripts/fixtures/gen_indexing.py). */
import * as c from "../../src/index.ts";
import type { Scalar, ScatterReduction, Tensor } from "../../src/index.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

type Args = Record<string, unknown>;
const dim = (a: Args) => a.dim as number;

/** advancedIndex cases name where the index tensors go: "i" a tensor, ":" a whole dim. */
function pattern(a: Args, tensors: Tensor[]): (Tensor | null)[] {
  let k = 0;
  return [...(a.pattern as string)].map((p) => (p === ":" ? null : tensors[k++]!));
}

const infos: Record<string, OpInfo> = {
  // gather, indexSelect, advancedIndex and their scattering twins are each other's vjps
  // (Note: index pairs), so second derivatives are checked for all of them.
  gather: { run: ([x, i], a) => c.gather(x!, dim(a), i!), gradgrad: true },
  scatter: {
    run: ([x, i, s], a) =>
      s ? c.scatter(x!, dim(a), i!, s, a.reduce ? { reduce: a.reduce as "add" | "multiply" } : {}) : c.scatter(x!, dim(a), i!, a.value as Scalar),
    gradgrad: true,
  },
  scatterAdd: { run: ([x, i, s], a) => c.scatterAdd(x!, dim(a), i!, s!), gradgrad: true },
  scatterReduce: {
    run: ([x, i, s], a) => c.scatterReduce(x!, dim(a), i!, s!, a.reduce as ScatterReduction, { includeSelf: a.includeSelf as boolean }),
    // float16 sums are rounded after every step as PyTorch does; the means divide once more.
    tol: { rtol: 2e-3 },
    gradgrad: true,
  },
  indexSelect: { run: ([x, i], a) => c.indexSelect(x!, dim(a), i!), gradgrad: true },
  indexAdd: { run: ([x, i, s], a) => c.indexAdd(x!, dim(a), i!, s!, { alpha: (a.alpha as number | undefined) ?? 1 }), gradgrad: true },
  indexPut: { run: ([x, v, ...idx], a) => c.indexPut(x!, idx, v!, a.accumulate as boolean), gradgrad: true },
  advancedIndex: { run: ([x, ...idx], a) => c.advancedIndex(x!, pattern(a, idx)), gradgrad: true },
  maskedFill: { run: ([x, m, v], a) => c.maskedFill(x!, m!, v ?? (a.value as Scalar)), gradgrad: true },
  maskedSelect: { run: ([x, m]) => c.maskedSelect(x!, m!), gradgrad: true },
  take: { run: ([x, i]) => c.take(x!, i!), gradgrad: true },
  nonzero: { run: ([x], a) => c.nonzero(x!, { asTuple: Boolean(a.asTuple) }) },
  oneHot: { run: ([x], a) => c.oneHot(x!, a.numClasses as number) },
};

runOpSuite("indexing", infos);
