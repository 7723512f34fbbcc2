/** View ops and their gradients against PyTorch (fixture: scripts/fixtures/gen_views.py). */
import * as c from "../../src/index.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

type Args = Record<string, unknown>;
const n = (a: Args, k: string) => a[k] as number;
const view = (run: OpInfo["run"]): OpInfo => ({ run, gradgrad: true });

runOpSuite("views", {
  reshape: view(([x], a) => x!.reshape(a.shape as number[])),
  view: view(([x], a) => x!.view(a.shape as number[])),
  permute: view(([x], a) => x!.permute(a.dims as number[])),
  transpose: view(([x], a) => x!.transpose(n(a, "dim0"), n(a, "dim1"))),
  t: view(([x]) => x!.t()),
  // expand's gradient is a sum; PyTorch 1.13 accumulates bfloat16 sums with more rounding.
  expand: { ...view(([x], a) => x!.expand(a.shape as number[])), gradTol: { rtol: 3e-2, only: ["bfloat16"] } },
  squeeze: view(([x], a) => x!.squeeze(a.dim as number | undefined)),
  unsqueeze: view(([x], a) => x!.unsqueeze(n(a, "dim"))),
  flatten: view(([x], a) => x!.flatten(n(a, "startDim"), n(a, "endDim"))),
  unflatten: view(([x], a) => x!.unflatten(n(a, "dim"), a.sizes as number[])),
  narrow: view(([x], a) => x!.narrow(n(a, "dim"), n(a, "start"), n(a, "length"))),
  select: view(([x], a) => x!.select(n(a, "dim"), n(a, "index"))),
  slice: view(([x], a) => x!.slice(n(a, "dim"), a.start as number | null, a.end as number | null, n(a, "step"))),
  contiguous: view(([x]) => x!.contiguous()),
  clone: view(([x]) => x!.clone()),
  sliceScatter: view(([b, s], a) => c.sliceScatter(b!, s!, { dim: n(a, "dim"), start: n(a, "start"), end: n(a, "end"), step: n(a, "step") })),
});
