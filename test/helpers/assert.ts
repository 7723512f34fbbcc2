/** Value assertions for tensors, with PyTorch's default tolerances per dtype. */
import assert from "node:assert/strict";
import type { DType, Tensor } from "../../src/index.ts";

export interface Tolerance {
  rtol?: number;
  atol?: number;
  /** Apply the override only to these dtypes (default: all). */
  only?: readonly DType[];
}

/** torch.testing.assert_close defaults. */
export const DEFAULT_TOLERANCE: Record<DType, { rtol: number; atol: number }> = {
  float32: { rtol: 1.3e-6, atol: 1e-5 },
  float64: { rtol: 1e-7, atol: 1e-7 },
  float16: { rtol: 1e-3, atol: 1e-5 },
  bfloat16: { rtol: 1.6e-2, atol: 1e-5 },
  int8: { rtol: 0, atol: 0 },
  uint8: { rtol: 0, atol: 0 },
  int16: { rtol: 0, atol: 0 },
  int32: { rtol: 0, atol: 0 },
  int64: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

/**
 * Asserts same dtype, same shape and close values: nan matches nan, infinities must match
 * exactly, integers and bools exactly, floats within atol + rtol·|expected|.
 */
export function assertClose(actual: Tensor, expected: Tensor, tol: Tolerance = {}, what = "tensor"): void {
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype ${actual.dtype}, expected ${expected.dtype}`);
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape [${actual.shape}], expected [${expected.shape}]`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  // An override loosens the dtype's default; it never tightens it.
  const base = DEFAULT_TOLERANCE[expected.dtype];
  const applies = !tol.only || tol.only.includes(expected.dtype);
  const rtol = Math.max(base.rtol, applies ? (tol.rtol ?? 0) : 0);
  const atol = Math.max(base.atol, applies ? (tol.atol ?? 0) : 0);
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (base.rtol === 0 && base.atol === 0 && typeof y !== "bigint") {
      if (x !== y) assert.fail(`${what}: element ${i} is ${x}, expected ${y}`);
      continue;
    }
    if (typeof y === "bigint") {
      if (x !== y) assert.fail(`${what}: element ${i} is ${x}, expected ${y}`);
      continue;
    }
    const xv = x as number;
    if (Number.isNaN(y)) {
      if (!Number.isNaN(xv)) assert.fail(`${what}: element ${i} is ${xv}, expected nan`);
    } else if (!Number.isFinite(y)) {
      if (xv !== y) assert.fail(`${what}: element ${i} is ${xv}, expected ${y}`);
    } else if (!(Math.abs(xv - y) <= atol + rtol * Math.abs(y))) {
      assert.fail(`${what}: element ${i} is ${xv}, expected ${y} (|diff| ${Math.abs(xv - y)}, rtol ${rtol}, atol ${atol})`);
    }
  }
}
