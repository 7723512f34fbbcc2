/**
 * Fused optimizer updates of contiguous float32 tensors in the heap (assembly/optim.ts),
 * split across threads by element ranges; anything else runs on the js kernels.
 */
import { adamScalars, type AdamStepAttrs } from "../../../ops/defs/optim-step.ts";
import type { WasmKernel } from "../index.ts";
import { allocOutput, GRAIN } from "./elementwise.ts";
import { denseF32, runUnits } from "./reduce.ts";

const adamStep: WasmKernel = (inputs, attrs) => {
  const a = attrs as AdamStepAttrs;
  const ptrs = inputs.map(denseF32);
  if (ptrs.some((p) => p === null)) return null;
  const n = inputs[0]!.size;
  const outs = [0, 1, 2].map(() => allocOutput("float32", n));
  const { stepSize, bc2Sqrt, decay, l2 } = adamScalars(a);
  const scalars = [a.beta1, a.beta2, 1 - a.beta1, 1 - a.beta2, a.eps, decay, l2, a.maximize ? -1 : 1, stepSize, bc2Sqrt, a.decoupled ? 1 : 0];
  // Units of 16 elements keep every thread's range on whole vectors.
  runUnits("adamStepF32Units", [...(ptrs as number[]), ...outs.map((o) => o.ptr), ...scalars, n], Math.ceil(n / 16), 16, GRAIN.transcendental);
  return outs.map((o) => o.storage);
};

export const optimStepKernels: Record<string, WasmKernel> = { adamStep };
