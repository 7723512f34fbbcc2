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

export function runKernel(op: string, inputs: readonly Tensor[], attrs: unknown, inference: Inference): Storage[] {
  const backend = backendOf(inputs);
  if (backend === jsBackend) return jsBackend.run(op, inputs, attrs, inference)!;
  const out = backend.run(op, inputs, attrs, inference);
  if (out) return out;
  // No kernel here for these inputs: js computes (reading the inputs in place) and the
  // results move to the inputs' backend, so the data stays where the model lives.
  fallbacks.set(op, (fallbacks.get(op) ?? 0) + 1);
  return computeJs(op, inputs, attrs, inference).map((data, i) => backend.adopt(inference.outputs[i]!.dtype, data));
}
