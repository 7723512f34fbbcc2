/** matmul and its thin variants, tril/triu and einsum against PyTorch (fixture: scripts/fixtures/gen_linalg.py). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as c from "../../src/index.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

// PyTorch's default tolerances hold: concord accumulates float32 products in float64 and
// rounds once, PyTorch in float32, a difference of a few ulp at these sizes. Half-precision
// references are computed in float32 (see gen_linalg.py).
const product: Partial<OpInfo> = { gradgrad: true };

const pair = (f: (a: c.Tensor, b: c.Tensor) => c.Tensor, extra: Partial<OpInfo> = product): OpInfo => ({
  run: ([a, b]) => f(a!, b!),
  ...extra,
});

const infos: Record<string, OpInfo> = {
  matmul: pair(c.matmul),
  mm: pair(c.mm),
  bmm: pair(c.bmm),
  mv: pair(c.mv),
  dot: pair(c.dot),
  outer: pair(c.outer),
  tril: { run: ([x], a) => c.tril(x!, a.diagonal as number), gradgrad: true },
  triu: { run: ([x], a) => c.triu(x!, a.diagonal as number), gradgrad: true },
  einsum: { run: (xs, a) => c.einsum(a.equation as string, ...xs), ...product },
};

runOpSuite("linalg", infos);

describe("linalg corners", () => {
  const x = c.tensor([[1, 2], [3, 4]], { dtype: "float64" });
  test("error kinds: malformed einsum equations are ValueErrors, sizes ShapeErrors, dtypes DTypeErrors", () => {
    for (const eq of ["ij->kj", "ij->jj", "i..j", "i1", "ij,jk"]) assert.throws(() => c.einsum(eq, x), c.ValueError, eq);
    assert.throws(() => c.einsum("ijk", x), c.ShapeError);
    assert.throws(() => c.einsum("ij,jk", x, c.ones([3, 2], { dtype: "float64" })), c.ShapeError);
    assert.throws(() => c.matmul(x, x.float()), c.DTypeError);
    assert.throws(() => c.matmul(x.bool(), x.bool()), c.DTypeError);
    assert.throws(() => c.mm(x, c.ones([3, 2], { dtype: "float64" })), c.ShapeError);
  });
  test("tensor methods", () => {
    assert.deepEqual(x.matmul(x).toArray(), [[7, 10], [15, 22]]);
    assert.deepEqual(x.tril(-1).toArray(), [[0, 0], [3, 0]]);
    assert.deepEqual(x.triu().toArray(), [[1, 2], [0, 4]]);
  });
  test("double backward of matmul: d/dx of the gradient of sum(x·x) w.r.t. x", () => {
    // f(x) = Σ (x·x), ∂f/∂x = 1·xᵀ + xᵀ·1, so Σ ∂f/∂x = 2·Σ_ij (rowsum_j + colsum_i) is
    // linear in x: its gradient is 2·(n·1) = 4 everywhere for n = 2.
    const w = x.clone().requiresGrad_();
    const [g] = c.grad([w.matmul(w).sum()], [w], { createGraph: true });
    const [gg] = c.grad([g!.sum()], [w]);
    assert.deepEqual(gg!.toArray(), [[4, 4], [4, 4]]);
  });
});
