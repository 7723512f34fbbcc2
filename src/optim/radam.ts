/** RAdam, as torch.optim.RAdam (PyTorch 1.13). */
import type { Tensor } from "../core/tensor.ts";
import { zerosLike } from "../ops/creation.ts";
import { checkAdamLike } from "./checks.ts";
import { radam } from "./functional/radam.ts";
import { Optimizer, withGrads, type GroupLayout, type ParamGroup, type ParamGroupSpec, type StateKind } from "./optimizer.ts";
import { stepCounter } from "./step-counter.ts";

export interface RAdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates (β₁, β₂) (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
}

export type RAdamState = { step: Tensor; exp_avg: Tensor; exp_avg_sq: Tensor };

/** RAdam: Adam with a rectified adaptive learning rate (Liu et al.; see `functional/radam.ts`). */
export class RAdam extends Optimizer<Required<RAdamOptions>, RAdamState> {
  protected readonly layout: GroupLayout = {
    keys: ["lr", "betas", "eps", "weight_decay", "foreach"],
    fixed: { foreach: null },
  };
  protected readonly stateKinds: Record<string, StateKind> = { step: "scalar", exp_avg: "param", exp_avg_sq: "param" };

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<Required<RAdamOptions>>>, options: RAdamOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8, weightDecay: options.weightDecay ?? 0,
    });
  }

  protected checkOptions(o: Required<RAdamOptions>): void {
    checkAdamLike(o);
  }

  protected updateGroup(group: ParamGroup<Required<RAdamOptions>>): void {
    const { params, grads } = withGrads(group);
    const states = params.map((p) => {
      let s = this.state.get(p);
      if (s === undefined) {
        s = { step: stepCounter(), exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
        this.state.set(p, s);
      }
      return s;
    });
    const [beta1, beta2] = group.betas;
    radam(params, grads, states.map((s) => s.exp_avg), states.map((s) => s.exp_avg_sq), states.map((s) => s.step), { ...group, beta1, beta2 });
  }
}
