/**
 * The fit / evaluate loop.
 *
 * ```ts
 * const trainer = new Trainer({ model, optimizer, lossFn: nn.functional.crossEntropy, metrics: [new Accuracy()] });
 * const history = await trainer.fit(trainLoader, { epochs: 3, valData: testLoader });
 * const { loss, accuracy } = await trainer.evaluate(testLoader);
 * ```
 *
 * Batches are arrays of tensors (what DataLoader yields for a TensorDataset): every
 * element but the last is a model input, the last is the target. The loop yields to the
 * event loop after each batch, so finalizers free the step's buffers and memory stays flat.
 */
import type { Tensor } from "../core/tensor.ts";
import { ValueError } from "../core/errors.ts";
import { noGrad } from "../autograd/grad-mode.ts";
import { cat } from "../ops/defs/shape.ts";
import { yieldToEventLoop } from "../core/yield.ts";

export { yieldToEventLoop };
import { defaultGenerator, type Generator } from "../core/random.ts";
import { fileSystem } from "../io/fs.ts";
import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint.ts";
import type { Module, StateDict } from "../nn/module.ts";
import type { Metric } from "./metrics.ts";
import { ProgressBar, type ProgressOptions } from "./progress.ts";
import type { BatchLogs, Callback, EpochLogs, TrainerHandle } from "./callbacks.ts";
import { emptyHistory, recordEpoch, type History } from "./history.ts";

/** What the loop needs of an optimizer (every optimizer in `optim` fits). */
export interface OptimizerLike {
  step(): unknown;
  zeroGrad(setToNone?: boolean): void;
  stateDict(): unknown;
  loadStateDict(state: never): void;
  readonly paramGroups: readonly { lr: number }[];
}

/** What the loop needs of an LR scheduler; `ReduceLROnPlateau` takes the monitored value. */
export interface SchedulerLike {
  step(metric?: number): void;
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

export type Batch = readonly Tensor[];
/** Anything iterable over batches; a known `length` (batches per epoch) enables the ETA. */
export type BatchSource = (AsyncIterable<Batch> | Iterable<Batch>) & { readonly length?: number };

export interface TrainerOptions {
  model: Module;
  optimizer: OptimizerLike;
  /** loss(output, target) -> 0-d tensor. */
  lossFn: (output: Tensor, target: Tensor) => Tensor;
  scheduler?: SchedulerLike;
  /** When the scheduler steps: after each epoch (default) or each batch. */
  schedulerInterval?: "epoch" | "batch";
  /** For ReduceLROnPlateau-style schedulers: the epoch log passed to `step` (e.g. "val_loss"). */
  schedulerMonitor?: string;
  metrics?: Metric[];
  callbacks?: Callback[];
  /** Progress output; false for none. */
  progress?: ProgressOptions | false;
  /** Called between backward and the optimizer step (gradient clipping goes here). */
  afterBackward?: (model: Module) => void;
  /** Random generators whose state checkpoints keep (default: the default generator). */
  generators?: Generator[];
}

export interface CheckpointOptions {
  /** The file (safetensors) written atomically after every `every` epochs. */
  path: string;
  /** Continue from the file when it exists (default true). */
  resume?: boolean;
  /** Save every this many epochs (default 1); the last epoch is always saved. */
  every?: number;
}

export interface FitOptions {
  epochs: number;
  valData?: BatchSource;
  /** Epoch to start from (0-based count of epochs already done), e.g. after resuming. */
  initialEpoch?: number;
  /** Save (and resume from) a checkpoint file. */
  checkpoint?: CheckpointOptions;
}

function lengthOf(source: BatchSource): number {
  const n = source.length;
  return typeof n === "number" && Number.isFinite(n) ? n : 0;
}

function splitBatch(batch: Batch): { inputs: Tensor[]; target: Tensor } {
  if (!Array.isArray(batch) || batch.length < 2) throw new ValueError("a batch must be an array [input, ..., target] of at least two tensors");
  return { inputs: batch.slice(0, -1) as Tensor[], target: batch[batch.length - 1]! };
}

export class Trainer implements TrainerHandle {
  readonly model: Module;
  readonly optimizer: OptimizerLike;
  readonly lossFn: (output: Tensor, target: Tensor) => Tensor;
  readonly scheduler: SchedulerLike | undefined;
  readonly metrics: Metric[];
  readonly callbacks: Callback[];
  readonly options: TrainerOptions;
  history: History = emptyHistory();
  stopTraining = false;
  /** Epochs completed so far (restored with a checkpoint). */
  epoch = 0;
  /** Optimizer steps taken so far. */
  step = 0;
  readonly #progress: ProgressBar | null;

