/**
 * `npm run bench`: every benchmark, each peer measured in the same run, ratios printed.
 * Each part runs in its own process (peers and concord's thread pool do not share one),
 * one after another. `npm run bench -- sgemm conv` runs only the parts named.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const parts: [string, string][] = [
  ["js", "js-backend-main.ts"],
  ["sgemm", "sgemm.ts"],
  ["conv", "conv2d.ts"],
  ["elementwise", "elementwise-wasm.ts"],
  ["training", "training-main.ts"],
  ["onnx", "onnx-inference.ts"],
  ["onnx-conformance", "onnx-conformance.ts"],
];

const only = process.argv.slice(2);
console.log(`concord benchmarks — node ${process.version}, ${new Date().toISOString()}`);
let failed = 0;
for (const [name, file] of parts) {
  if (only.length > 0 && !only.includes(name)) continue;
  const script = fileURLToPath(new URL(file, import.meta.url));
  const run = spawnSync(process.execPath, ["--import", "tsx", script], { stdio: "inherit", env: process.env });
  if (run.status !== 0) {
    failed++;
    console.log(`(benchmark part ${name} exited with ${run.status ?? run.signal})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
