/**
 * Sending a kernel op to a backend. The inputs' backend runs it when it has a kernel for
 * the inputs' dtypes and layouts; otherwise `js`, which has every kernel, computes it and
 * the result moves back. Fallbacks are counted so benchmarks can show them.
 */
import type { Storage } from "../core/storage.ts";
import type { Tensor } from "../core/tensor.ts";
import type { Inference } from "../ops/define-op.ts";
import type { Backend } from "./backend.ts";
import { backends, getBackend, jsBackend } from "./index.ts";
import { computeJs } from "./js/index.ts";

const fallbacks = new Map<string, number>();

/** How many times each op fell back to the js backend. */
export function fallbackCounts(): ReadonlyMap<string, number> {
  return fallbacks;
}

function backendOf(inputs: readonly Tensor[]): Backend {
  const first = inputs.find((t) => !t.wrappedNumber) ?? inputs[0];
  return first ? (backends[first.storage.owner.name] ?? getBackend()) : getBackend();
}

/** Time and calls per op and backend, while `profileOps` runs. */
export interface OpProfile {
  op: string;
  backend: string;
  calls: number;
  ms: number;
}

let profile: Map<string, OpProfile> | null = null;

/**
 * Runs `fn` and returns how long each op's kernels took, by backend ("js (fallback)" for
 * ops the inputs' backend could not run), slowest first.
 */
export function profileOps(fn: () => void): OpProfile[] {
  const previous = profile;
  profile = new Map();
  try {
    fn();
    return [...profile.values()].sort((a, b) => b.ms - a.ms);
  } finally {
    profile = previous;
  }
}

function timed<T>(op: string, backend: string, run: () => T): T {
  if (profile === null) return run();
  const t0 = performance.now();
  const result = run();
  const key = `${op}@${backend}`;
  const entry = profile.get(key) ?? { op, backend, calls: 0, ms: 0 };
  entry.calls++;
  entry.ms += performance.now() - t0;
  profile.set(key, entry);
  return result;
}

export function runKernel(op: string, inputs: readonly Tensor[], attrs: unknown, inference: Inference): Storage[] {
  const backend = backendOf(inputs);
  if (backend === jsBackend) return timed(op, "js", () => jsBackend.run(op, inputs, attrs, inference)!);
  const out = timed(op, backend.name, () => backend.run(op, inputs, attrs, inference));
  if (out) return out;
  // No kernel here for these inputs: js computes (reading the inputs in place) and the
  // results move to the inputs' backend, so the data stays where the model lives.
  fallbacks.set(op, (fallbacks.get(op) ?? 0) + 1);
  return timed(op, "js (fallback)", () =>
    computeJs(op, inputs, attrs, inference).map((data, i) => backend.adopt(inference.outputs[i]!.dtype, data)),
  );
}