  constructor(options: TrainerOptions) {
    this.options = options;
    this.model = options.model;
    this.optimizer = options.optimizer;
    this.lossFn = options.lossFn;
    this.scheduler = options.scheduler;
    this.metrics = options.metrics ?? [];
    this.callbacks = options.callbacks ?? [];
    this.#progress = options.progress === false ? null : new ProgressBar(options.progress ?? {});
  }

  modelState(): StateDict {
    return this.model.stateDict();
  }
  loadModelState(state: StateDict): void {
    this.model.loadStateDict(state);
  }

  async #emit<K extends keyof Callback>(name: K, ...args: Parameters<NonNullable<Callback[K]>>): Promise<void> {
    for (const cb of this.callbacks) {
      const fn = cb[name] as ((...a: unknown[]) => unknown) | undefined;
      if (fn) await fn.apply(cb, args);
    }
  }

  /** Trains for `epochs` epochs (counting from `initialEpoch` or the resumed epoch) and returns the history. */
  async fit(trainData: BatchSource, options: FitOptions): Promise<History> {
    if (!Number.isInteger(options.epochs) || options.epochs < 0) throw new ValueError(`fit: epochs must be a non-negative integer, got ${options.epochs}`);
    this.stopTraining = false;
    if (options.initialEpoch !== undefined) this.epoch = options.initialEpoch;
    const ckpt = options.checkpoint;
    if (ckpt && (ckpt.resume ?? true) && (await (await fileSystem("checkpoints")).exists(ckpt.path))) await this.loadCheckpoint(ckpt.path);
    await this.#emit("onTrainBegin", this);
    while (this.epoch < options.epochs && !this.stopTraining) {
      const epoch = this.epoch + 1;
      await this.#emit("onEpochBegin", epoch, this);
      const train = await this.#trainEpoch(trainData, epoch, options.epochs);
      const val = options.valData ? await this.evaluate(options.valData, `  validation`) : {};
      const logs: EpochLogs = { ...train, ...Object.fromEntries(Object.entries(val).map(([k, v]) => [`val_${k}`, v])) };
      logs.lr = this.optimizer.paramGroups[0]?.lr ?? Number.NaN;
      recordEpoch(this.history, epoch, train, val);
      if (this.scheduler && (this.options.schedulerInterval ?? "epoch") === "epoch") {
        const monitor = this.options.schedulerMonitor;
        if (monitor !== undefined && logs[monitor] === undefined) throw new ValueError(`fit: schedulerMonitor '${monitor}' is not logged`);
        this.scheduler.step(monitor === undefined ? undefined : logs[monitor]);
      }
      this.epoch = epoch;
      await this.#emit("onEpochEnd", epoch, logs, this);
      if (ckpt && (epoch % (ckpt.every ?? 1) === 0 || epoch === options.epochs || this.stopTraining)) await this.saveCheckpoint(ckpt.path);
    }
    await this.#emit("onTrainEnd", this.history, this);
    return this.history;
  }

