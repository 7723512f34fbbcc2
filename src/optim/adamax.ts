/** Adamax, as torch.optim.Adamax (PyTorch 1.13). */
import type { Tensor } from "../core/tensor.ts";
import { zerosLike } from "../ops/creation.ts";
import { checkAdamLike } from "./checks.ts";
import { adamax } from "./functional/adamax.ts";
import { Optimizer, withGrads, type GroupLayout, type ParamGroup, type ParamGroupSpec, type StateKind } from "./optimizer.ts";
import { stepCounter } from "./step-counter.ts";

export interface AdamaxOptions {
  /** Learning rate (default 2e-3). */
  lr?: number;
  /** Decay rates (β₁, β₂) (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to |g| (default 1e-8). */
  eps?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

export type AdamaxState = { step: Tensor; exp_avg: Tensor; exp_inf: Tensor };

/** Adamax: Adam with the infinity norm (see `functional/adamax.ts`). */
export class Adamax extends Optimizer<Required<AdamaxOptions>, AdamaxState> {
  protected readonly layout: GroupLayout = {
    keys: ["lr", "betas", "eps", "weight_decay", "foreach", "maximize"],
    fixed: { foreach: null },
  };
  protected readonly stateKinds: Record<string, StateKind> = { step: "scalar", exp_avg: "param", exp_inf: "param" };

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<Required<AdamaxOptions>>>, options: AdamaxOptions = {}) {
    super(params, {
      lr: options.lr ?? 2e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0, maximize: options.maximize ?? false,
    });
  }

  protected checkOptions(o: Required<AdamaxOptions>): void {
    checkAdamLike(o);
  }

  protected updateGroup(group: ParamGroup<Required<AdamaxOptions>>): void {
    const { params, grads } = withGrads(group);
    const states = params.map((p) => {
      let s = this.state.get(p);
      if (s === undefined) {
        s = { step: stepCounter(), exp_avg: zerosLike(p), exp_inf: zerosLike(p) };
        this.state.set(p, s);
      }
      return s;
    });
    const [beta1, beta2] = group.betas;
    adamax(params, grads, states.map((s) => s.exp_avg), states.map((s) => s.exp_inf), states.map((s) => s.step), { ...group, beta1, beta2 });
  }
}
