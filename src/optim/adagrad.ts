/** Adagrad, as torch.optim.Adagrad (PyTorch 1.13, dense gradients). */
import type { Tensor } from "../core/tensor.ts";
import { fullLike } from "../ops/creation.ts";
import { checkLr, checkNonNegative } from "./checks.ts";
import { adagrad } from "./functional/adagrad.ts";
import { Optimizer, withGrads, type GroupLayout, type ParamGroup, type ParamGroupSpec, type StateKind } from "./optimizer.ts";
import { stepCounter } from "./step-counter.ts";

export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Learning-rate decay: step t uses lr/(1 + (t − 1)·lrDecay) (default 0). */
  lrDecay?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

export type AdagradState = { step: Tensor; sum: Tensor };

/**
 * Adagrad (Duchi et al.; see `functional/adagrad.ts`). As in PyTorch, every parameter's
 * state exists from construction on.
 */
export class Adagrad extends Optimizer<Required<AdagradOptions>, AdagradState> {
  protected readonly layout: GroupLayout = {
    keys: ["lr", "lr_decay", "eps", "weight_decay", "initial_accumulator_value", "foreach", "maximize"],
    fixed: { foreach: null },
  };
  protected readonly stateKinds: Record<string, StateKind> = { step: "scalar", sum: "param" };

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<Required<AdagradOptions>>>, options: AdagradOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-2, lrDecay: options.lrDecay ?? 0, weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0, eps: options.eps ?? 1e-10, maximize: options.maximize ?? false,
    });
    for (const group of this.paramGroups) for (const p of group.params) this.initState(p, group);
  }

  private initState(p: Tensor, group: ParamGroup<Required<AdagradOptions>>): AdagradState {
    const s = { step: stepCounter(), sum: fullLike(p, group.initialAccumulatorValue) };
    this.state.set(p, s);
    return s;
  }

  protected checkOptions(o: Required<AdagradOptions>): void {
    checkLr(o.lr);
    checkNonNegative(o.lrDecay, "Invalid lr_decay value");
    checkNonNegative(o.weightDecay, "Invalid weight_decay value");
    checkNonNegative(o.initialAccumulatorValue, "Invalid initial_accumulator_value value");
    checkNonNegative(o.eps, "Invalid epsilon value");
  }

  protected updateGroup(group: ParamGroup<Required<AdagradOptions>>): void {
    const { params, grads } = withGrads(group);
    // Groups added after construction get their state on first use.
    const states = params.map((p) => this.state.get(p) ?? this.initState(p, group));
    adagrad(params, grads, states.map((s) => s.sum), states.map((s) => s.step), group);
  }
}
