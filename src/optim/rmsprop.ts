/** RMSprop, as torch.optim.RMSprop (PyTorch 1.13). */
import type { Tensor } from "../core/tensor.ts";
import { zerosLike } from "../ops/creation.ts";
import { checkLr, checkNonNegative } from "./checks.ts";
import { rmsprop } from "./functional/rmsprop.ts";
import { Optimizer, withGrads, type GroupLayout, type ParamGroup, type ParamGroupSpec, type StateKind } from "./optimizer.ts";

export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant α of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment (default false). */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** `step` is a plain number here, as PyTorch 1.13's RMSprop keeps it. */
export type RMSpropState = { step: number; square_avg: Tensor; momentum_buffer?: Tensor; grad_avg?: Tensor };

/** RMSprop (Hinton), optionally centered and with momentum (see `functional/rmsprop.ts`). */
export class RMSprop extends Optimizer<Required<RMSpropOptions>, RMSpropState> {
  protected readonly layout: GroupLayout = {
    keys: ["lr", "momentum", "alpha", "eps", "centered", "weight_decay", "foreach", "maximize", "differentiable"],
    fixed: { foreach: null, differentiable: false },
  };
  protected readonly stateKinds: Record<string, StateKind> = {
    step: "number", square_avg: "param", momentum_buffer: "param?", grad_avg: "param?",
  };

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<Required<RMSpropOptions>>>, options: RMSpropOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-2, alpha: options.alpha ?? 0.99, eps: options.eps ?? 1e-8, weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0, centered: options.centered ?? false, maximize: options.maximize ?? false,
    });
  }

  protected checkOptions(o: Required<RMSpropOptions>): void {
    checkLr(o.lr);
    checkNonNegative(o.eps, "Invalid epsilon value");
    checkNonNegative(o.momentum, "Invalid momentum value");
    checkNonNegative(o.weightDecay, "Invalid weight_decay value");
    checkNonNegative(o.alpha, "Invalid alpha value");
  }

  protected updateGroup(group: ParamGroup<Required<RMSpropOptions>>): void {
    const { params, grads } = withGrads(group);
    const states = params.map((p) => {
      let s = this.state.get(p);
      if (s === undefined) {
        s = { step: 0, square_avg: zerosLike(p) };
        this.state.set(p, s);
      }
      if (group.momentum > 0) s.momentum_buffer ??= zerosLike(p);
      if (group.centered) s.grad_avg ??= zerosLike(p);
      s.step += 1;
      return s;
    });
    rmsprop(
      params, grads, states.map((s) => s.square_avg),
      group.centered ? states.map((s) => s.grad_avg!) : [],
      group.momentum > 0 ? states.map((s) => s.momentum_buffer!) : [],
      group,
    );
  }
}
