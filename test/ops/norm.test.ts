/**
 * Normalization, attention and embedding against PyTorch (fixture:
 * scripts/fixtures/gen_norm.py): layerNorm, batchNorm (with the running statistics after
 * a training call as extra outputs), groupNorm, rmsNorm, scaledDotProductAttention (its
 * forward-only cases run the wasm backend's fused kernel) and embedding as indexSelect.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as c from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

type Args = Record<string, unknown>;

/** Takes the optional tensors named by the case's flags, in order, from `rest`. */
function optional(rest: Tensor[], ...present: unknown[]): (Tensor | null)[] {
  let i = 0;
  return present.map((p) => (p ? rest[i++]! : null));
}

// Statistics over a few hundred float32 values: PyTorch sums in float32 in its own order,
// the js kernels in float64 and the wasm kernels in float32 blocks.
const norm: Partial<OpInfo> = { tol: { rtol: 1e-5, atol: 1e-5, only: ["float32"] }, gradTol: { rtol: 1e-4, atol: 1e-5, only: ["float32"] }, gradgrad: true };

const infos: Record<string, OpInfo> = {
  layerNorm: {
    run: ([x, ...rest], a: Args) => {
      const [w, b] = optional(rest, a.hasWeight, a.hasBias);
      return c.layerNorm(x!, a.normalizedShape as number[], w!, b!, a.eps as number);
    },
    ...norm,
  },
  batchNorm: {
    run: ([x, ...rest], a: Args) => {
      const [runningMean, runningVar, w, b] = optional(rest, a.hasRunning, a.hasRunning, a.hasWeight, a.hasBias);
      const training = a.training as boolean;
      if (training && runningMean) {
        // As the generator: the running statistics are updated in place, on clones.
        const mean = runningMean.detach().clone();
        const variance = runningVar!.detach().clone();
        const y = c.batchNorm(x!, mean, variance, w, b, true, a.momentum as number, a.eps as number);
        return [y, mean, variance];
      }
      return c.batchNorm(x!, runningMean, runningVar, w, b, training, a.momentum as number, a.eps as number);
    },
    ...norm,
  },
  groupNorm: {
    run: ([x, ...rest], a: Args) => {
      const [w, b] = optional(rest, a.hasWeight, a.hasBias);
      return c.groupNorm(x!, a.numGroups as number, w, b, a.eps as number);
    },
    ...norm,
  },
  rmsNorm: {
    run: ([x, w], a: Args) => c.rmsNorm(x!, a.normalizedShape as number[], w ?? null, (a.eps as number | null) ?? null),
    ...norm,
  },
  scaledDotProductAttention: {
    run: ([q, k, v, mask], a: Args) => c.scaledDotProductAttention(q!, k!, v!, { attnMask: mask ?? null, isCausal: a.isCausal as boolean, scale: a.scale as number | null }),
    ...norm,
  },
  embedding: {
    run: ([weight, index]) => c.indexSelect(weight!, 0, index!.reshape([-1])).reshape([...index!.shape, weight!.shape[1]!]),
    gradgrad: true,
  },
};

runOpSuite("norm", infos);

const TOL = { rtol: 1e-5, atol: 1e-5 };

/**
 * Runs `make` on js and on wasm from the same seed and compares every tensor it returns
 * (outputs and gradients), and checks that the ops in `kernels` ran on wasm (no fallback).
 * Shapes are large enough to split across threads, with odd sizes for the SIMD tails.
 */
function sameOnBackends(name: string, kernels: string[], make: () => Tensor[], tol: { rtol?: number; atol?: number } = TOL): void {
  test(name, () => {
    const previous = c.getBackend().name as "js" | "wasm";
    try {
      c.setBackend("js");
      c.manualSeed(7);
      const expected = make();
      c.setBackend("wasm");
      c.manualSeed(7);
      const before = new Map(c.fallbackCounts());
      const actual = make();
      for (const op of kernels) assert.equal(c.fallbackCounts().get(op) ?? 0, before.get(op) ?? 0, `${op} fell back to js`);
      assert.equal(actual.length, expected.length);
      actual.forEach((t, i) => assertClose(t, expected[i]!, tol, `tensor ${i}`));
    } finally {
      c.setBackend(previous);
    }
  });
}

