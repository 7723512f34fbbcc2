/**
 * Fused optimizer steps against PyTorch (fixture: scripts/fixtures/gen_optim_step.py):
 * adamStep replays torch.optim.Adam / AdamW runs step by step on both backends; the wasm
 * kernel's thread split is checked against the js kernel on a long tensor.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as c from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";
import { adamStep } from "../../src/ops/defs/optim-step.ts";
import { fallbackCounts } from "../../src/backends/dispatch.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, loadFixture, type TensorSpec } from "../helpers/fixtures.ts";

interface Step {
  grad: TensorSpec;
  param: TensorSpec;
  expAvg: TensorSpec;
  expAvgSq: TensorSpec;
}
interface Case {
  name: string;
  param: TensorSpec;
  options: { lr: number; betas: [number, number]; eps: number; weightDecay: number; decoupled: boolean; maximize: boolean };
  steps: Step[];
}

const fixture = loadFixture<Case>("optim_step");
// PyTorch rounds every intermediate float32 op; the js kernel computes each update in float64.
const tol = { rtol: 1e-5, atol: 1e-6 };

for (const backend of ["js", "wasm"] as const) {
  describe(`adamStep on ${backend}`, () => {
    for (const kase of fixture.cases) {
      test(kase.name, async () => {
        c.setBackend(backend);
        await c.ready();
        let p = decode(kase.param);
        let m = c.zerosLike(p);
        let v = c.zerosLike(p);
        kase.steps.forEach((s, t) => {
          [p, m, v] = adamStep(p, decode(s.grad), m, v, { ...kase.options, step: t + 1 });
          assertClose(p, decode(s.param), tol, `${kase.name} step ${t + 1} param`);
          assertClose(m, decode(s.expAvg), tol, `${kase.name} step ${t + 1} expAvg`);
          assertClose(v, decode(s.expAvgSq), tol, `${kase.name} step ${t + 1} expAvgSq`);
        });
      });
    }
  });
}

describe("adamStep", () => {
  test("the wasm kernel splits a long tensor across threads as the js kernel computes it", async () => {
    const run = (backend: "js" | "wasm", n: number, options: Parameters<typeof adamStep>[4]) => {
      c.setBackend(backend);
      c.manualSeed(3);
      const [p, g, m] = [c.randn([n]), c.randn([n]), c.randn([n])];
      const v = c.rand([n]);
      return adamStep(p, g, m, v, options).map((t) => t.toArray() as number[]);
    };
    await c.ready();
    const before = fallbackCounts().get("adamStep") ?? 0;
    for (const n of [100_003, 13]) {
      for (const options of [{ step: 5, lr: 0.01, weightDecay: 0.1 }, { step: 2, decoupled: true, weightDecay: 0.1, maximize: true }]) {
        const js = run("js", n, options);
        const wasm = run("wasm", n, options);
        js.forEach((values, k) => values.forEach((x, i) => {
          const y = wasm[k]![i]!;
          if (Math.abs(x - y) > 1e-6 + 1e-5 * Math.abs(x)) assert.fail(`n ${n} output ${k} element ${i}: wasm ${y}, js ${x}`);
        }));
      }
    }
    assert.equal(fallbackCounts().get("adamStep") ?? 0, before, "adamStep fell back to js on wasm");
  });

  test("bad input: typed errors", () => {
    c.setBackend("js");
    const p = c.zeros([3]);
    assert.throws(() => adamStep(p, c.zeros([4]), p, p, { step: 1 }), c.ShapeError);
    assert.throws(() => adamStep(p, c.zeros([3], { dtype: "int32" }), p, p, { step: 1 }), c.DTypeError);
    assert.throws(() => adamStep(p, c.zeros([3], { dtype: "float64" }), p, p, { step: 1 }), c.DTypeError);
    assert.throws(() => adamStep(p, p, p, p, { step: 0 }), c.ValueError);
    assert.throws(() => adamStep(p, p, p, p, { step: 1, lr: Number.NaN }), c.ValueError);
  });

  test("an update records no graph", () => {
    c.setBackend("js");
    const p = c.ones([2], { requiresGrad: true });
    const [q] = adamStep(p, c.ones([2]), c.zeros([2]), c.zeros([2]), { step: 1 });
    assert.equal(q.requiresGrad, false);
  });
});
