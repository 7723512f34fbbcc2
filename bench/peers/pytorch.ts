/**
 * Runs bench/peers/torch_bench.py with Debian's PyTorch when it is installed, with the
 * thread settings ../shared/PEERS.md prescribes, and returns its JSON (undefined when
 * PyTorch is not there: the benchmark then prints "-" in its columns).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface TorchResult {
  torch: string;
  threads: number;
  sgemm_ms: Record<string, number>;
  conv2d_ms: number;
  train_samples_per_s: { mlp: number; cnn: number };
}

const PYTHON = "/usr/bin/python3";
const cache = new Map<number, TorchResult | undefined>();

export function pytorch(threads: number): TorchResult | undefined {
  if (cache.has(threads)) return cache.get(threads);
  let result: TorchResult | undefined;
  if (existsSync(PYTHON)) {
    const script = fileURLToPath(new URL("./torch_bench.py", import.meta.url));
    // For 2 threads PyTorch's OpenMP pool does the work and OpenBLAS stays single-threaded.
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: "1" };
    const run = spawnSync(PYTHON, [script, String(threads)], { env, encoding: "utf8", timeout: 600_000 });
    if (run.status === 0) result = JSON.parse(run.stdout.trim().split("\n").pop()!) as TorchResult;
  }
  cache.set(threads, result);
  return result;
}
