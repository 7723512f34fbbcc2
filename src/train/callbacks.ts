/**
 * Callbacks: code the fit loop calls at the start and end of training, of each epoch and
 * after each batch. Setting `trainer.stopTraining = true` ends the fit after the epoch.
 */
import type { Tensor } from "../core/tensor.ts";
import { ValueError } from "../core/errors.ts";
import { noGrad } from "../autograd/grad-mode.ts";
import type { History } from "./history.ts";

/** What callbacks see of the trainer. */
export interface TrainerHandle {
  stopTraining: boolean;
  /** The model's current state dict (detached tensors sharing data). */
  modelState(): Record<string, Tensor>;
  loadModelState(state: Record<string, Tensor>): void;
  readonly history: History;
}

/** Per-epoch logs, Keras-style keys: "loss", "accuracy", "val_loss", "val_accuracy", "lr". */
export type EpochLogs = Record<string, number>;

export interface BatchLogs {
  epoch: number;
  batch: number;
  step: number;
  loss: number;
  size: number;
}

export interface Callback {
  onTrainBegin?(trainer: TrainerHandle): void | Promise<void>;
  onEpochBegin?(epoch: number, trainer: TrainerHandle): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs, trainer: TrainerHandle): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs, trainer: TrainerHandle): void | Promise<void>;
  onTrainEnd?(history: History, trainer: TrainerHandle): void | Promise<void>;
}

export interface EarlyStoppingOptions {
  /** The epoch log to watch (default "val_loss"). */
  monitor?: string;
  /** "min", "max", or "auto" (max for names containing acc/f1/precision/recall, else min). */
  mode?: "min" | "max" | "auto";
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** The smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the best epoch's weights when stopping or at the end (default false). */
  restoreBestWeights?: boolean;
}

/** Stops training when a monitored value stops improving. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: "min" | "max";
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  best = Number.NaN;
  bestEpoch = 0;
  stoppedEpoch = 0;
  #wait = 0;
  #bestState: Record<string, Tensor> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? "val_loss";
    const mode = options.mode ?? "auto";
    this.mode = mode === "auto" ? (/acc|f1|precision|recall|top\d/.test(this.monitor) ? "max" : "min") : mode;
    this.patience = options.patience ?? 0;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new ValueError(`EarlyStopping: patience must be a non-negative integer, got ${this.patience}`);
  }

  onTrainBegin(): void {
    this.best = Number.NaN;
    this.#wait = 0;
    this.#bestState = null;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, trainer: TrainerHandle): void {
    const value = logs[this.monitor];
    if (value === undefined)
      throw new ValueError(`EarlyStopping: '${this.monitor}' is not logged; available: ${Object.keys(logs).join(", ")}`);
    const improved = Number.isNaN(this.best) || (this.mode === "min" ? value < this.best - this.minDelta : value > this.best + this.minDelta);
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
      this.#wait = 0;
      if (this.restoreBestWeights) this.#bestState = noGrad(() => Object.fromEntries(Object.entries(trainer.modelState()).map(([k, t]) => [k, t.clone()])));
      return;
    }
    this.#wait++;
    if (this.#wait > this.patience) {
      this.stoppedEpoch = epoch;
      trainer.stopTraining = true;
    }
  }

  onTrainEnd(_history: History, trainer: TrainerHandle): void {
    if (this.restoreBestWeights && this.#bestState) trainer.loadModelState(this.#bestState);
  }
}

