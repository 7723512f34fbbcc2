/**
 * unbind, the op the recurrent layers split their precomputed input projections with,
 * against PyTorch (values, gradients, float64 gradcheck and gradgradcheck; fixture:
 * scripts/fixtures/gen_nn_seq.py), and the linear cost it buys the recurrent backward.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, profileOps, randn } from "../../src/index.ts";
import { unbind } from "../../src/ops/defs/shape.ts";
import { LSTM } from "../../src/nn/index.ts";
import { runOpSuite } from "../helpers/op-suite.ts";

runOpSuite("nn-seq-unbind", {
  unbind: { run: ([x], args) => unbind(x!, args.dim as number), gradgrad: true },
});

test("an LSTM's backward scatters no per-step slices (unbind's vjp is one cat)", () => {
  manualSeed(0);
  const lstm = new LSTM(3, 4, { numLayers: 2, bidirectional: true });
  const x = randn([20, 2, 3], { requiresGrad: true });
  const profile = profileOps(() => lstm.forward(x)[0].sum().backward());
  assert.ok(!profile.some((p) => p.op === "sliceScatter"), profile.map((p) => `${p.op} ${p.calls}`).join(", "));
});