/** y = f(leaves) and the gradients of Σ y·g for a random g. */
function withGrads(leaves: Tensor[], f: (...xs: Tensor[]) => Tensor): Tensor[] {
  leaves.forEach((t) => (t.requiresGrad = true));
  const y = f(...leaves);
  const gs = c.grad(y, leaves, { gradOutputs: [c.randn(y.shape)] });
  return [y.detach(), ...gs.map((g) => g!)];
}

describe("norm, attention and embedding kernels on wasm against js", () => {
  sameOnBackends("layerNorm rows split across threads", ["layerNorm", "layerNormBackward"], () =>
    withGrads([c.randn([96, 777]), c.randn([777]), c.randn([777])], (x, w, b) => c.layerNorm(x!, [777], w!, b!)));
  sameOnBackends("layerNorm over two dims, weight only, large mean", ["layerNorm", "layerNormBackward"], () =>
    withGrads([c.randn([5, 6, 7]).add(20), c.randn([6, 7])], (x, w) => c.layerNorm(x!, [6, 7], w!, null, 1e-3)));
  sameOnBackends("layerNorm rows of 3, bias only", ["layerNorm", "layerNormBackward"], () => withGrads([c.randn([9, 3]), c.randn([3])], (x, b) => c.layerNorm(x!, 3, null, b!)));
  sameOnBackends("batchNorm training, running statistics", ["batchNormTraining"], () => {
    const mean = c.randn([12]);
    const variance = c.rand([12]).add(0.5);
    const out = withGrads([c.randn([8, 12, 17, 9]), c.randn([12]), c.randn([12])], (x, w, b) => c.batchNorm(x!, mean, variance, w!, b!, true, 0.2));
    return [...out, mean, variance];
  });
  sameOnBackends("batchNorm training [N, C] without affine", ["batchNormTraining"], () => withGrads([c.randn([257, 6])], (x) => c.batchNorm(x!, null, null, null, null, true)));
  sameOnBackends("batchNorm training [N, C], affine and running statistics, odd channel count", ["batchNormTraining"], () => {
    const mean = c.randn([45]);
    const variance = c.rand([45]).add(0.5);
    const out = withGrads([c.randn([1000, 45]).mul(3).add(2), c.randn([45]), c.randn([45])], (x, w, b) => c.batchNorm(x!, mean, variance, w!, b!, true));
    return [...out, mean, variance];
  });
  sameOnBackends("batchNorm eval [N, C], odd channel count", ["batchNormInference"], () =>
    withGrads([c.randn([300, 37]), c.randn([37]), c.rand([37]).add(0.1), c.randn([37]), c.randn([37])], (x, m, v, w, b) => c.batchNorm(x!, m!, v!, w!, b!)));
  sameOnBackends("batchNorm eval", ["batchNormInference"], () =>
    withGrads([c.randn([4, 8, 33]), c.randn([8]), c.rand([8]).add(0.1), c.randn([8]), c.randn([8])], (x, m, v, w, b) => c.batchNorm(x!, m!, v!, w!, b!)));
  sameOnBackends("batchNorm eval of a big tensor, bias only", ["batchNormInference"], () => [c.batchNorm(c.randn([16, 32, 28, 28]), c.randn([32]), c.rand([32]).add(0.1), null, c.randn([32]))]);
  sameOnBackends("groupNorm", ["layerNorm", "layerNormBackward"], () => withGrads([c.randn([6, 12, 10, 10]), c.randn([12]), c.randn([12])], (x, w, b) => c.groupNorm(x!, 4, w!, b!)));
  // Float32 additions in index order on both backends: the results are identical.
  const exact = { rtol: 0, atol: 0 };
  sameOnBackends("embedding lookup and gradient, int64 indices", ["indexSelect", "indexAdd"], () =>
    withGrads([c.randn([300, 96])], (w) => c.indexSelect(w!, 0, c.randint(0, 300, [700]))), exact);
  sameOnBackends("embedding with few rows hit many times, int32 indices", ["indexSelect", "indexAdd"], () =>
    withGrads([c.randn([3, 1030])], (w) => c.indexSelect(w!, 0, c.randint(0, 3, [400], { dtype: "int32" }))), exact);
  sameOnBackends("indexAdd into a strided base", ["indexAdd"], () => {
    const base = c.randn([10, 40]).slice(0, 0, 10, 2);
    return [base.indexAdd(0, c.tensor([4, 0, 4, 2]), c.randn([4, 40]))];
  }, exact);
});

