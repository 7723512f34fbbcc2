/**
 * Optimizers, learning-rate schedulers and gradient clipping, with PyTorch 1.13's update
 * rules and state dicts.
 *
 * ```ts
 * import { optim } from "concord";
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * const sched = new optim.lrScheduler.CosineAnnealingLR(opt, { TMax: 100 });
 * for (const batch of data) { opt.zeroGrad(); lossOf(batch).backward(); opt.step(); sched.step(); }
 * ```
 */
export {
  Optimizer, type GroupOptions, type ParamGroup, type ParamGroupSpec, type ParamState, type ScheduleFields,
  type OptimizerStateDict, type GroupLayout, type StateKind,
} from "./optimizer.ts";
export type { StateValue, StateRecord } from "./state-dict.ts";
export { SGD, type SGDOptions, type SGDState } from "./sgd.ts";
export { Adam, AdamW, type AdamOptions, type AdamState } from "./adam.ts";
export { RMSprop, type RMSpropOptions, type RMSpropState } from "./rmsprop.ts";
export { Adagrad, type AdagradOptions, type AdagradState } from "./adagrad.ts";
export { Adamax, type AdamaxOptions, type AdamaxState } from "./adamax.ts";
export { NAdam, type NAdamOptions, type NAdamState } from "./nadam.ts";
export { RAdam, type RAdamOptions, type RAdamState } from "./radam.ts";
export * as functional from "./functional/index.ts";
export { clipGradNorm_, clipGradValue_ } from "./clip.ts";
export * as lrScheduler from "./lr-scheduler/index.ts";
export {
  LRScheduler, StepLR, MultiStepLR, ExponentialLR, LinearLR, LambdaLR, CosineAnnealingLR, CosineAnnealingWarmRestarts,
  OneCycleLR, SequentialLR, ReduceLROnPlateau, type Scheduler, type SchedulableOptimizer, type ScheduledGroup, type LrLambda,
  type OneCycleLROptions, type ReduceLROnPlateauOptions,
} from "./lr-scheduler/index.ts";
