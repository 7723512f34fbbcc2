/**
 * Copies on the wasm backend (kernels/copy.ts): clone and in-place writes of strided
 * float32 views — transposed matrices by tiles, other layouts by the strided walk — give
 * the source's values exactly.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as c from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";

const cases: [string, number[], (t: Tensor) => Tensor][] = [
  ["transposed matrix, odd sizes", [37, 45], (t) => t.t()],
  ["transposed tall matrix (rows split between threads)", [9216, 20], (t) => t.t()],
  ["batched transposes", [3, 40, 50], (t) => t.transpose(1, 2)],
  ["transposed slice of a wider matrix", [30, 70], (t) => t.slice(1, 3, 60).t()],
  ["small transposed matrix (walk)", [5, 7], (t) => t.t()],
  ["stepped slice (walk)", [20, 30], (t) => t.slice(1, 0, null, 3)],
];

test("clone and copy_ of strided float32 views copy every value exactly", async () => {
  c.setBackend("wasm");
  await c.ready();
  for (const [what, shape, view] of cases) {
    const base = c.randn(shape);
    const v = view(base);
    c.setBackend("js");
    const reference = [...(view(c.tensor(base.dataSync() as Float32Array, { shape })).contiguous().dataSync() as Float32Array)];
    c.setBackend("wasm");
    const cloned = v.clone();
    assert.ok(cloned.isContiguous(), `${what}: clone is contiguous`);
    assert.deepEqual([...(cloned.dataSync() as Float32Array)], reference, `${what}: clone`);
    const target = c.zeros(v.shape);
    target.copy_(v);
    assert.deepEqual([...(target.dataSync() as Float32Array)], reference, `${what}: copy_`);
  }
});
