/** ReduceLROnPlateau, as PyTorch 1.13: cut the lr when a metric stops improving. */
import { ValueError } from "../../core/errors.ts";
import { Tensor } from "../../core/tensor.ts";
import {
  isRecord, readExtendedNumber, readInteger, readNumber, readNumbers, readString, type StateRecord,
} from "../state-dict.ts";
import type { SchedulableOptimizer, Scheduler } from "./scheduler.ts";

export interface ReduceLROnPlateauOptions {
  /** "min" (default): the metric should fall (a loss); "max": it should rise (an accuracy). */
  mode?: "min" | "max";
  /** new lr = lr · factor (default 0.1; must be < 1). */
  factor?: number;
  /** Epochs without improvement tolerated before a cut (default 10). */
  patience?: number;
  /** What counts as an improvement (default 1e-4). */
  threshold?: number;
  /** "rel" (default): better than best·(1 ∓ threshold); "abs": better than best ∓ threshold. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a cut before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of the lr, one for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** A cut smaller than eps is skipped (default 1e-8). */
  eps?: number;
}

/**
 * Watches a metric passed to `step(metric)` and multiplies every group's lr by `factor`
 * when it has not improved for more than `patience` epochs.
 *
 * ```ts
 * const sched = new ReduceLROnPlateau(opt, { patience: 3 });
 * for (const epoch of epochs) { train(); sched.step(validationLoss()); }
 * ```
 */
export class ReduceLROnPlateau implements Scheduler {
  readonly optimizer: SchedulableOptimizer;
  factor: number;
  minLrs: number[];
  patience: number;
  cooldown: number;
  cooldownCounter = 0;
  mode: "min" | "max";
  threshold: number;
  thresholdMode: "rel" | "abs";
  best: number;
  numBadEpochs = 0;
  eps: number;
  lastEpoch = 0;
  private lastLr: number[] | null = null;

  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1)) throw new ValueError("Factor should be < 1.0.");
    this.optimizer = optimizer;
    const n = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw new ValueError(`expected ${n} min_lrs, got ${minLr.length}`);
      this.minLrs = [...(minLr as readonly number[])];
    } else this.minLrs = Array<number>(n).fill(minLr as number);
    this.patience = options.patience ?? 10;
    this.cooldown = options.cooldown ?? 0;
    this.mode = options.mode ?? "min";
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? "rel";
    this.eps = options.eps ?? 1e-8;
    this.checkModes();
    this.best = this.modeWorse;
  }

  private checkModes(): void {
    if (this.mode !== "min" && this.mode !== "max") throw new ValueError(`mode ${String(this.mode)} is unknown!`);
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs")
      throw new ValueError(`threshold mode ${String(this.thresholdMode)} is unknown!`);
  }

  /** The worst value for the mode: +∞ for "min", −∞ for "max". */
  get modeWorse(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** Records one epoch's metric (a number or a one-element tensor) and cuts the lr if it has plateaued. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? Number(metric.item()) : metric;
    if (typeof current !== "number") throw new ValueError(`ReduceLROnPlateau.step: expected a number, got ${typeof metric}`);
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]!);
      if (oldLr - newLr > this.eps) group.lr = newLr;
    });
  }

  /** The lrs after the last step (the groups' current lrs before any step). */
  getLastLr(): number[] {
    return this.lastLr ? [...this.lastLr] : this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** PyTorch's keys; `best` and `mode_worse` may be ±Infinity. */
  stateDict(): StateRecord {
    return {
      factor: this.factor,
      min_lrs: [...this.minLrs],
      patience: this.patience,
      verbose: false,
      cooldown: this.cooldown,
      cooldown_counter: this.cooldownCounter,
      mode: this.mode,
      threshold: this.threshold,
      threshold_mode: this.thresholdMode,
      best: this.best,
      num_bad_epochs: this.numBadEpochs,
      mode_worse: this.modeWorse,
      eps: this.eps,
      last_epoch: this.lastEpoch,
      ...(this.lastLr ? { _last_lr: [...this.lastLr] } : {}),
    };
  }

  loadStateDict(sd: StateRecord): void {
    const what = "ReduceLROnPlateau.loadStateDict";
    if (!isRecord(sd)) throw new ValueError(`${what}: expected a dict`);
    const n = this.optimizer.paramGroups.length;
    this.factor = readNumber(sd, "factor", what);
    this.minLrs = readNumbers(sd, "min_lrs", what, n);
    this.patience = readInteger(sd, "patience", what);
    this.cooldown = readInteger(sd, "cooldown", what);
    this.cooldownCounter = readInteger(sd, "cooldown_counter", what);
    this.mode = readString(sd, "mode", what, ["min", "max"] as const);
    this.threshold = readNumber(sd, "threshold", what);
    this.thresholdMode = readString(sd, "threshold_mode", what, ["rel", "abs"] as const);
    this.best = readExtendedNumber(sd, "best", what);
    this.numBadEpochs = readInteger(sd, "num_bad_epochs", what);
    this.eps = readNumber(sd, "eps", what);
    this.lastEpoch = readNumber(sd, "last_epoch", what);
    this.lastLr = "_last_lr" in sd ? readNumbers(sd, "_last_lr", what, n) : null;
  }
}
