/**
 * Data loading (`torch.utils.data` and the torchvision pieces that go with it): data sets,
 * samplers, a DataLoader with worker threads, readers for IDX and CSV, MNIST, transforms.
 */
export { Dataset, TensorDataset, Subset, ConcatDataset } from "./dataset.ts";
export { randomSplit } from "./random-split.ts";
export {
  SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler,
  type Sampler, type Sized, type RandomSamplerOptions,
} from "./samplers.ts";
export { defaultCollate, type CollateFn } from "./collate.ts";
export { DataLoader, type DataLoaderOptions } from "./dataloader.ts";
export { WorkerError } from "./worker/pool.ts";
export { getWorkerInfo, type WorkerInfo } from "./worker/info.ts";
export type { WorkerSpec, TransformSpec } from "./worker/spec.ts";
export { ImageDataset, type ImageDatasetOptions } from "./image-dataset.ts";
export { MNIST, FashionMNIST, type MnistOptions, type MnistBytes } from "./mnist.ts";
export { readIdx, readIdxArray, type IdxOptions, type IdxArray } from "./readers/idx.ts";
export { readCsv, type CsvOptions, type CsvData } from "./readers/csv.ts";
export * as transforms from "./transforms/index.ts";
