/** clipGradNorm_ and clipGradValue_ against PyTorch 1.13 (test/fixtures/optim-clip.json). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { tensor, ValueError, type DType, type Tensor } from "../../src/index.ts";
import { clipGradNorm_, clipGradValue_ } from "../../src/optim/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, loadFixture, type TensorSpec } from "../helpers/fixtures.ts";

interface ClipCase {
  name: string;
  maxNorm: number;
  normType: number | "inf";
  grads: (TensorSpec | null)[];
  shapes: number[][];
  dtype: DType;
  totalNorm: TensorSpec;
  clipped: (TensorSpec | null)[];
}

const fixture = loadFixture<ClipCase>("optim-clip");

function paramsWith(grads: (Tensor | null)[]): Tensor[] {
  return grads.map((g) => {
    const p = tensor(0, { dtype: g?.dtype ?? "float32" });
    p.requiresGrad = true;
    p.grad = g;
    return p;
  });
}

describe("clipGradNorm_ against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const params = paramsWith(c.grads.map((g) => (g ? decode(g) : null)));
      const total = clipGradNorm_(params, c.maxNorm, c.normType === "inf" ? Infinity : c.normType);
      assertClose(total, decode(c.totalNorm), { rtol: 1e-6 }, "total norm");
      params.forEach((p, i) => {
        const want = c.clipped[i];
        if (want === null) assert.equal(p.grad, null);
        else assertClose(p.grad!, decode(want!), { rtol: 1e-6 }, `grad ${i}`);
      });
    });
  }
});

describe("clipping errors and edge cases", () => {
  test("no gradients give a zero norm", () => {
    assert.equal(clipGradNorm_(paramsWith([null]), 1).item(), 0);
  });
  test("a non-finite norm throws with errorIfNonfinite", () => {
    const params = paramsWith([tensor([1, Infinity])]);
    assert.throws(() => clipGradNorm_(params, 1, 2, true), (e: Error) => e instanceof ValueError && /non-finite/.test(e.message));
    // Without the flag PyTorch scales by the non-finite norm: inf·0 gives nan, 1·0 gives 0.
    const total = clipGradNorm_(params, 1);
    assert.equal(total.item(), Infinity);
    assert.deepEqual(params[0]!.grad!.toArray(), [0, NaN]);
  });
  test("bad arguments", () => {
    const params = paramsWith([tensor([1, 2], { dtype: "float32" })]);
    assert.throws(() => clipGradNorm_(params, -1), ValueError);
    assert.throws(() => clipGradNorm_(params, NaN), ValueError);
    assert.throws(() => clipGradNorm_(params, 1, "fro" as unknown as number), ValueError);
    assert.throws(() => clipGradNorm_([1] as unknown as Tensor[], 1), ValueError);
    assert.throws(() => clipGradValue_(params, NaN), ValueError);
  });
  test("clipGradValue_ clamps each gradient", () => {
    const params = paramsWith([tensor([-3, -0.5, 0.25, 2], { dtype: "float32" }), null]);
    clipGradValue_(params, 1);
    assert.deepEqual(params[0]!.grad!.toArray(), [-1, -0.5, 0.25, 1]);
    assert.equal(params[1]!.grad, null);
  });
});
