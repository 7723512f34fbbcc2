/**
 * Multiplicative schedules, as PyTorch 1.13: StepLR, MultiStepLR, ExponentialLR, LinearLR
 * and LambdaLR. Each computes from the groups' current lrs (see Note: chainable
 * schedules in scheduler.ts) and has a closed form for `step(epoch)`.
 */
import { ValueError } from "../../core/errors.ts";
import { readInteger, readNumber, readRecord, type StateRecord } from "../state-dict.ts";
import { bisectRight, LRScheduler, type SchedulableOptimizer } from "./scheduler.ts";

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new ValueError(`${name} must be a positive integer, got ${value}`);
}

/** Multiplies the lr by γ every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    super(optimizer, options.lastEpoch);
    checkPositiveInteger(options.stepSize, "stepSize");
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected override ownState(): StateRecord {
    return { step_size: this.stepSize, gamma: this.gamma };
  }

  protected override loadOwnState(sd: StateRecord, what: string): void {
    this.stepSize = readInteger(sd, "step_size", what);
    checkPositiveInteger(this.stepSize, "step_size");
    this.gamma = readNumber(sd, "gamma", what);
  }
}

/** Multiplies the lr by γ at each milestone epoch (by γ^k for a milestone listed k times). */
export class MultiStepLR extends LRScheduler {
  /** How many times each milestone was listed (PyTorch's Counter). */
  milestones: Map<number, number>;
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: { milestones: readonly number[]; gamma?: number; lastEpoch?: number }) {
    super(optimizer, options.lastEpoch);
    this.milestones = countMilestones(options.milestones);
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    const sorted = [...this.milestones].flatMap(([m, k]) => Array<number>(k).fill(m)).sort((a, b) => a - b);
    return this.baseLrs.map((base) => base * this.gamma ** bisectRight(sorted, this.lastEpoch));
  }

  /** `milestones` as PyTorch's Counter pickles it: { epoch: count } (keys as strings). */
  protected override ownState(): StateRecord {
    return { milestones: Object.fromEntries([...this.milestones].map(([m, k]) => [String(m), k])), gamma: this.gamma };
  }

  protected override loadOwnState(sd: StateRecord, what: string): void {
    const record = readRecord(sd, "milestones", what);
    const milestones = new Map<number, number>();
    for (const key of Object.keys(record)) {
      const epoch = Number(key);
      if (!Number.isInteger(epoch)) throw new ValueError(`${what}: milestone ${key} is not an integer`);
      milestones.set(epoch, readInteger(record, key, what));
    }
    this.milestones = milestones;
    this.gamma = readNumber(sd, "gamma", what);
  }
}

function countMilestones(list: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of list) {
    if (!Number.isInteger(m)) throw new ValueError(`milestones must be integers, got ${m}`);
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  return counts;
}

/** Multiplies the lr by γ every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: { gamma: number; lastEpoch?: number }) {
    super(optimizer, options.lastEpoch);
    if (typeof options.gamma !== "number") throw new ValueError("ExponentialLR: gamma is required");
    this.gamma = options.gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }

  protected override ownState(): StateRecord {
    return { gamma: this.gamma };
  }

  protected override loadOwnState(sd: StateRecord, what: string): void {
    this.gamma = readNumber(sd, "gamma", what);
  }
}

/** Scales the lr by a factor going linearly from `startFactor` to `endFactor` over `totalIters` epochs. */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    super(optimizer, options.lastEpoch);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    checkLinear(this);
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const change = this.endFactor - this.startFactor;
    return this.groups.map(
      (g) => g.lr * (1 + change / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * change)),
    );
  }

  protected override closedFormLr(): number[] {
    const change = this.endFactor - this.startFactor;
    return this.baseLrs.map(
      (base) => base * (this.startFactor + (change * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters),
    );
  }

  protected override ownState(): StateRecord {
    return { start_factor: this.startFactor, end_factor: this.endFactor, total_iters: this.totalIters };
  }

  protected override loadOwnState(sd: StateRecord, what: string): void {
    this.startFactor = readNumber(sd, "start_factor", what);
    this.endFactor = readNumber(sd, "end_factor", what);
    this.totalIters = readInteger(sd, "total_iters", what);
    checkLinear(this);
  }
}

function checkLinear(s: { startFactor: number; endFactor: number; totalIters: number }): void {
  if (!(s.startFactor >= 0 && s.startFactor <= 1)) throw new ValueError("Starting multiplicative factor expected to be between 0 and 1.");
  if (!(s.endFactor >= 0 && s.endFactor <= 1)) throw new ValueError("Ending multiplicative factor expected to be between 0 and 1.");
  checkPositiveInteger(s.totalIters, "totalIters");
}

/** A function of the epoch giving the factor applied to a group's initial lr. */
export type LrLambda = (epoch: number) => number;

/**
 * lr = initial lr · lrLambda(epoch), one function for every group or one per group. The
 * state dict holds no functions (`lr_lambdas: [null, ...]`, as PyTorch writes for plain
 * functions); construct with the same functions before loading.
 */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, options: { lrLambda: LrLambda | readonly LrLambda[]; lastEpoch?: number }) {
    super(optimizer, options.lastEpoch);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(options.lrLambda)) {
      if (options.lrLambda.length !== n) throw new ValueError(`Expected ${n} lr_lambdas, but got ${options.lrLambda.length}`);
      this.lrLambdas = [...(options.lrLambda as readonly LrLambda[])];
    } else if (typeof options.lrLambda === "function") this.lrLambdas = Array<LrLambda>(n).fill(options.lrLambda as LrLambda);
    else throw new ValueError("LambdaLR: lrLambda must be a function or a list of functions");
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }

  override stateDict(): StateRecord {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}
