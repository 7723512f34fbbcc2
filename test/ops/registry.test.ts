/** Every op record is complete: an ONNX form, a js kernel for kernel ops, a name matching its key. */
import assert from "node:assert/strict";
import { test } from "node:test";
import "../../src/index.ts";
import { ops } from "../../src/ops/registry.ts";
import { jsKernels } from "../../src/backends/js/kernels/index.ts";

test("each op record has an ONNX form and is named after its key", () => {
  for (const [key, def] of Object.entries(ops)) {
    assert.equal(def.name, key, `record ${key} is named ${def.name}`);
    assert.ok(def.onnx && def.onnx.type.length > 0, `${key} has no ONNX form`);
  }
});

test("each kernel op has a js kernel, and the js table has nothing else", () => {
  const kernelOps = Object.entries(ops).filter(([, d]) => d.kind === "kernel").map(([k]) => k).sort();
  assert.deepEqual(Object.keys(jsKernels).sort(), kernelOps);
});
