/**
 * Per-op profile of one training step (`node --import tsx bench/profile-training.ts [mlp|cnn]`):
 * the kernels' time by op and backend (dispatch.profileOps), the share of the whole step,
 * and any op that fell back to the js backend.
 */
import * as c from "../src/index.ts";
import { fallbackCounts, profileOps } from "../src/backends/dispatch.ts";
import { cnnStep, mlpStep } from "./training.ts";

c.setBackend("wasm");
await c.ready();
const kind = process.argv[2] === "mlp" ? "mlp" : "cnn";
const step = kind === "mlp" ? mlpStep() : cnnStep();
for (let i = 0; i < 3; i++) {
  step();
  await new Promise((r) => setTimeout(r, 0));
}
const reps = Number(process.argv[3] ?? 5);
const totals = new Map<string, { calls: number; ms: number }>();
let wall = 0;
for (let i = 0; i < reps; i++) {
  await new Promise((r) => setTimeout(r, 0));
  const t0 = performance.now();
  const prof = profileOps(step);
  wall += performance.now() - t0;
  for (const p of prof) {
    const key = `${p.op}@${p.backend}`;
    const e = totals.get(key) ?? { calls: 0, ms: 0 };
    e.calls += p.calls;
    e.ms += p.ms;
    totals.set(key, e);
  }
}
const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = rows.reduce((s, [, e]) => s + e.ms, 0) / reps;
console.log(`${kind}: step ${(wall / reps).toFixed(1)} ms, kernels ${kernelMs.toFixed(1)} ms (${((kernelMs / (wall / reps)) * 100).toFixed(0)}%)`);
for (const [key, e] of rows) {
  console.log(`${key.padEnd(36)} ${(e.calls / reps).toFixed(0).padStart(5)} calls ${(e.ms / reps).toFixed(2).padStart(9)} ms ${((e.ms / wall) * 100).toFixed(1).padStart(6)}%`);
}
console.log("fallbacks:", JSON.stringify([...fallbackCounts()]));
process.exit(0);
