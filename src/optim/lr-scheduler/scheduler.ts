/**
 * The base of the epoch-driven learning-rate schedulers, as PyTorch 1.13's
 * `_LRScheduler`: `step()` advances `lastEpoch` and writes the new lr into every group.
 *
 * Note: chainable schedules. Like PyTorch, most schedulers compute the next lr from each
 * group's current lr (the "recursive" or chainable form: StepLR multiplies it by γ), so
 * that several schedulers can act on one optimizer and the values match PyTorch's to the
 * last bit. `step(epoch)` with an explicit epoch uses the closed form where there is one
 * (as PyTorch does, which deprecates that argument).
 */
import { ValueError } from "../../core/errors.ts";
import type { ScheduleFields } from "../optimizer.ts";
import { isRecord, readInteger, readNumber, readNumbers, type StateRecord } from "../state-dict.ts";

/** A parameter group as schedulers see it. */
export interface ScheduledGroup extends ScheduleFields {
  lr: number;
  momentum?: number;
  betas?: readonly [number, number];
}

/** What a scheduler needs of an optimizer (every concord optimizer has it). */
export interface SchedulableOptimizer {
  paramGroups: ScheduledGroup[];
  readonly defaults: object;
}

/** What every scheduler offers, ReduceLROnPlateau and SequentialLR included. */
export interface Scheduler {
  getLastLr(): number[];
  stateDict(): StateRecord;
  loadStateDict(stateDict: StateRecord): void;
}

export abstract class LRScheduler implements Scheduler {
  readonly optimizer: SchedulableOptimizer;
  baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  /** Subclasses set their fields, then call `initialStep()` as their constructor's last statement. */
  protected constructor(optimizer: SchedulableOptimizer, lastEpoch = -1) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups)) throw new ValueError("a scheduler needs an Optimizer");
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new ValueError(`lastEpoch must be an integer >= -1, got ${lastEpoch}`);
    this.optimizer = optimizer;
    optimizer.paramGroups.forEach((group, i) => {
      if (lastEpoch === -1) group.initialLr ??= group.lr;
      else if (group.initialLr === undefined)
        throw new ValueError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  protected get groups(): ScheduledGroup[] {
    return this.optimizer.paramGroups;
  }

  /** @internal The step a scheduler takes on construction (SequentialLR repeats it). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The lrs for `lastEpoch`, in the chainable form (see Note: chainable schedules). */
  protected abstract getLr(): number[];

  /** The lrs for `lastEpoch` from the base lrs alone, where the schedule has such a form. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Advances one epoch (or jumps to `epoch`) and sets every group's lr. */
  step(epoch?: number): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.groups.forEach((g, i) => (g.lr = values[i]!));
    this.lastLr = this.groups.map((g) => g.lr);
  }

  /** The lrs the last step set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** This scheduler's own fields, under PyTorch's names, before the common ones. */
  protected ownState(): StateRecord {
    return {};
  }

  protected loadOwnState(_stateDict: StateRecord, _what: string): void {}

  /** PyTorch's state dict: the scheduler's fields (never the optimizer, never functions). */
  stateDict(): StateRecord {
    return {
      ...this.ownState(),
      base_lrs: [...this.baseLrs],
      last_epoch: this.lastEpoch,
      verbose: false,
      _step_count: this.stepCount,
      _get_lr_called_within_step: false,
      _last_lr: [...this.lastLr],
    };
  }

  loadStateDict(stateDict: StateRecord): void {
    const what = `${this.constructor.name}.loadStateDict`;
    if (!isRecord(stateDict)) throw new ValueError(`${what}: expected a dict`);
    const n = this.groups.length;
    const baseLrs = readNumbers(stateDict, "base_lrs", what, n);
    const lastEpoch = readNumber(stateDict, "last_epoch", what);
    const stepCount = readInteger(stateDict, "_step_count", what);
    const lastLr = "_last_lr" in stateDict ? readNumbers(stateDict, "_last_lr", what, n) : this.lastLr;
    this.loadOwnState(stateDict, what);
    this.baseLrs = baseLrs;
    this.lastEpoch = lastEpoch;
    this.stepCount = stepCount;
    this.lastLr = lastLr;
  }
}

/** Python's `bisect_right`: the number of sorted values <= x. */
export function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < sorted[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
