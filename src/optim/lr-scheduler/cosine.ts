/** Cosine schedules, as PyTorch 1.13: CosineAnnealingLR and CosineAnnealingWarmRestarts. */
import { ValueError } from "../../core/errors.ts";
import { log } from "../../core/glibc-math.ts";
import { readInteger, readNumber, type StateRecord } from "../state-dict.ts";
import { LRScheduler, type SchedulableOptimizer } from "./scheduler.ts";

/**
 * Anneals each lr from its initial value to `etaMin` along half a cosine over `TMax`
 * epochs, then back up (the schedule is periodic with period 2·TMax). Computed in
 * PyTorch's recursive form, ηₜ = (1 + cos(πt/T)) / (1 + cos(π(t − 1)/T)) · (ηₜ₋₁ − η_min) + η_min,
 * so values follow PyTorch's (and other schedulers changing the lr compose with it).
 */
export class CosineAnnealingLR extends LRScheduler {
  TMax: number;
  etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: { TMax: number; etaMin?: number; lastEpoch?: number }) {
    super(optimizer, options.lastEpoch);
    if (!(typeof options.TMax === "number" && options.TMax > 0)) throw new ValueError(`TMax must be a positive number, got ${options.TMax}`);
    this.TMax = options.TMax;
    this.etaMin = options.etaMin ?? 0;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: t, TMax: T, etaMin } = this;
    if (t === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0)
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    if ((t - 1 - T) % (2 * T) === 0)
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    return this.groups.map(
      (g) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - etaMin) + etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.TMax))) / 2);
  }

  protected override ownState(): StateRecord {
    return { T_max: this.TMax, eta_min: this.etaMin };
  }

  protected override loadOwnState(sd: StateRecord, what: string): void {
    this.TMax = readNumber(sd, "T_max", what);
    this.etaMin = readNumber(sd, "eta_min", what);
  }
}

/**
 * Cosine annealing with warm restarts (SGDR): the lr follows half a cosine from its initial
 * value to `etaMin` over T_i epochs, then restarts; T_0 = `T0`, T_{i+1} = T_i·`TMult`.
 * `step(epoch)` accepts fractional epochs (e.g. `epoch + batch / batches`), as in PyTorch.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  T0: number;
  TI: number;
  TMult: number;
  etaMin: number;
  TCur: number;

  constructor(optimizer: SchedulableOptimizer, options: { T0: number; TMult?: number; etaMin?: number; lastEpoch?: number }) {
    const lastEpoch = options.lastEpoch ?? -1;
    super(optimizer, lastEpoch);
    const TMult = options.TMult ?? 1;
    if (!Number.isInteger(options.T0) || options.T0 <= 0) throw new ValueError(`Expected positive integer T_0, but got ${options.T0}`);
    if (!Number.isInteger(TMult) || TMult < 1) throw new ValueError(`Expected integer T_mult >= 1, but got ${TMult}`);
    this.T0 = options.T0;
    this.TI = options.T0;
    this.TMult = TMult;
    this.etaMin = options.etaMin ?? 0;
    this.TCur = lastEpoch;
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.TCur) / this.TI))) / 2);
  }

  /** Advances one epoch, or jumps to `epoch` (fractional allowed). Unlike other schedulers it keeps no step count, as PyTorch's. */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.TCur = this.TCur + 1;
      if (this.TCur >= this.TI) {
        this.TCur = this.TCur - this.TI;
        this.TI = this.TI * this.TMult;
      }
    } else {
      if (!(epoch >= 0)) throw new ValueError(`Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.T0) {
        if (this.TMult === 1) this.TCur = epoch % this.T0;
        else {
          // glibc's log, as Python's math.log(x, base): a last-bit difference could change n.
          const n = Math.trunc(log((epoch / this.T0) * (this.TMult - 1) + 1) / log(this.TMult));
          this.TCur = epoch - (this.T0 * (this.TMult ** n - 1)) / (this.TMult - 1);
          this.TI = this.T0 * this.TMult ** n;
        }
      } else {
        this.TI = this.T0;
        this.TCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    const values = this.getLr();
    this.groups.forEach((g, i) => (g.lr = values[i]!));
    this.lastLr = this.groups.map((g) => g.lr);
  }

  protected override ownState(): StateRecord {
    return { T_0: this.T0, T_i: this.TI, T_mult: this.TMult, eta_min: this.etaMin, T_cur: this.TCur };
  }

  protected override loadOwnState(sd: StateRecord, what: string): void {
    this.T0 = readInteger(sd, "T_0", what);
    this.TI = readNumber(sd, "T_i", what);
    this.TMult = readInteger(sd, "T_mult", what);
    this.etaMin = readNumber(sd, "eta_min", what);
    this.TCur = readNumber(sd, "T_cur", what);
    if (this.T0 <= 0 || this.TMult < 1 || !(this.TI > 0)) throw new ValueError(`${what}: T_0, T_i and T_mult must be positive`);
  }
}
