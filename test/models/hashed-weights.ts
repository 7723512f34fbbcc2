/**
 * Hashed state dicts: every tensor a fixed function of (its position in the state dict, its
 * element index), so a test rebuilds the same 10-500 MB state dict that
 * scripts/fixtures/gen_models.py loads into torchvision — without committing it. Mirrors
 * `hashed_unit` / `hashed_tensor` there; change both or neither.
 */
import { tensor, type Tensor } from "../../src/index.ts";
import type { StateDict } from "../../src/nn/index.ts";

/** n values in [-1, 1): a 32-bit integer hash of (stream, index), computed in float64. */
export function hashedUnit(n: number, stream: number): Float64Array {
  const out = new Float64Array(n);
  const base = Math.imul(stream, 0x9e3779b9);
  for (let i = 0; i < n; i++) {
    let x = (i + base) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d);
    x ^= x >>> 15;
    x = Math.imul(x, 0x846ca68b);
    x ^= x >>> 16;
    out[i] = ((x >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

function hashedValues(key: string, shape: readonly number[], stream: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = hashedUnit(n, stream);
  const out = new Float32Array(n);
  const leaf = key.slice(key.lastIndexOf(".") + 1);
  if (leaf === "running_var") for (let i = 0; i < n; i++) out[i] = 1 + 0.5 * v[i]!;
  else if (leaf === "class_token" || leaf === "pos_embedding") for (let i = 0; i < n; i++) out[i] = 0.1 * v[i]!;
  else if (shape.length >= 2) {
    const scale = Math.sqrt(6 / shape.slice(1).reduce((a, b) => a * b, 1));
    for (let i = 0; i < n; i++) out[i] = v[i]! * scale;
  } else if (leaf === "weight") for (let i = 0; i < n; i++) out[i] = 1 + 0.25 * v[i]!;
  else for (let i = 0; i < n; i++) out[i] = 0.1 * v[i]!;
  return out;
}

/** The hashed state dict for a model's keys, shapes and dtypes (taken from its own stateDict). */
export function hashedStateDict(template: StateDict): StateDict {
  const out: StateDict = {};
  Object.entries(template).forEach(([key, t], stream) => {
    out[key] = t.dtype === "int64"
      ? tensor(BigInt(stream), { dtype: "int64" })
      : tensor(hashedValues(key, t.shape, stream), { shape: [...t.shape], dtype: "float32" });
  });
  return out;
}

/** The hashed input image of gen_models.py (stream INPUT_STREAM). */
export function hashedInput(shape: readonly number[], stream: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from(hashedUnit(n, stream)), { shape: [...shape], dtype: "float32" });
}
