/**
 * Storage: one backend buffer shared by a tensor and all its views.
 *
 * Note: memory by garbage collection. Each Tensor holds one reference to its storage.
 * When a tensor becomes unreachable a FinalizationRegistry drops that reference; when
 * `dispose()` is called the reference is dropped at once (and the finalizer unregistered,
 * so it never drops it twice). The buffer is freed when the last reference goes.
 */
import type { DType, StorageArray } from "./dtype.ts";

/** What a storage needs from the backend that owns its buffer. */
export interface BufferOwner {
  readonly name: string;
  /**
   * True when `readSync` returns the buffer itself for the tensor's whole life (the js
   * backend), so `dataSync()` may hand it out; false when views are only safe for the
   * moment (a wasm heap that grows and reuses blocks), so reads copy.
   */
  readonly stableViews: boolean;
  free(handle: unknown): void;
  /** The buffer's elements in the dtype's storage array (may alias the buffer on CPU backends). */
  readSync(handle: unknown): StorageArray;
}

export class Storage {
  /** Bumped by every in-place write; saved tensors compare it at backward time. */
  version = 0;
  private refs = 0;
  private freed = false;

  constructor(
    readonly owner: BufferOwner,
    readonly handle: unknown,
    readonly dtype: DType,
    /** Length in elements. */
    readonly length: number,
  ) {}

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs <= 0 && !this.freed) {
      this.freed = true;
      this.owner.free(this.handle);
    }
  }

  get isFreed(): boolean {
    return this.freed;
  }
}

const finalizer = new FinalizationRegistry<Storage>((storage) => storage.release());

/** Ties `storage`'s reference to the lifetime of `owner` (a tensor). */
export function trackReference(owner: object, storage: Storage): void {
  storage.retain();
  finalizer.register(owner, storage, owner);
}

/** Drops `owner`'s reference now instead of at garbage collection. */
export function dropReference(owner: object, storage: Storage): void {
  if (finalizer.unregister(owner)) storage.release();
}
