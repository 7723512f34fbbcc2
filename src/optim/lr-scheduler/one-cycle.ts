/** The 1cycle policy, as PyTorch 1.13's OneCycleLR. */
import { ValueError } from "../../core/errors.ts";
import {
  isRecord, readBoolean, readInteger, readNumber, readString, toCamelCase, type StateRecord,
} from "../state-dict.ts";
import { LRScheduler, type SchedulableOptimizer, type ScheduledGroup } from "./scheduler.ts";

export interface OneCycleLROptions {
  /** Peak lr, one for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Length of the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr (default 0.3). */
  pctStart?: number;
  /** "cos" (default) or "linear" annealing. */
  annealStrategy?: "cos" | "linear";
  /** Move momentum (or β₁) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
  /** initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** min lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** A third phase annealing from the initial lr to the min lr (default false). */
  threePhase?: boolean;
  lastEpoch?: number;
}

/** One phase of the cycle, under PyTorch's names (they name group fields: "initial_lr", ...). */
interface Phase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

const GROUP_FIELDS = ["initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"] as const;

function perGroup(name: string, value: number | readonly number[], n: number): number[] {
  if (Array.isArray(value)) {
    if (value.length !== n) throw new ValueError(`expected ${n} values for ${name}, got ${value.length}`);
    return [...(value as readonly number[])];
  }
  return Array<number>(n).fill(value as number);
}

