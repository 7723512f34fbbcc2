/** NAdam, as torch.optim.NAdam (PyTorch 1.13). */
import type { Tensor } from "../core/tensor.ts";
import { ones, zerosLike } from "../ops/creation.ts";
import { checkAdamLike, checkNonNegative } from "./checks.ts";
import { nadam } from "./functional/nadam.ts";
import { Optimizer, withGrads, type GroupLayout, type ParamGroup, type ParamGroupSpec, type StateKind } from "./optimizer.ts";
import { stepCounter } from "./step-counter.ts";

export interface NAdamOptions {
  /** Learning rate (default 2e-3). */
  lr?: number;
  /** Decay rates (β₁, β₂) (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Momentum decay ψ (default 4e-3). */
  momentumDecay?: number;
}

export type NAdamState = { step: Tensor; mu_product: Tensor; exp_avg: Tensor; exp_avg_sq: Tensor };

/** NAdam: Adam with Nesterov momentum (Dozat; see `functional/nadam.ts`). */
export class NAdam extends Optimizer<Required<NAdamOptions>, NAdamState> {
  protected readonly layout: GroupLayout = {
    keys: ["lr", "betas", "eps", "weight_decay", "momentum_decay", "foreach"],
    fixed: { foreach: null },
  };
  protected readonly stateKinds: Record<string, StateKind> = { step: "scalar", mu_product: "scalar", exp_avg: "param", exp_avg_sq: "param" };

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<Required<NAdamOptions>>>, options: NAdamOptions = {}) {
    super(params, {
      lr: options.lr ?? 2e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0, momentumDecay: options.momentumDecay ?? 4e-3,
    });
  }

  protected checkOptions(o: Required<NAdamOptions>): void {
    checkAdamLike(o);
    checkNonNegative(o.momentumDecay, "Invalid momentum_decay value");
  }

  protected updateGroup(group: ParamGroup<Required<NAdamOptions>>): void {
    const { params, grads } = withGrads(group);
    const states = params.map((p) => {
      let s = this.state.get(p);
      if (s === undefined) {
        s = { step: stepCounter(), mu_product: ones([], { dtype: "float32" }), exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
        this.state.set(p, s);
      }
      return s;
    });
    const [beta1, beta2] = group.betas;
    nadam(
      params, grads, states.map((s) => s.exp_avg), states.map((s) => s.exp_avg_sq), states.map((s) => s.mu_product),
      states.map((s) => s.step), { ...group, beta1, beta2 },
    );
  }
}