describe("scaledDotProductAttention: the fused wasm kernel against the composite on js", () => {
  type Case = () => [Tensor, Tensor, Tensor, c.AttentionOptions];
  /** Forward without grad: on wasm the fused kernel runs (no op is dispatched at all). */
  function fused(name: string, make: Case): void {
    test(name, () => {
      const previous = c.getBackend().name as "js" | "wasm";
      try {
        c.setBackend("js");
        c.manualSeed(11);
        const [q, k, v, options] = make();
        const expected = c.scaledDotProductAttention(q, k, v, options);
        c.setBackend("wasm");
        c.manualSeed(11);
        const [qw, kw, vw, optionsW] = make();
        let actual: Tensor | undefined;
        const ops = c.profileOps(() => (actual = c.scaledDotProductAttention(qw, kw, vw, optionsW)));
        assert.deepEqual(ops.map((o) => o.op), [], "the fused kernel runs no op");
        assertClose(actual!, expected, TOL);
      } finally {
        c.setBackend(previous);
      }
    });
  }
  const mask = (shape: number[], keep: number) => c.rand(shape).lt(keep);
  fused("heads of [B, H, L, E], rows split across threads", () => [c.randn([2, 4, 67, 32]), c.randn([2, 4, 70, 32]), c.randn([2, 4, 70, 24]), {}]);
  fused("causal self-attention, odd sizes", () => [c.randn([3, 2, 37, 13]), c.randn([3, 2, 37, 13]), c.randn([3, 2, 37, 9]), { isCausal: true }]);
  fused("causal with fewer queries than keys", () => [c.randn([2, 5, 12]), c.randn([2, 9, 12]), c.randn([2, 9, 7]), { isCausal: true, scale: 0.2 }]);
  fused("bool padding mask over a [B, L, H, E] view", () => [
    c.randn([2, 21, 3, 16]).transpose(1, 2), c.randn([2, 30, 3, 16]).transpose(1, 2), c.randn([2, 30, 3, 16]).transpose(1, 2),
    { attnMask: mask([2, 1, 1, 30], 0.7) },
  ]);
  fused("float mask broadcast over batch, negative scale", () => [c.randn([2, 3, 6, 5]), c.randn([2, 3, 9, 5]), c.randn([2, 3, 9, 11]), { attnMask: c.randn([6, 9]), scale: -0.4 }]);
  fused("key and value shared across batch entries", () => [c.randn([2, 3, 4, 4]), c.randn([1, 1, 5, 4]), c.randn([3, 5, 2]), {}]);
  fused("rows with every key masked give 0", () => [
    c.randn([2, 3, 2]), c.randn([2, 4, 2]), c.randn([2, 4, 3]),
    { attnMask: c.tensor([[true, false, false, true], [false, false, false, false], [false, false, false, true]]) },
  ]);
  fused("a single query against many keys (decoding)", () => [c.randn([1, 8, 1, 64]), c.randn([1, 8, 300, 64]), c.randn([1, 8, 300, 64]), {}]);

  test("with an input requiring grad the composite runs, and gradients flow", () => {
    const previous = c.getBackend().name as "js" | "wasm";
    try {
      c.setBackend("wasm");
      const q = c.randn([2, 5, 4]);
      q.requiresGrad = true;
      const ops = c.profileOps(() => c.scaledDotProductAttention(q, c.randn([2, 6, 4]), c.randn([2, 6, 3]), { isCausal: true }).sum().backward());
      assert.ok(ops.some((o) => o.op === "matmul"), "the composite's matmul ran");
      assert.deepEqual(q.grad!.shape, [2, 5, 4]);
    } finally {
      c.setBackend(previous);
    }
  });
});
