/**
 * Normalization, attention and embedding against PyTorch (fixture:
 * scripts/fixtures/gen_norm.py): layerNorm, batchNorm (with the running statistics after
 * a training call as extra outputs), groupNorm, rmsNorm, scaledDotProductAttention (its
 * forward-only cases run the wasm backend's fused kernel) and embedding as indexSelect.
 */
import * as c from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

type Args = Record<string, unknown>;

/** Takes the optional tensors named by the case's flags, in order, from `rest`. */
function optional(rest: Tensor[], ...present: unknown[]): (Tensor | null)[] {
  let i = 0;
  return present.map((p) => (p ? rest[i++]! : null));
}

// Statistics over a few hundred float32 values: PyTorch sums in float32 in its own order,
// the js kernels in float64 and the wasm kernels in float32 blocks.
const norm: Partial<OpInfo> = { tol: { rtol: 1e-5, atol: 1e-5, only: ["float32"] }, gradTol: { rtol: 1e-4, atol: 1e-5, only: ["float32"] }, gradgrad: true };

const infos: Record<string, OpInfo> = {
  layerNorm: {
    run: ([x, ...rest], a: Args) => {
      const [w, b] = optional(rest, a.hasWeight, a.hasBias);
      return c.layerNorm(x!, a.normalizedShape as number[], w!, b!, a.eps as number);
    },
    ...norm,
  },
  batchNorm: {
    run: ([x, ...rest], a: Args) => {
      const [runningMean, runningVar, w, b] = optional(rest, a.hasRunning, a.hasRunning, a.hasWeight, a.hasBias);
      const training = a.training as boolean;
      if (training && runningMean) {
        // As the generator: the running statistics are updated in place, on clones.
        const mean = runningMean.detach().clone();
        const variance = runningVar!.detach().clone();
        const y = c.batchNorm(x!, mean, variance, w, b, true, a.momentum as number, a.eps as number);
        return [y, mean, variance];
      }
      return c.batchNorm(x!, runningMean, runningVar, w, b, training, a.momentum as number, a.eps as number);
    },
    ...norm,
  },
  groupNorm: {
    run: ([x, ...rest], a: Args) => {
      const [w, b] = optional(rest, a.hasWeight, a.hasBias);
      return c.groupNorm(x!, a.numGroups as number, w, b, a.eps as number);
    },
    ...norm,
  },
  rmsNorm: {
    run: ([x, w], a: Args) => c.rmsNorm(x!, a.normalizedShape as number[], w ?? null, (a.eps as number | null) ?? null),
    ...norm,
  },
  scaledDotProductAttention: {
    run: ([q, k, v, mask], a: Args) => c.scaledDotProductAttention(q!, k!, v!, { attnMask: mask ?? null, isCausal: a.isCausal as boolean, scale: a.scale as number | null }),
    ...norm,
  },
  embedding: {
    run: ([weight, index]) => c.indexSelect(weight!, 0, index!.reshape([-1])).reshape([...index!.shape, weight!.shape[1]!]),
    gradgrad: true,
  },
};

runOpSuite("norm", infos);
