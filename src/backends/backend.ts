/**
 * What every backend provides: buffers, reading and writing them, and running kernels.
 * `js` is total (every op, every dtype); others fill what they accelerate and
 * `dispatch.ts` sends the rest to `js`.
 */
import type { DType, StorageArray } from "../core/dtype.ts";
import type { BufferOwner } from "../core/storage.ts";
import type { Storage } from "../core/storage.ts";
import type { Tensor } from "../core/tensor.ts";
import type { Inference } from "../ops/define-op.ts";

export interface Backend extends BufferOwner {
  readonly name: "js" | "wasm" | "webgpu";
  /** A zeroed buffer of `length` elements of `dtype`. */
  alloc(dtype: DType, length: number): Storage;
  /** A storage over an existing array, without copying where the backend can. */
  adopt(dtype: DType, array: StorageArray): Storage;
  read(handle: unknown): Promise<StorageArray>;
  /** Bytes held by live buffers: the memory tests watch this. */
  liveBytes(): number;
  /** Whether this backend has a kernel for `op`. */
  hasKernel(op: string): boolean;
  /**
   * Runs the kernel of `op` into new storages, one per output of `inference`; null when
   * this backend has no kernel for these dtypes or layouts (dispatch then uses js).
   */
  run(op: string, inputs: readonly Tensor[], attrs: unknown, inference: Inference): Storage[] | null;
  /** Writes `src` (any layout, any backend) into the strided region of `dst`, casting to dst's dtype. */
  assign(dst: Tensor, src: Tensor): void;
}
