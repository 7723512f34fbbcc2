/** Shared pieces of the model tests: fixtures, tolerance, yielding to the GC. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Tensor } from "../../src/index.ts";
import { decode, type TensorSpec } from "../helpers/fixtures.ts";

export const FIXTURES = fileURLToPath(new URL("../fixtures/models/", import.meta.url));

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(FIXTURES + name, "utf8")) as T;
}

/** Lets finalizers free the previous model's buffers (they run between macrotasks). */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * "Within 1e-4 relative" of PyTorch's output: every element within 1e-4·|expected| +
 * 1e-4·max|expected| (the second term so logits near zero are judged on the output's scale).
 * Returns the largest |difference| / max|expected|.
 */
export function assertOutputClose(actual: Tensor, expectedSpec: TensorSpec, what: string): number {
  const expected = decode(expectedSpec);
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const a = actual.dataSync() as Float32Array;
  const e = expected.dataSync() as Float32Array;
  let scale = 0;
  for (const v of e) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    const diff = Math.abs(a[i]! - e[i]!);
    const bound = 1e-4 * Math.abs(e[i]!) + 1e-4 * scale;
    if (!(diff <= bound)) assert.fail(`${what}: element ${i} is ${a[i]}, expected ${e[i]} (|diff| ${diff}, bound ${bound})`);
    worst = Math.max(worst, scale > 0 ? diff / scale : diff);
  }
  assert.ok(worst < 1e-4, `${what}: worst difference ${worst} of max|expected|`);
  return worst;
}
