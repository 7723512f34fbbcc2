/**
 * Note: worker specs
 * A DataLoader worker thread cannot receive a data set object (functions and class
 * instances do not cross threads), so each built-in data set and transform describes
 * itself as plain, structured-cloneable data — a WorkerSpec — and the worker rebuilds it
 * (worker/build.ts). Tensor contents travel in SharedArrayBuffers that every worker reads
 * in place; a user data set names a module the worker imports instead.
 */
import type { TensorPayload } from "./shared-tensor.ts";

/** A transform as data: what worker/build.ts turns back into the transform. */
export type TransformSpec =
  | { readonly kind: "compose"; readonly transforms: readonly TransformSpec[] }
  | { readonly kind: "normalize"; readonly mean: readonly number[]; readonly std: readonly number[] }
  | {
      readonly kind: "random-crop";
      readonly size: readonly [number, number];
      readonly padding: readonly [number, number, number, number] | null;
      readonly padIfNeeded: boolean;
      readonly fill: number;
      readonly paddingMode: "constant" | "edge" | "reflect" | "symmetric";
      readonly generatorState: Uint8Array | null;
    }
  | { readonly kind: "random-horizontal-flip"; readonly p: number; readonly generatorState: Uint8Array | null }
  | { readonly kind: "to-tensor" };

/** A data set as data (see Note: worker specs). */
export type WorkerSpec =
  | { readonly kind: "tensors"; readonly tensors: readonly TensorPayload[] }
  | { readonly kind: "subset"; readonly dataset: WorkerSpec; readonly indices: readonly number[] }
  | { readonly kind: "concat"; readonly datasets: readonly WorkerSpec[] }
  | { readonly kind: "images"; readonly images: TensorPayload; readonly labels: TensorPayload; readonly transform: TransformSpec | null }
  | { readonly kind: "module"; readonly url: string; readonly options: unknown };
