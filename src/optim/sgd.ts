/** Stochastic gradient descent with momentum, as torch.optim.SGD (PyTorch 1.13). */
import { ValueError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import { checkLr, checkNonNegative } from "./checks.ts";
import { sgd } from "./functional/sgd.ts";
import { Optimizer, withGrads, type GroupLayout, type ParamGroup, type ParamGroupSpec, type StateKind } from "./optimizer.ts";

export interface SGDOptions {
  /** Learning rate (required, as in PyTorch 1.13). */
  lr: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and no dampening). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

export type SGDState = { momentum_buffer?: Tensor | null };

/**
 * SGD: θ ← θ − lr·g, with momentum b ← μ·b + (1 − τ)·g (see `functional/sgd.ts`).
 *
 * ```ts
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class SGD extends Optimizer<Required<SGDOptions>, SGDState> {
  protected readonly layout: GroupLayout = {
    keys: ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable"],
    fixed: { foreach: null, differentiable: false },
  };
  protected readonly stateKinds: Record<string, StateKind> = { momentum_buffer: "param?" };

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<Required<SGDOptions>>>, options: SGDOptions) {
    super(params, {
      lr: options.lr, momentum: options.momentum ?? 0, dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0, nesterov: options.nesterov ?? false, maximize: options.maximize ?? false,
    });
  }

  protected checkOptions(o: Required<SGDOptions>): void {
    if (typeof o.lr !== "number") throw new ValueError("SGD: lr is required");
    checkLr(o.lr);
    checkNonNegative(o.momentum, "Invalid momentum value");
    checkNonNegative(o.weightDecay, "Invalid weight_decay value");
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0))
      throw new ValueError("Nesterov momentum requires a momentum and zero dampening");
  }

  protected updateGroup(group: ParamGroup<Required<SGDOptions>>): void {
    const { params, grads } = withGrads(group);
    const buffers = params.map((p) => this.state.get(p)?.momentum_buffer ?? null);
    sgd(params, grads, buffers, group);
    params.forEach((p, i) => this.state.set(p, { momentum_buffer: buffers[i] ?? null }));
  }
}
