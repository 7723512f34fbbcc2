// Runs the fuzz tests (test files whose path contains "fuzz") with many more iterations.
// Usage: node scripts/fuzz.mjs [iterations] [filter...]
//   iterations: per fuzz target (default: CONCORD_FUZZ_ITERATIONS, else 5000)
//   filter: parts of fuzz test paths, e.g. "pytorch-fuzz" (default: every fuzz test)
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const iterations = /^\d+$/.test(args[0] ?? "") ? args.shift() : (process.env.CONCORD_FUZZ_ITERATIONS ?? "5000");
const filters = args.length > 0 ? args : ["fuzz"];
const notFuzz = filters.filter((f) => !f.includes("fuzz"));
if (notFuzz.length > 0) {
  console.error(`filters must name fuzz test files (paths containing "fuzz"), got: ${notFuzz.join(", ")}`);
  process.exit(1);
}
const runner = new URL("./run-tests.mjs", import.meta.url).pathname;
const result = spawnSync(process.execPath, [runner, ...filters], {
  stdio: "inherit",
  env: { ...process.env, CONCORD_FUZZ_ITERATIONS: iterations },
});
process.exit(result.status ?? 1);
