/**
 * The values the restricted unpickler builds before tensors exist: dicts with Python keys,
 * references to storages, and recipes for tensors. `materialize.ts` turns them into
 * concord values once the storages' bytes are at hand.
 */
import type { DType } from "../../core/dtype.ts";

/** A Python dict or OrderedDict, in insertion order. */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
}

/** A Python tuple: an array frozen at creation. */
export type PyTuple = readonly unknown[];

export function isTuple(x: unknown): x is PyTuple {
  return Array.isArray(x) && Object.isFrozen(x);
}

/** A `torch.<Name>Storage` class named in a persistent id. */
export class StorageType {
  constructor(
    readonly className: string,
    readonly dtype: DType,
  ) {}
}

/** An allow-listed global that is not a value by itself (a function or class). */
export class PyCallable {
  constructor(
    readonly fullName: string,
    /** Calls it with positional arguments; absent for classes that may only be named. */
    readonly call: ((args: readonly unknown[], offset: number) => unknown) | null,
  ) {}
}

/** A storage (or, in the legacy format, a view of one) loaded by persistent id. */
export class StorageRef {
  constructor(
    /** The record (zip: `data/<key>`) or root key (legacy) holding the bytes. */
    readonly key: string,
    readonly dtype: DType,
    /** Elements of the root storage. */
    readonly rootNumel: number,
    /** Where this view starts in the root storage, in elements (legacy views; else 0). */
    readonly viewOffset: number,
    /** Elements of this view. */
    readonly numel: number,
  ) {}
}

/** What `torch._utils._rebuild_tensor_v2` and friends describe: a strided view of a storage. */
export class TensorSpec {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly requiresGrad: boolean,
    /** The byte offset of the opcode that built it, for error messages. */
    readonly at: number,
  ) {}
}
