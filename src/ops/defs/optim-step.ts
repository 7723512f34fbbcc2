/**
 * Fused optimizer updates: one kernel pass over a parameter and its state instead of the
 * dozen elementwise ops (each a pass over memory and a new buffer) that the update takes
 * when written with ops.
 *
 * `adamStep` is one step of torch.optim.Adam (or AdamW, `decoupled`) for one parameter,
 * without amsgrad, in PyTorch 1.13's single-tensor order:
 *   g ← −g when maximizing;  g ← g + wd·p (Adam)  or  p ← p·(1 − lr·wd) (AdamW)
 *   m ← m·β1 + g·(1 − β1);   v ← v·β2 + g·g·(1 − β2)
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
 * It returns the new parameter and state as new tensors [param, expAvg, expAvgSq]; the
 * optimizer copies the parameter into place (`param.copy_(...)`) and keeps the state.
 * An update is not differentiable: the record has no vjp.
 */
import { isFloating } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape, shapesEqual } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply } from "../apply.ts";
import { defineOp } from "../define-op.ts";

export interface AdamStepAttrs {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW: weight decay multiplies the parameter instead of adding to the gradient. */
  readonly decoupled: boolean;
  readonly maximize: boolean;
  /** The step number t (1 for the first update), for the bias corrections. */
  readonly step: number;
}

export const optimStepOps = {
  adamStep: defineOp<AdamStepAttrs>({
    name: "adamStep",
    inputs: ["param", "grad", "expAvg", "expAvgSq"],
    infer: (metas, attrs) => {
      const names = ["param", "grad", "expAvg", "expAvgSq"];
      const [p] = metas;
      if (metas.length !== 4 || !p) throw new ValueError(`adamStep: expected 4 tensors (param, grad, expAvg, expAvgSq), got ${metas.length}`);
      metas.forEach((m, i) => {
        if (!isFloating(m.dtype)) throw new DTypeError(`adamStep: ${names[i]} must be a floating tensor, got ${m.dtype}`);
        if (m.dtype !== p.dtype) throw new DTypeError(`adamStep: ${names[i]} has dtype ${m.dtype}, param has ${p.dtype}`);
        if (!shapesEqual(m.shape, p.shape))
          throw new ShapeError(`adamStep: ${names[i]} has shape ${formatShape(m.shape)}, param has ${formatShape(p.shape)}`);
      });
      if (!Number.isInteger(attrs.step) || attrs.step < 1) throw new ValueError(`adamStep: step must be an integer >= 1, got ${attrs.step}`);
      for (const key of ["lr", "beta1", "beta2", "eps", "weightDecay"] as const)
        if (!Number.isFinite(attrs[key])) throw new ValueError(`adamStep: ${key} must be a finite number, got ${attrs[key]}`);
      const out = { shape: p.shape, dtype: p.dtype };
      return { outputs: [out, out, out] };
    },
    onnx: {
      type: "Adam",
      domain: "ai.onnx.preview.training",
      sinceOpset: 1,
      pattern: "Adam with R = lr, T = step, alpha = β1, beta = β2, norm_coefficient = wd (Adam) or norm_coefficient_post = lr·wd (AdamW); ONNX adds eps to √v before the bias correction",
    },
  }),
};

export interface AdamStepOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  /** AdamW's decoupled weight decay (default false: Adam's L2 term). */
  decoupled?: boolean;
  maximize?: boolean;
  /** The step number, from 1. */
  step: number;
}

/**
 * One fused Adam/AdamW update of `param` (see the file's doc): returns the new
 * [param, expAvg, expAvgSq]. Defaults are torch.optim.Adam's (lr 1e-3, betas 0.9/0.999,
 * eps 1e-8, no weight decay).
 */
export function adamStep(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, options: AdamStepOptions): [Tensor, Tensor, Tensor] {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, decoupled = false, maximize = false, step } = options;
  const attrs: AdamStepAttrs = { lr, beta1: betas[0], beta2: betas[1], eps, weightDecay, decoupled, maximize, step };
  const [p, m, v] = apply(optimStepOps.adamStep, [param.detach(), grad.detach(), expAvg.detach(), expAvgSq.detach()], attrs);
  return [p!, m!, v!];
}

/** The scalars of one step, as both kernels use them. */
export function adamScalars(attrs: AdamStepAttrs): { stepSize: number; bc2Sqrt: number; decay: number; l2: number } {
  const { lr, beta1, beta2, weightDecay, decoupled, step } = attrs;
  return {
    stepSize: lr / (1 - beta1 ** step),
    bc2Sqrt: Math.sqrt(1 - beta2 ** step),
    decay: decoupled ? 1 - lr * weightDecay : 1,
    l2: decoupled ? 0 : weightDecay,
  };
}
