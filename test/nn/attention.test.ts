/**
 * MultiheadAttention against PyTorch 1.13 (fixture: scripts/fixtures/gen_nn_seq.py):
 * packed and separate projections, bias_k/bias_v, zero attention, bool and float masks,
 * key padding, per-head weights, unbatched inputs; float64 gradcheck; the functional
 * scaled dot-product attention's dropout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, randn, ones, zeros, ShapeError, ValueError, DTypeError, type Tensor } from "../../src/index.ts";
import { MultiheadAttention, functional as F, type Module } from "../../src/nn/index.ts";
import type { MultiheadAttentionConfig, MultiheadAttentionForwardOptions } from "../../src/nn/index.ts";
import { gradcheck } from "../../src/autograd/gradcheck.ts";
import { assertSameState, moduleCases, runModuleCase, type ModuleCase, type Nested } from "./seq-fixture.ts";

interface AttentionCase extends ModuleCase {
  call: "self" | "kv" | "qkv";
  masks: ("keyPaddingMask" | "attnMask")[];
  callOptions: MultiheadAttentionForwardOptions;
}

function callAttention(c: AttentionCase) {
  return (m: Module, inputs: Nested<Tensor>[]) => {
    const xs = inputs as Tensor[];
    const n = { self: 1, kv: 2, qkv: 3 }[c.call];
    const [q, k, v] = c.call === "self" ? [xs[0]!, xs[0]!, xs[0]!] : c.call === "kv" ? [xs[0]!, xs[1]!, xs[1]!] : [xs[0]!, xs[1]!, xs[2]!];
    const options: MultiheadAttentionForwardOptions = { ...c.callOptions };
    c.masks.forEach((name, i) => (options[name] = xs[n + i]!));
    return (m as MultiheadAttention).forward(q, k, v, options);
  };
}

for (const c of moduleCases("nn-seq-attention") as AttentionCase[]) {
  test(`${c.name}: PyTorch's init after manualSeed, outputs, weights and gradients`, () => {
    manualSeed(c.seed);
    const m = new MultiheadAttention(c.args[0] as number, c.args[1] as number, c.options as MultiheadAttentionConfig);
    assertSameState(c, m);
    runModuleCase(c, m, { call: callAttention(c) });
  });
}

test("float64 gradcheck through MultiheadAttention with masks, bias_kv and zero attention", () => {
  manualSeed(3);
  const m = new MultiheadAttention(4, 2, { addBiasKv: true, addZeroAttn: true, kdim: 3, vdim: 2, dtype: "float64" });
  const q = randn([2, 2, 4], { dtype: "float64", requiresGrad: true });
  const k = randn([3, 2, 3], { dtype: "float64", requiresGrad: true });
  const v = randn([3, 2, 2], { dtype: "float64", requiresGrad: true });
  const kpm = zeros([2, 3], { dtype: "bool" });
  kpm.setIndex(1, 2, true);
  const attnMask = randn([2, 3], { dtype: "float64" });
  gradcheck((q, k, v, _w) => m.forward(q, k, v, { keyPaddingMask: kpm, attnMask, averageAttnWeights: false }) as Tensor[], [q, k, v, m.biasK!]);
});

test("isCausal masks later keys; dropout acts in training only; bad inputs give typed errors", () => {
  manualSeed(0);
  const m = new MultiheadAttention(4, 2, { dropout: 0.5 }).eval();
  const x = randn([3, 1, 4]);
  const causal = ones([3, 3], { dtype: "bool" }).triu(1);
  const [a, wa] = m.forward(x, x, x, { isCausal: true });
  const [b, wb] = m.forward(x, x, x, { attnMask: causal });
  assert.deepEqual(a.toArray(), b.toArray());
  assert.deepEqual(wa!.toArray(), wb!.toArray());
  assert.equal(wa!.select(1, 0).select(1, 1).item(), 0);
  m.train();
  assert.notDeepEqual(m.forward(x, x, x)[1]!.toArray(), m.forward(x, x, x)[1]!.toArray());
  assert.throws(() => m.forward(randn([3, 1, 5]), x, x), ShapeError);
  assert.throws(() => m.forward(x, x, x, { attnMask: ones([2, 3], { dtype: "bool" }) }), /The shape of the 2D attn_mask is \[2, 3\], but should be \[3, 3\]/);
  assert.throws(() => m.forward(x, x, x, { keyPaddingMask: ones([1, 3], { dtype: "int32" }) }), DTypeError);
  assert.throws(() => m.forward(x, x.squeeze(1), x), ShapeError);
  assert.throws(() => new MultiheadAttention(6, 4), ValueError);
});

test("scaledDotProductAttention's dropoutP zeroes weights and rescales the rest; the math form returns the weights", () => {
  manualSeed(1);
  const q = randn([2, 4, 3]);
  const k = randn([2, 5, 3]);
  const v = randn([2, 5, 3]);
  const [out, w] = F.scaledDotProductAttentionMath(q, k, v);
  assert.deepEqual(w.shape, [2, 4, 5]);
  const close = (a: Tensor, b: Tensor) => a.sub(b).abs().amax().item() as number;
  assert.ok(close(out, F.scaledDotProductAttention(q, k, v)) < 1e-6);
  assert.ok(close(w.sum(-1), ones([2, 4])) < 1e-6);
  const [dropped, wd] = F.scaledDotProductAttentionMath(q, k, v, { dropoutP: 0.5 });
  const kept = wd.ne(0);
  assert.ok(close(wd.where(kept, 0), w.mul(2).where(kept, 0)) < 1e-6, "kept weights are scaled by 1/(1 − p)");
  const zeroed = kept.logicalNot().sum().item() as bigint;
  assert.ok(zeroed > 5n && zeroed < 35n, `${zeroed} of 40 dropped`);
  assert.ok(close(dropped, wd.matmul(v)) < 1e-6);
  assert.throws(() => F.scaledDotProductAttention(q, k, v, { dropoutP: 1.5 }), ValueError);
});
