/**
 * Autograd semantics pinned by hand: leaves and non-leaves, accumulation, retainGraph,
 * grad() with createGraph, hooks, no-grad mode, and the in-place rules.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AutogradError, grad, noGrad, enableGrad, isGradEnabled, tensor, ones, UnsupportedError } from "../../src/index.ts";

const f64 = (data: number[] | number[][]) => tensor(data, { dtype: "float64", requiresGrad: true });

describe("backward", () => {
  test("accumulates into .grad of leaves across calls", () => {
    const x = f64([1, 2, 3]);
    x.mul(x).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [2, 4, 6]);
    x.mul(3).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [5, 7, 9]);
  });

  test("non-scalar outputs need a gradient", () => {
    const x = f64([1, 2]);
    assert.throws(() => x.mul(2).backward(), AutogradError);
    x.mul(2).backward(tensor([1, 10], { dtype: "float64" }));
    assert.deepEqual(x.grad!.toArray(), [2, 20]);
  });

  test("non-leaves have no .grad unless retainGrad()", () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    const z = y.mul(y).sum();
    y.retainGrad();
    z.backward();
    // dz/dy = 2y = [4, 8]
    assert.deepEqual(y.grad!.toArray(), [4, 8]);
    assert.equal(x.mul(1).grad, null);
    assert.equal(y.isLeaf, false);
    assert.equal(x.isLeaf, true);
  });

  test("a second backward through a freed graph is an error; retainGraph allows it", () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward();
    assert.throws(() => y.backward(), /second time/);
    const z = x.exp().sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
  });

  test("a tensor that does not require grad cannot start backward", () => {
    assert.throws(() => tensor([1.5]).sum().backward(), /does not require grad/);
  });

  test("gradients reaching a shared input are summed (diamond)", () => {
    const x = f64([2]);
    const a = x.mul(3);
    const b = x.pow(2);
    a.add(b).sum().backward();
    // d/dx (3x + x^2) = 3 + 2x = 7
    assert.deepEqual(x.grad!.toArray(), [7]);
  });

  test("gradient of a float32 input through a float64 op comes back float32", () => {
    const x = tensor([1, 2], { dtype: "float32", requiresGrad: true });
    x.mul(tensor([3, 4], { dtype: "float64" })).sum().backward();
    assert.equal(x.grad!.dtype, "float32");
    assert.deepEqual(x.grad!.toArray(), [3, 4]);
  });

  test("long chains do not overflow the stack", () => {
    const x = f64([1]);
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(1);
    y.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [1]);
  });
});

describe("grad()", () => {
  test("returns gradients without touching .grad", () => {
    const x = f64([1, 2, 3]);
    const [g] = grad(x.pow(3).sum(), [x]);
    assert.deepEqual(g!.toArray(), [3, 12, 27]);
    assert.equal(x.grad, null);
  });

  test("createGraph gives differentiable gradients (second derivative)", () => {
    const x = f64([1, 2]);
    const [g] = grad(x.pow(3).sum(), [x], { createGraph: true });
    const [gg] = grad(g!.sum(), [x]);
    // d2/dx2 x^3 = 6x
    assert.deepEqual(gg!.toArray(), [6, 12]);
  });

  test("third derivative of sin", () => {
    const x = f64([0.5]);
    const [g1] = grad(x.sin().sum(), [x], { createGraph: true });
    const [g2] = grad(g1!.sum(), [x], { createGraph: true });
    const [g3] = grad(g2!.sum(), [x]);
    assert.ok(Math.abs((g3!.item() as number) + Math.cos(0.5)) < 1e-12);
  });

  test("unused inputs: error, or null with allowUnused", () => {
    const x = f64([1]);
    const y = f64([1]);
    assert.throws(() => grad(x.mul(2).sum(), [x, y]), /not have been used/);
    const [gx, gy] = grad(x.mul(2).sum(), [x, y], { allowUnused: true });
    assert.deepEqual(gx!.toArray(), [2]);
    assert.equal(gy, null);
  });

  test("with respect to a non-leaf", () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    const [g] = grad(y.mul(y).sum(), [y]);
    assert.deepEqual(g!.toArray(), [4, 8]);
  });
});

describe("hooks", () => {
  test("a hook can replace the gradient of a leaf and of a non-leaf", () => {
    const x = f64([1, 2]);
    x.registerHook((g) => g.mul(10));
    x.mul(2).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [20, 20]);
    const w = f64([1, 2]);
    const y = w.mul(3);
    const seen: number[][] = [];
    y.registerHook((g) => {
      seen.push(g.toArray() as number[]);
    });
    const remove = y.registerHook((g) => g.mul(0));
    remove();
    y.sum().backward();
    assert.deepEqual(seen, [[1, 1]]);
    assert.deepEqual(w.grad!.toArray(), [3, 3]);
  });
});

describe("grad mode", () => {
  test("noGrad records nothing; enableGrad inside turns it back on", () => {
    const x = f64([1]);
    const y = noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    noGrad(() => {
      assert.equal(isGradEnabled(), false);
      const z = enableGrad(() => x.mul(2));
      assert.equal(z.requiresGrad, true);
    });
    assert.equal(isGradEnabled(), true);
  });

  test("detach cuts the graph but shares storage", () => {
    const x = f64([1, 2]);
    const d = x.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.storage, x.storage);
  });

  test("grad_fn names follow PyTorch", () => {
    const x = f64([1, 2]);
    assert.equal(x.add(1).gradFn!.name, "AddBackward0");
    assert.equal(x.exp().gradFn!.name, "ExpBackward0");
    assert.equal(x.mul(x).gradFn!.name, "MulBackward0");
  });

  test("only float tensors can require grad", () => {
    assert.throws(() => tensor([1, 2]).requiresGrad_(), AutogradError);
  });
});

describe("in-place rules", () => {
  test("in-place on a leaf that requires grad is refused; allowed under noGrad", () => {
    const w = f64([1, 2]);
    assert.throws(() => w.add_(1), AutogradError);
    noGrad(() => w.sub_(tensor([0.5, 0.5], { dtype: "float64" })));
    assert.deepEqual(w.toArray(), [0.5, 1.5]);
  });

  test("modifying a value saved for backward fails at backward time", () => {
    const x = f64([1, 2]);
    const y = x.mul(1);
    const z = y.exp(); // saves its output
    z.mul_(2);
    assert.throws(() => z.sum().backward(), /modified by an inplace operation/);
  });

  test("modifying a value not saved for backward is fine", () => {
    const x = f64([1, 2]);
    const y = x.mul(1);
    const z = y.add(1); // add saves nothing
    y.mul_(5);
    z.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [1, 1]);
  });

  test("in-place on a non-leaf rewires its grad_fn", () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    y.mul_(3);
    assert.equal(y.gradFn!.name, "MulBackward0");
    y.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [6, 6]);
  });

  test("a float result cannot be written into an int tensor", () => {
    const i = tensor([1, 2]);
    assert.throws(() => i.mul_(0.5), /can't be cast/);
    i.mul_(3);
    assert.deepEqual(i.toArray(), [3n, 6n]);
  });

  test("in-place on a view of a tensor that requires grad is refused with a clear error", () => {
    const x = f64([[1, 2], [3, 4]]);
    const y = x.mul(1);
    assert.throws(() => y.select(0, 0).zero_(), UnsupportedError);
  });

  test("views share storage and see writes", () => {
    const x = ones([2, 3]);
    const v = x.select(0, 1);
    v.fill_(5);
    assert.deepEqual(x.toArray(), [[1, 1, 1], [5, 5, 5]]);
    assert.equal(v.base, x);
  });
});
