/**
 * Memory is garbage-collected: a training-style loop with no manual memory calls keeps the
 * backend's live bytes and the process heap flat; dispose() and `using` free at once.
 * Runs on both backends.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { getBackend, noGrad, randn, setBackend, zeros } from "../../src/index.ts";

const collect = async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    // finalizers run on a later turn of the event loop
    await new Promise((r) => setTimeout(r, 10));
  }
};

for (const name of ["js", "wasm"] as const) {
  describe(`${name} backend`, () => {
    before(() => setBackend(name));

    test("10,000 forward + backward + update steps keep live bytes and heap flat", async () => {
      const backend = getBackend();
      const w = randn([32, 32], { requiresGrad: true });
      const x = randn([32, 32]);
      const step = () => {
        const loss = x.mul(w).tanh().mul(x).sum();
        loss.backward();
        noGrad(() => w.sub_(w.grad!.mul(0.001)));
        w.grad = null;
      };
      for (let i = 0; i < 1000; i++) step();
      await collect();
      const bytesAfterWarmup = backend.liveBytes();
      const heapAfterWarmup = process.memoryUsage().heapUsed;
      for (let i = 0; i < 9000; i++) {
        step();
        if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 0));
      }
      await collect();
      const bytesGrowth = backend.liveBytes() - bytesAfterWarmup;
      const heapGrowth = process.memoryUsage().heapUsed - heapAfterWarmup;
      // One step allocates ~40 KB of buffers: 9000 leaked steps would be ~360 MB.
      assert.ok(bytesGrowth < 2_000_000, `live bytes grew by ${bytesGrowth}`);
      assert.ok(heapGrowth < 30_000_000, `heap grew by ${heapGrowth}`);
    });

    test("dispose() and `using` free the buffer at once", () => {
      const backend = getBackend();
      const before = backend.liveBytes();
      const t = zeros([1000]);
      // The wasm heap rounds blocks up to a size class.
      assert.ok(backend.liveBytes() - before >= 4000);
      t.dispose();
      assert.equal(backend.liveBytes(), before);
      assert.throws(() => t.dataSync(), /after dispose/);
      {
        using u = zeros([250], { dtype: "float64" });
        assert.ok(backend.liveBytes() - before >= 2000);
        assert.equal(u.size, 250);
      }
      assert.equal(backend.liveBytes(), before);
    });

    test("a view keeps its storage alive after the base is disposed", () => {
      const backend = getBackend();
      const before = backend.liveBytes();
      const base = zeros([10]);
      const v = base.slice(0, 2, 5);
      base.dispose();
      assert.ok(backend.liveBytes() - before >= 40);
      assert.deepEqual(v.toArray(), [0, 0, 0]);
      v.dispose();
      assert.equal(backend.liveBytes(), before);
    });
  });
}
