/**
 * The engine's gradient temporaries (see Note: gradient ownership, src/autograd/backward.ts):
 * disposed as soon as they are used, a leaf's first gradient taken as its .grad without a
 * copy — and never when user code can see the gradient or another leaf shares its storage.
 * Runs on both backends.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { getBackend, grad, ones, rand, setBackend, tensor, zeros, type Tensor } from "../../src/index.ts";

for (const name of ["js", "wasm"] as const) {
  describe(`gradient ownership on ${name}`, () => {
    test("a long chain's backward frees its temporaries without the garbage collector", () => {
      setBackend(name);
      const x = rand([1 << 18], { requiresGrad: true }); // 1 MB
      let y: Tensor = x;
      for (let i = 0; i < 40; i++) y = y.mul(1.01).add(0.5);
      const loss = y.sum();
      const before = getBackend().liveBytes();
      loss.backward();
      // 80 backward steps of 1 MB each: kept, they would add ~80 MB; x.grad is 1 MB.
      const grown = getBackend().liveBytes() - before;
      assert.ok(grown < 8 * (1 << 20), `live bytes grew by ${grown}`);
      assert.ok(Math.abs((x.grad!.toArray() as number[])[7]! - 1.01 ** 40) < 1e-3);
    });

    test("leaves fed one gradient get separate .grad tensors", () => {
      setBackend(name);
      const a = rand([3, 4], { requiresGrad: true });
      const b = rand([3, 4], { requiresGrad: true });
      const c = rand([12], { requiresGrad: true });
      const d = rand([1, 3, 4], { requiresGrad: true });
      a.add(b).add(c.reshape([3, 4])).add(d).sum().backward();
      a.grad!.mul_(5);
      for (const t of [b, c, d]) assert.deepEqual(t.grad!.flatten().toArray(), new Array(12).fill(1));
      b.grad!.zero_();
      assert.deepEqual(c.grad!.toArray(), new Array(12).fill(1));
      assert.deepEqual(d.grad!.flatten().toArray(), new Array(12).fill(1));
    });

    test("a gradient passed to backward stays the caller's", () => {
      setBackend(name);
      const x = rand([4], { requiresGrad: true });
      const g = tensor([1, 2, 3, 4], { dtype: "float32" });
      x.add(0).backward(g);
      assert.notEqual(x.grad, g);
      x.grad!.zero_();
      assert.deepEqual(g.toArray(), [1, 2, 3, 4]);
    });

    test("gradients seen by hooks, retained or captured stay readable", () => {
      setBackend(name);
      const x = ones([3], { requiresGrad: true });
      const y = x.mul(2);
      const z = y.mul(3);
      y.retainGrad();
      const seen: Tensor[] = [];
      z.registerHook((g) => void seen.push(g));
      z.mul(4).sum().backward();
      assert.deepEqual(seen[0]!.toArray(), [4, 4, 4]);
      assert.deepEqual(y.grad!.toArray(), [12, 12, 12]);
      assert.deepEqual(x.grad!.toArray(), [24, 24, 24]);
      const w = ones([2], { requiresGrad: true });
      const h = w.mul(3);
      const [gh, gw] = grad(h.mul(h).sum(), [h, w]);
      assert.deepEqual(gh!.toArray(), [6, 6]);
      assert.deepEqual(gw!.toArray(), [18, 18]);
    });

    test("accumulating into an existing .grad leaves the incoming gradient alone", () => {
      setBackend(name);
      const x = zeros([2], { requiresGrad: true });
      x.mul(2).sum().backward();
      const first = x.grad!;
      x.mul(3).sum().backward();
      assert.equal(x.grad, first);
      assert.deepEqual(x.grad!.toArray(), [5, 5]);
    });
  });
}
