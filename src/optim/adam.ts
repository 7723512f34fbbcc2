/** Adam and AdamW, as torch.optim.Adam and torch.optim.AdamW (PyTorch 1.13). */
import type { Tensor } from "../core/tensor.ts";
import { zerosLike } from "../ops/creation.ts";
import { checkAdamLike } from "./checks.ts";
import { adam } from "./functional/adam.ts";
import { adamw } from "./functional/adamw.ts";
import { Optimizer, withGrads, type GroupLayout, type ParamGroup, type ParamGroupSpec, type StateKind } from "./optimizer.ts";
import { stepCounter } from "./step-counter.ts";

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates (β₁, β₂) of the moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty λ for Adam (default 0); decoupled decay for AdamW (default 1e-2). */
  weightDecay?: number;
  /** The AMSGrad variant: divide by the running maximum of the second moment (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

export type AdamState = { step: Tensor; exp_avg: Tensor; exp_avg_sq: Tensor; max_exp_avg_sq?: Tensor };

const ADAM_STATE: Record<string, StateKind> = { step: "scalar", exp_avg: "param", exp_avg_sq: "param", max_exp_avg_sq: "param?" };

function resolve(options: AdamOptions, weightDecay: number): Required<AdamOptions> {
  return {
    lr: options.lr ?? 1e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay, amsgrad: options.amsgrad ?? false, maximize: options.maximize ?? false,
  };
}

/** The buffers of one group's parameters that have gradients, created on first use. */
function gather(state: Map<Tensor, AdamState>, group: ParamGroup<Required<AdamOptions>>) {
  const { params, grads } = withGrads(group);
  const states = params.map((p) => {
    let s = state.get(p);
    if (s === undefined) {
      s = { step: stepCounter(), exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
      state.set(p, s);
    }
    if (group.amsgrad) s.max_exp_avg_sq ??= zerosLike(p);
    return s;
  });
  const options = { ...group, beta1: group.betas[0], beta2: group.betas[1] };
  return {
    params, grads, options,
    expAvgs: states.map((s) => s.exp_avg),
    expAvgSqs: states.map((s) => s.exp_avg_sq),
    maxExpAvgSqs: group.amsgrad ? states.map((s) => s.max_exp_avg_sq!) : [],
    steps: states.map((s) => s.step),
  };
}

/**
 * Adam (Kingma & Ba), with optional L2 penalty and AMSGrad (see `functional/adam.ts`).
 *
 * ```ts
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class Adam extends Optimizer<Required<AdamOptions>, AdamState> {
  protected readonly layout: GroupLayout = {
    keys: ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable", "differentiable", "fused"],
    fixed: { foreach: null, capturable: false, differentiable: false, fused: false },
  };
  protected readonly stateKinds = ADAM_STATE;

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<Required<AdamOptions>>>, options: AdamOptions = {}) {
    super(params, resolve(options, 0));
  }

  protected checkOptions(o: Required<AdamOptions>): void {
    checkAdamLike(o);
  }

  protected updateGroup(group: ParamGroup<Required<AdamOptions>>): void {
    const g = gather(this.state, group);
    adam(g.params, g.grads, g.expAvgs, g.expAvgSqs, g.maxExpAvgSqs, g.steps, g.options);
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay θ ← θ·(1 − lr·λ), default
 * λ = 1e-2 (see `functional/adamw.ts`).
 */
export class AdamW extends Optimizer<Required<AdamOptions>, AdamState> {
  protected readonly layout: GroupLayout = {
    keys: ["lr", "betas", "eps", "weight_decay", "amsgrad", "foreach", "maximize", "capturable"],
    fixed: { foreach: null, capturable: false },
  };
  protected readonly stateKinds = ADAM_STATE;

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<Required<AdamOptions>>>, options: AdamOptions = {}) {
    super(params, resolve(options, 1e-2));
  }

  protected checkOptions(o: Required<AdamOptions>): void {
    checkAdamLike(o);
  }

  protected updateGroup(group: ParamGroup<Required<AdamOptions>>): void {
    const g = gather(this.state, group);
    adamw(g.params, g.grads, g.expAvgs, g.expAvgSqs, g.maxExpAvgSqs, g.steps, g.options);
  }
}
