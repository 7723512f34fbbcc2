/**
 * In-place twins (`x.tril_()`, `x.lerp_(end, w)`, ...): each writes the out-of-place result
 * into x, returns x and bumps its storage version by one; the autograd rules for in-place
 * ops (src/ops/inplace.ts) hold for them as for `add_`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AutogradError, tensor, type Tensor } from "../../src/index.ts";

const f64 = (data: number[][], requiresGrad = false) => tensor(data, { dtype: "float64", requiresGrad });
const x0 = () => f64([[1.5, -2, 3], [4, 5.25, -6], [7, 8, 9.75]]);
const other = f64([[2, 2, 2], [-1, 5.25, 3], [0.5, 8, 1]]);
const mask = tensor([[true, false, false], [false, true, false], [true, false, true]]);
const index = tensor([[0, 1, 2], [2, 0, 1]]);
const src = f64([[10, 20, 30], [40, 50, 60]]);

/** [in-place call, the out-of-place call it must match]; the out-of-place result is cast to x's dtype. */
const cases: Record<string, [(x: Tensor) => Tensor, (x: Tensor) => Tensor]> = {
  tril_: [(x) => x.tril_(1), (x) => x.tril(1)],
  triu_: [(x) => x.triu_(-1), (x) => x.triu(-1)],
  lerp_: [(x) => x.lerp_(other, 0.25), (x) => x.lerp(other, 0.25)],
  addcmul_: [(x) => x.addcmul_(other, other, 0.5), (x) => x.addcmul(other, other, 0.5)],
  addcdiv_: [(x) => x.addcdiv_(other, other.add(10), 2), (x) => x.addcdiv(other, other.add(10), 2)],
  frac_: [(x) => x.frac_(), (x) => x.frac()],
  floorDivide_: [(x) => x.floorDivide_(other), (x) => x.floorDivide(other)],
  cumsum_: [(x) => x.cumsum_(1), (x) => x.cumsum(1)],
  cumprod_: [(x) => x.cumprod_(0), (x) => x.cumprod(0)],
  eq_: [(x) => x.eq_(other), (x) => x.eq(other)],
  lt_: [(x) => x.lt_(other), (x) => x.lt(other)],
  maskedFill_: [(x) => x.maskedFill_(mask, 7), (x) => x.maskedFill(mask, 7)],
  scatterAdd_: [(x) => x.scatterAdd_(0, index, src), (x) => x.scatterAdd(0, index, src)],
};

describe("in-place twins match their out-of-place op", () => {
  for (const [name, [inPlace, outOfPlace]] of Object.entries(cases)) {
    test(name, () => {
      const x = x0();
      const expected = outOfPlace(x).to("float64").toArray();
      const version = x.storage.version;
      const result = inPlace(x);
      assert.equal(result, x, `${name} returns x itself`);
      assert.deepEqual(x.toArray(), expected);
      assert.equal(x.dtype, "float64");
      assert.equal(x.storage.version, version + 1, `${name} bumps the version once`);
    });
  }

  test("an int64 tensor scans in place (cumsum of int64 stays int64)", () => {
    const i = tensor([1, 2, 3]);
    i.cumsum_(0);
    assert.deepEqual(i.toArray(), [1n, 3n, 6n]);
  });
});

describe("in-place twins follow the version-counter rule", () => {
  test("changing a value saved for backward makes that backward fail", () => {
    const a = x0().requiresGrad_();
    const y = a.exp(); // exp's vjp reads its output
    y.tril_();
    assert.throws(() => y.sum().backward(), /modified by an inplace operation/);
  });

  test("changing a value nobody saved is fine, and the gradient flows through the twin", () => {
    const a = x0().requiresGrad_();
    const y = a.mul(2); // mul by a number saves nothing of y
    y.triu_(); // d/dy sum(triu(y)) is the upper-triangle mask
    y.sum().backward();
    assert.deepEqual(a.grad!.toArray(), [[2, 2, 2], [0, 2, 2], [0, 0, 2]]);
  });

  test("a leaf that requires grad cannot be changed in place", () => {
    const a = f64([[1, 2], [3, 4]], true);
    assert.throws(() => a.lerp_(f64([[0, 0], [0, 0]]), 0.5), AutogradError);
    assert.throws(() => a.addcmul_(a, a), AutogradError);
  });
});
