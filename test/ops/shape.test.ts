/** Shape ops against PyTorch (fixture: scripts/fixtures/gen_shape.py). */
import * as c from "../../src/index.ts";
import type { PadMode } from "../../src/index.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

type Args = Record<string, unknown>;
const num = (a: Args, k: string, fallback = 0) => (a[k] as number | undefined) ?? fallback;

// Every shape op moves values without arithmetic, so all are linear: second derivatives
// exist (and are zero) and the suite checks them.
const linear = (run: OpInfo["run"]): OpInfo => ({ run, gradgrad: true });

const infos: Record<string, OpInfo> = {
  cat: linear((xs, a) => c.cat(xs, num(a, "dim"))),
  stack: linear((xs, a) => c.stack(xs, num(a, "dim"))),
  split: linear(([x], a) => c.split(x!, a.size as number | number[], num(a, "dim"))),
  chunk: linear(([x], a) => c.chunk(x!, num(a, "chunks"), num(a, "dim"))),
  flip: linear(([x], a) => c.flip(x!, a.dims as number[])),
  roll: linear(([x], a) => c.roll(x!, a.shifts as number | number[], (a.dims as number | number[] | null) ?? undefined)),
  repeat: linear(([x], a) => c.repeat(x!, a.repeats as number[])),
  tile: linear(([x], a) => c.tile(x!, a.reps as number[])),
  repeatInterleave: linear(([x, r], a) => {
    const dim = a.dim as number | undefined;
    if (a.repeats !== undefined) return c.repeatInterleave(x!, a.repeats as number, dim);
    return r ? c.repeatInterleave(x!, r, dim) : c.repeatInterleave(x!);
  }),
  pad: linear(([x], a) => c.pad(x!, a.pad as number[], a.mode as PadMode, num(a, "value"))),
  unfold: linear(([x], a) => c.unfold(x!, num(a, "dim"), num(a, "size"), num(a, "step"))),
};

runOpSuite("shape", infos);