  async #trainEpoch(data: BatchSource, epoch: number, epochs: number): Promise<Record<string, number>> {
    this.model.train();
    for (const m of this.metrics) m.reset();
    const total = lengthOf(data);
    this.#progress?.start(`epoch ${epoch}/${epochs}`, total);
    let lossSum = 0;
    let samples = 0;
    let batches = 0;
    for await (const batch of data) {
      const { inputs, target } = splitBatch(batch);
      const output = this.model.forward(...inputs) as Tensor;
      const loss = this.lossFn(output, target);
      this.optimizer.zeroGrad();
      loss.backward();
      this.options.afterBackward?.(this.model);
      this.optimizer.step();
      if (this.scheduler && this.options.schedulerInterval === "batch") this.scheduler.step();
      const size = inputs[0]!.shape[0] ?? 1;
      const value = Number(loss.item());
      lossSum += value * size;
      samples += size;
      batches++;
      this.step++;
      noGrad(() => {
        for (const m of this.metrics) m.update(output.detach(), target);
      });
      this.history.batches.push({ step: this.step, loss: value });
      const logs: BatchLogs = { epoch, batch: batches, step: this.step, loss: value, size };
      await this.#emit("onBatchEnd", logs, this);
      this.#progress?.update(batches, samples, this.#running(lossSum / samples));
      await yieldToEventLoop();
    }
    const result = this.#running(lossSum / samples);
    this.#progress?.end(batches, samples, result);
    return result;
  }

  #running(loss: number): Record<string, number> {
    const logs: Record<string, number> = { loss };
    for (const m of this.metrics) logs[m.name] = m.compute();
    return logs;
  }

  /** Everything a resumed run needs: model, optimizer, scheduler, RNG states, epoch, step and history. */
  checkpointState(): Record<string, unknown> {
    return {
      model: this.model.stateDict(),
      optimizer: this.optimizer.stateDict(),
      scheduler: this.scheduler?.stateDict() ?? null,
      rng: (this.options.generators ?? [defaultGenerator]).map((g) => g.getState()),
      epoch: this.epoch,
      step: this.step,
      history: this.history,
    };
  }

  /** Restores what `checkpointState` captured. */
  restoreCheckpointState(state: Record<string, unknown>): void {
    this.model.loadStateDict(state.model as StateDict);
    this.optimizer.loadStateDict(state.optimizer as never);
    if (this.scheduler && state.scheduler) this.scheduler.loadStateDict(state.scheduler as never);
    const gens = this.options.generators ?? [defaultGenerator];
    const rng = (state.rng as Uint8Array[] | undefined) ?? [];
    gens.forEach((g, i) => rng[i] && g.setState(rng[i]));
    this.epoch = Number(state.epoch ?? 0);
    this.step = Number(state.step ?? 0);
    if (state.history) this.history = state.history as History;
  }

  /** The checkpoint as safetensors bytes. */
  checkpointBytes(): Uint8Array {
    return encodeCheckpoint(this.checkpointState());
  }

  restoreCheckpointBytes(bytes: Uint8Array, fileName?: string): void {
    this.restoreCheckpointState(decodeCheckpoint(bytes, fileName));
  }

  /** Writes the checkpoint to `path` through a temporary file and a rename (never a half-written file). */
  async saveCheckpoint(path: string): Promise<void> {
    await (await fileSystem("saving checkpoints")).writeFileAtomic(path, this.checkpointBytes());
  }

  async loadCheckpoint(path: string): Promise<void> {
    this.restoreCheckpointBytes(await (await fileSystem("loading checkpoints")).readFile(path), path);
  }

  /** Mean loss and the metrics over `data`, in eval mode without gradients. */
  async evaluate(data: BatchSource, label = "evaluate"): Promise<Record<string, number>> {
    const wasTraining = this.model.training;
    this.model.eval();
    for (const m of this.metrics) m.reset();
    this.#progress?.start(label, lengthOf(data));
    let lossSum = 0;
    let samples = 0;
    let batches = 0;
    try {
      for await (const batch of data) {
        const { inputs, target } = splitBatch(batch);
        const size = inputs[0]!.shape[0] ?? 1;
        noGrad(() => {
          const output = this.model.forward(...inputs) as Tensor;
          lossSum += Number(this.lossFn(output, target).item()) * size;
          for (const m of this.metrics) m.update(output, target);
        });
        samples += size;
        batches++;
        this.#progress?.update(batches, samples, this.#running(lossSum / samples));
        await yieldToEventLoop();
      }
    } finally {
      this.model.train(wasTraining);
    }
    const result = this.#running(lossSum / samples);
    this.#progress?.end(batches, samples, result);
    return result;
  }

  /** The model's outputs over `data` (inputs only, or [inputs..., target] batches), concatenated along dim 0. */
  async predict(data: BatchSource, options: { hasTarget?: boolean } = {}): Promise<Tensor> {
    const wasTraining = this.model.training;
    this.model.eval();
    const outputs: Tensor[] = [];
    try {
      for await (const batch of data) {
        const inputs = options.hasTarget === false ? [...batch] : splitBatch(batch).inputs;
        outputs.push(noGrad(() => this.model.forward(...inputs) as Tensor));
        await yieldToEventLoop();
      }
    } finally {
      this.model.train(wasTraining);
    }
    if (outputs.length === 0) throw new ValueError("predict: the data yielded no batches");
    return cat(outputs, 0);
  }
}
