/** train: the fit / evaluate loop, progress, callbacks, metrics, training curves, checkpoints. */
export { Trainer, yieldToEventLoop, type TrainerOptions, type FitOptions, type CheckpointOptions, type OptimizerLike, type SchedulerLike, type Batch, type BatchSource } from "./trainer.ts";
export { EarlyStopping, type Callback, type EarlyStoppingOptions, type EpochLogs, type BatchLogs, type TrainerHandle } from "./callbacks.ts";
export {
  accuracy, topKAccuracy, confusionMatrix, precisionRecallF1, formatConfusionMatrix,
  Accuracy, TopKAccuracy, ConfusionMatrix, ClassificationScore, type Metric, type Average, type ClassScores,
} from "./metrics.ts";
export { ProgressBar, formatDuration, type ProgressOptions, type ProgressSink } from "./progress.ts";
export { trainingChartSvg, trainingChartHtml } from "./chart.ts";
export { emptyHistory, type History } from "./history.ts";
export { encodeCheckpoint, decodeCheckpoint } from "./checkpoint.ts";
