/** Learning-rate schedulers, as torch.optim.lr_scheduler (PyTorch 1.13). */
export { LRScheduler, type Scheduler, type SchedulableOptimizer, type ScheduledGroup } from "./scheduler.ts";
export { StepLR, MultiStepLR, ExponentialLR, LinearLR, LambdaLR, type LrLambda } from "./step-schedules.ts";
export { CosineAnnealingLR, CosineAnnealingWarmRestarts } from "./cosine.ts";
export { OneCycleLR, type OneCycleLROptions } from "./one-cycle.ts";
export { SequentialLR } from "./sequential.ts";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce-on-plateau.ts";
