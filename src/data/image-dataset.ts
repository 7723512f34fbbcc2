/** A labelled image data set over two tensors, the base of MNIST and Fashion-MNIST. */
import { ShapeError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import { select, to, unsqueeze } from "../ops/views.ts";
import { checkIndex, Dataset } from "./dataset.ts";
import { applyTransform, transformSpec, type TransformLike } from "./transforms/transform.ts";
import { tensorToShared } from "./worker/shared-tensor.ts";
import type { WorkerSpec } from "./worker/spec.ts";

export interface ImageDatasetOptions {
  /** Applied to each image (a built-in transform also runs in worker threads). */
  transform?: TransformLike;
  /** Applied to each label (a function: such a data set cannot go to worker threads). */
  targetTransform?: (label: number) => unknown;
}

/**
 * Item i is [image, label]: image i of `data` as [C, H, W] (a [N, H, W] stack gives one
 * channel) and its label as a number, each through its transform if given.
 */
export class ImageDataset extends Dataset<[Tensor, unknown]> {
  /** The images, [N, H, W] or [N, C, H, W]. */
  readonly data: Tensor;
  /** The labels as int64 [N], like torchvision's `targets`. */
  readonly targets: Tensor;
  readonly transform: TransformLike | undefined;
  readonly targetTransform: ((label: number) => unknown) | undefined;
  private readonly labels: number[];

  constructor(data: Tensor, targets: Tensor, options: ImageDatasetOptions = {}) {
    super();
    if (data.ndim !== 3 && data.ndim !== 4) throw new ShapeError(`ImageDataset: images must be [N, H, W] or [N, C, H, W], got [${data.shape.join(", ")}]`);
    if (targets.ndim !== 1 || targets.shape[0] !== data.shape[0])
      throw new ShapeError(`ImageDataset: ${data.shape[0]} images but labels of shape [${targets.shape.join(", ")}]`);
    this.data = data;
    this.targets = to(targets, "int64");
    this.labels = Array.from(this.targets.dataSync() as BigInt64Array, Number);
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
  }

  get length(): number {
    return this.labels.length;
  }

  getItem(index: number): [Tensor, unknown] {
    const i = checkIndex(index, this.length, this.constructor.name);
    const raw = select(this.data, 0, i);
    const image = raw.ndim === 2 ? unsqueeze(raw, 0) : raw;
    const label = this.labels[i]!;
    return [
      this.transform ? applyTransform(this.transform, image) : image,
      this.targetTransform ? this.targetTransform(label) : label,
    ];
  }

  override toWorkerSpec(): WorkerSpec | undefined {
    if (this.targetTransform !== undefined) return super.toWorkerSpec();
    const transform = this.transform === undefined ? null : transformSpec(this.transform);
    if (transform === undefined) return super.toWorkerSpec();
    return { kind: "images", images: tensorToShared(this.data), labels: tensorToShared(this.targets), transform };
  }
}