function phases(totalSteps: number, pctStart: number, threePhase: boolean): Phase[] {
  const phase = (end_step: number, start_lr: string, end_lr: string, start_momentum: string, end_momentum: string): Phase => ({
    end_step, start_lr, end_lr, start_momentum, end_momentum,
  });
  if (threePhase)
    return [
      phase(pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
      phase(2 * pctStart * totalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
      phase(totalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
    ];
  return [
    phase(pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
    phase(totalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
  ];
}

const anneal = {
  /** Cosine from start to end as pct goes from 0 to 1. */
  cos: (start: number, end: number, pct: number) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1),
  linear: (start: number, end: number, pct: number) => (end - start) * pct + start,
};

/**
 * The 1cycle policy (Smith & Topin): the lr rises from maxLr/divFactor to maxLr over
 * `pctStart` of the cycle, then anneals to the minimum, while momentum (SGD, RMSprop) or
 * β₁ (Adam-like optimizers) moves the opposite way. Step it after every batch; stepping past
 * `totalSteps` throws, as in PyTorch.
 *
 * ```ts
 * const sched = new OneCycleLR(opt, { maxLr: 0.1, epochs: 10, stepsPerEpoch: batches });
 * ```
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  schedulePhases: Phase[];
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  useBeta1: boolean;

  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    const { totalSteps, epochs, stepsPerEpoch } = options;
    let total: number;
    if (totalSteps === undefined && epochs === undefined && stepsPerEpoch === undefined)
      throw new ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)");
    else if (totalSteps !== undefined) {
      if (!Number.isInteger(totalSteps) || totalSteps <= 0) throw new ValueError(`Expected positive integer total_steps, but got ${totalSteps}`);
      total = totalSteps;
    } else {
      if (!Number.isInteger(epochs) || epochs! <= 0) throw new ValueError(`Expected positive integer epochs, but got ${epochs}`);
      if (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch! <= 0)
        throw new ValueError(`Expected positive integer steps_per_epoch, but got ${stepsPerEpoch}`);
      total = epochs! * stepsPerEpoch!;
    }
    const pctStart = options.pctStart ?? 0.3;
    if (!(pctStart >= 0 && pctStart <= 1)) throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${pctStart}`);
    const strategy = options.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear")
      throw new ValueError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${String(strategy)}`);
    const n = optimizer.paramGroups.length;
    const lastEpoch = options.lastEpoch ?? -1;
    const maxLrs = perGroup("max_lr", options.maxLr, n);
    const divFactor = options.divFactor ?? 25;
    const finalDivFactor = options.finalDivFactor ?? 1e4;
    if (lastEpoch === -1)
      optimizer.paramGroups.forEach((group, i) => {
        group.initialLr = maxLrs[i]! / divFactor;
        group.maxLr = maxLrs[i]!;
        group.minLr = group.initialLr / finalDivFactor;
      });
    const cycleMomentum = options.cycleMomentum ?? true;
    let useBeta1 = false;
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults))
        throw new ValueError("optimizer must support momentum with `cycle_momentum` option enabled");
      useBeta1 = "betas" in optimizer.defaults;
      const maxMomentums = perGroup("max_momentum", options.maxMomentum ?? 0.95, n);
      const baseMomentums = perGroup("base_momentum", options.baseMomentum ?? 0.85, n);
      if (lastEpoch === -1)
        optimizer.paramGroups.forEach((group, i) => {
          if (useBeta1) group.betas = [maxMomentums[i]!, group.betas![1]];
          else group.momentum = maxMomentums[i]!;
          group.maxMomentum = maxMomentums[i]!;
          group.baseMomentum = baseMomentums[i]!;
        });
    }
    super(optimizer, lastEpoch);
    this.totalSteps = total;
    this.schedulePhases = phases(total, pctStart, options.threePhase ?? false);
    this.annealStrategy = strategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps)
      throw new ValueError(`Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    const f = anneal[this.annealStrategy];
    const field = (group: ScheduledGroup, name: string) => {
      const value = (group as unknown as Record<string, unknown>)[toCamelCase(name)];
      if (typeof value !== "number") throw new ValueError(`OneCycleLR: param group has no '${name}'`);
      return value;
    };
    return this.groups.map((group) => {
      let startStep = 0;
      for (const [i, phase] of this.schedulePhases.entries()) {
        const endStep = phase.end_step;
        if (stepNum <= endStep || i === this.schedulePhases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          const lr = f(field(group, phase.start_lr), field(group, phase.end_lr), pct);
          if (this.cycleMomentum) {
            const momentum = f(field(group, phase.start_momentum), field(group, phase.end_momentum), pct);
            if (this.useBeta1) group.betas = [momentum, group.betas![1]];
            else group.momentum = momentum;
          }
          return lr;
        }
        startStep = phase.end_step;
      }
      throw new ValueError("OneCycleLR: no schedule phases");
    });
  }

  /**
   * PyTorch 1.13 also stores `anneal_func`, a bound method; concord writes the strategy's
   * name as `_anneal_func_type` instead, as PyTorch 2.1 does.
   */
  protected override ownState(): StateRecord {
    return {
      total_steps: this.totalSteps,
      _schedule_phases: this.schedulePhases.map((p) => ({ ...p })),
      _anneal_func_type: this.annealStrategy,
      cycle_momentum: this.cycleMomentum,
      ...(this.cycleMomentum ? { use_beta1: this.useBeta1 } : {}),
    };
  }

  protected override loadOwnState(sd: StateRecord, what: string): void {
    this.totalSteps = readInteger(sd, "total_steps", what);
    const list = sd["_schedule_phases"];
    if (!Array.isArray(list) || list.length === 0) throw new ValueError(`${what}: expected '_schedule_phases' to be a non-empty list`);
    this.schedulePhases = list.map((p) => {
      if (!isRecord(p)) throw new ValueError(`${what}: a schedule phase is not a dict`);
      const name = (key: string) => readString(p, key, what, GROUP_FIELDS);
      return {
        end_step: readNumber(p, "end_step", what),
        start_lr: name("start_lr"), end_lr: name("end_lr"), start_momentum: name("start_momentum"), end_momentum: name("end_momentum"),
      };
    });
    if ("_anneal_func_type" in sd) this.annealStrategy = readString(sd, "_anneal_func_type", what, ["cos", "linear"] as const);
    this.cycleMomentum = readBoolean(sd, "cycle_momentum", what);
    if (this.cycleMomentum) this.useBeta1 = readBoolean(sd, "use_beta1", what);
  }
}
