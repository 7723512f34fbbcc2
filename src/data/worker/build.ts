/** Rebuilding data sets and transforms from their specs, inside a worker (see Note: worker specs). */
import { ValueError } from "../../core/errors.ts";
import { ConcatDataset, Dataset, Subset, TensorDataset } from "../dataset.ts";
import { ImageDataset } from "../image-dataset.ts";
import { Compose } from "../transforms/compose.ts";
import { Normalize } from "../transforms/normalize.ts";
import { RandomCrop } from "../transforms/random-crop.ts";
import { RandomHorizontalFlip } from "../transforms/random-flip.ts";
import { ToTensor } from "../transforms/to-tensor.ts";
import { generatorFromState, type Transform } from "../transforms/transform.ts";
import { payloadToTensor } from "./shared-tensor.ts";
import type { TransformSpec, WorkerSpec } from "./spec.ts";

export function buildTransform(spec: TransformSpec): Transform {
  switch (spec.kind) {
    case "compose":
      return new Compose(spec.transforms.map(buildTransform));
    case "normalize":
      return new Normalize(spec.mean, spec.std);
    case "to-tensor":
      return new ToTensor();
    case "random-horizontal-flip":
      return new RandomHorizontalFlip(spec.p, generatorFromState(spec.generatorState));
    case "random-crop": {
      const generator = generatorFromState(spec.generatorState);
      return new RandomCrop(spec.size, {
        ...(spec.padding ? { padding: spec.padding } : {}),
        padIfNeeded: spec.padIfNeeded,
        fill: spec.fill,
        paddingMode: spec.paddingMode,
        ...(generator ? { generator } : {}),
      });
    }
  }
}

/** A module named by a user data set: it exports `createDataset(options)`. */
interface DatasetModule {
  createDataset?: (options: unknown) => Dataset | Promise<Dataset>;
}

export async function buildDataset(spec: WorkerSpec): Promise<Dataset> {
  switch (spec.kind) {
    case "tensors":
      return new TensorDataset(...spec.tensors.map(payloadToTensor));
    case "subset":
      return new Subset(await buildDataset(spec.dataset), spec.indices);
    case "concat":
      return new ConcatDataset(await Promise.all(spec.datasets.map(buildDataset)));
    case "images":
      return new ImageDataset(payloadToTensor(spec.images), payloadToTensor(spec.labels), spec.transform ? { transform: buildTransform(spec.transform) } : {});
    case "module": {
      const mod = (await import(spec.url)) as DatasetModule;
      if (typeof mod.createDataset !== "function") throw new ValueError(`worker module ${spec.url} does not export createDataset(options)`);
      const ds = await mod.createDataset(spec.options);
      if (!(ds instanceof Dataset) && (typeof (ds as Dataset)?.getItem !== "function" || typeof (ds as Dataset)?.length !== "number"))
        throw new ValueError(`createDataset() of ${spec.url} did not return a data set (an object with length and getItem)`);
      return ds;
    }
  }
}
