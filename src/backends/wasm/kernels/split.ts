/** Splitting work between the pool's threads. */
import { wasmRuntime } from "../runtime.ts";

/**
 * [start, end) ranges covering [0, n), one per thread, each at least `grain` long (so
 * small ops stay on one thread, where waking workers would cost more than it saves) and
 * aligned to 16 elements so SIMD loops see whole vectors.
 */
export function splitRange(n: number, grain: number): [number, number][] {
  const threads = Math.max(1, Math.min(wasmRuntime().pool.threads, Math.floor(n / grain)));
  const ranges: [number, number][] = [];
  const step = Math.ceil(n / threads / 16) * 16;
  for (let s = 0; s < n; s += step) ranges.push([s, Math.min(n, s + step)]);
  return ranges.length > 0 ? ranges : [[0, 0]];
}
