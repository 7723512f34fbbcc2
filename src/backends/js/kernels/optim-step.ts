/**
 * Fused optimizer updates (ops/defs/optim-step.ts): each element's update computed in
 * float64 from the stored values, the new state rounded once when stored.
 */
import type { TensorMeta } from "../../../ops/define-op.ts";
import { adamScalars, type AdamStepAttrs } from "../../../ops/defs/optim-step.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";
import { dense } from "./copy.ts";

export const optimStepKernels = {
  adamStep: (inputs: JsView[], attrs: AdamStepAttrs, [meta]: readonly TensorMeta[]): ComputeArray[] => {
    const [p, g, m, v] = inputs.map((x) => dense(x) as Float64Array) as [Float64Array, Float64Array, Float64Array, Float64Array];
    const { beta1, beta2, eps, weightDecay, decoupled, maximize } = attrs;
    const { stepSize, bc2Sqrt, decay, l2 } = adamScalars(attrs);
    const n = p.length;
    const [pOut, mOut, vOut] = [0, 1, 2].map(() => allocCompute(meta!.dtype, n) as Float64Array) as [Float64Array, Float64Array, Float64Array];
    for (let i = 0; i < n; i++) {
      let grad = maximize ? -g[i]! : g[i]!;
      let param = p[i]!;
      if (decoupled) {
        if (weightDecay !== 0) param *= decay;
      } else if (l2 !== 0) grad += l2 * param;
      mOut[i] = m[i]! * beta1 + grad * (1 - beta1);
      vOut[i] = v[i]! * beta2 + grad * grad * (1 - beta2);
      pOut[i] = param - stepSize * (mOut[i]! / (Math.sqrt(vOut[i]!) / bc2Sqrt + eps));
    }
    return [pOut, mOut, vOut];
  },
};
