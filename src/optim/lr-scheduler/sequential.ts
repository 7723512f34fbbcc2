/** SequentialLR, as PyTorch 1.13: one scheduler after another, switching at milestones. */
import { ValueError } from "../../core/errors.ts";
import { isRecord, readInteger, readNumbers, type StateRecord } from "../state-dict.ts";
import { bisectRight, type LRScheduler, type SchedulableOptimizer, type Scheduler } from "./scheduler.ts";

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]` (restarted at epoch 0)
 * until `milestones[1]`, and so on. All schedulers must drive `optimizer`.
 *
 * ```ts
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const decay = new CosineAnnealingLR(opt, { TMax: 95 });
 * const sched = new SequentialLR(opt, { schedulers: [warmup, decay], milestones: [5] });
 * ```
 */
export class SequentialLR implements Scheduler {
  readonly optimizer: SchedulableOptimizer;
  readonly schedulers: LRScheduler[];
  milestones: number[];
  lastEpoch: number;
  private lastLr: number[];

  constructor(optimizer: SchedulableOptimizer, options: { schedulers: readonly LRScheduler[]; milestones: readonly number[]; lastEpoch?: number }) {
    const { schedulers, milestones } = options;
    if (schedulers.length === 0) throw new ValueError("SequentialLR needs at least one scheduler");
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new ValueError(
          `Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
    });
    if (milestones.length !== schedulers.length - 1)
      throw new ValueError(
        `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    this.optimizer = optimizer;
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = (options.lastEpoch ?? -1) + 1;
    // Back to the initial lrs, undo the construction step of every scheduler, and redo the first's.
    for (const group of optimizer.paramGroups) group.lr = group.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): StateRecord {
    return {
      _milestones: [...this.milestones],
      last_epoch: this.lastEpoch,
      _last_lr: [...this.lastLr],
      _schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  loadStateDict(stateDict: StateRecord): void {
    const what = "SequentialLR.loadStateDict";
    if (!isRecord(stateDict)) throw new ValueError(`${what}: expected a dict`);
    const children = stateDict["_schedulers"];
    if (!Array.isArray(children) || children.length !== this.schedulers.length)
      throw new ValueError(`${what}: expected '_schedulers' to hold ${this.schedulers.length} state dicts`);
    const milestones = readNumbers(stateDict, "_milestones", what, this.milestones.length);
    children.forEach((child, i) => {
      if (!isRecord(child)) throw new ValueError(`${what}: _schedulers[${i}] is not a dict`);
      this.schedulers[i]!.loadStateDict(child);
    });
    this.milestones = milestones;
    this.lastEpoch = readInteger(stateDict, "last_epoch", what);
    this.lastLr = readNumbers(stateDict, "_last_lr", what);
  }
}
