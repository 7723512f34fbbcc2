/**
 * gather and scatterReduce "sum" on the wasm backend (kernels/gather.ts) against the js
 * kernels, bit for bit, with strided inputs and indices, and no fallback.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as c from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";

function onBoth(build: () => Tensor[]): { wasm: number[][]; js: number[][]; fellBack: boolean } {
  const fallbacks = () => ["gather", "scatterReduce"].reduce((n, op) => n + (c.fallbackCounts().get(op) ?? 0), 0);
  const run = (backend: "js" | "wasm") => {
    c.setBackend(backend);
    c.manualSeed(11);
    return build().map((t) => [...(t.dataSync() as Float32Array)]);
  };
  const before = fallbacks();
  const wasm = run("wasm");
  const fellBack = fallbacks() !== before;
  return { wasm, js: run("js"), fellBack };
}

test("gather and scatterAdd / scatterReduce sum agree with js bit for bit", async () => {
  await c.ready();
  const cases: [string, () => Tensor[]][] = [
    ["logits pick (cross-entropy)", () => {
      const x = c.randn([64, 10]);
      const y = c.randint(0, 10, [64]).unsqueeze(1);
      return [x.gather(1, y), c.zeros([64, 10]).scatterAdd(1, y, c.randn([64, 1]))];
    }],
    ["dim 0 of a transposed 3-d tensor, a strided index", () => {
      const x = c.randn([5, 7, 3]).transpose(0, 2);
      const index = c.randint(0, 3, [2, 6, 10]).slice(2, 0, null, 2);
      const src = c.randn([4, 7, 5]);
      return [x.gather(0, index), x.scatterAdd(0, index, src), x.scatterReduce(0, index, src, "sum", { includeSelf: false })];
    }],
    ["repeated indices accumulate in order", () => {
      const index = c.tensor([[0, 0, 1, 0], [2, 2, 2, 2]], { dtype: "int64" });
      const src = c.tensor([[1e8, 1, -1e8, 3], [0.1, 0.2, 0.3, 0.4]], { dtype: "float32" });
      return [c.ones([2, 4]).scatterAdd(1, index, src)];
    }],
  ];
  for (const [what, build] of cases) {
    const r = onBoth(build);
    assert.equal(r.fellBack, false, `${what} fell back to js`);
    r.wasm.forEach((values, k) => assert.deepEqual(values, r.js[k], `${what}: output ${k}`));
  }
});

test("an out-of-range index raises the js kernel's error", async () => {
  await c.ready();
  c.setBackend("wasm");
  assert.throws(() => c.randn([3, 4]).gather(1, c.tensor([[4]], { dtype: "int64" })), c.ConcordError);
});
