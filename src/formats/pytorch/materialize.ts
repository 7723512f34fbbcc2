/**
 * Turns what the unpickler built into concord values: TensorSpecs become Tensors over
 * shared storages (tied weights stay tied), dicts become plain objects (string keys whose
 * order JS keeps) or Maps (any other keys), tuples frozen arrays, lists arrays, sets Sets.
 */
import { isFloating } from "../../core/dtype.ts";
import { FormatError } from "../../core/errors.ts";
import type { Storage } from "../../core/storage.ts";
import { Tensor } from "../../core/tensor.ts";
import { isTuple, PyCallable, PyDict, StorageRef, StorageType, TensorSpec } from "./values.ts";

/** A value read from a checkpoint. Python's None is null, tuples are frozen arrays. */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Tensor
  | PyValue[]
  | readonly PyValue[]
  | Set<PyValue>
  | Map<PyValue, PyValue>
  | PyObject;

/** A Python dict with string keys, in the file's order. */
export interface PyObject {
  [key: string]: PyValue;
}

/** The most nested containers accepted (deeper structures are refused, not recursed into). */
export const MAX_NESTING = 1000;
/** The most elements one tensor may have. */
export const MAX_TENSOR_ELEMENTS = 2 ** 32;

export class Materializer {
  private readonly done = new Map<object, PyValue>();

  constructor(
    private readonly storageFor: (ref: StorageRef) => Storage,
    private readonly fileName: string | undefined,
  ) {}

  private error(message: string, offset?: number): FormatError {
    return new FormatError(message, this.fileName, offset);
  }

  convert(x: unknown, depth = 0): PyValue {
    if (x === null || typeof x === "boolean" || typeof x === "number" || typeof x === "bigint" || typeof x === "string" || x instanceof Uint8Array) return x;
    if (typeof x !== "object") throw this.error(`unexpected value of type ${typeof x}`);
    const cached = this.done.get(x);
    if (cached !== undefined) return cached;
    if (depth > MAX_NESTING) throw this.error(`containers nested more than ${MAX_NESTING} deep`);
    if (x instanceof TensorSpec) return this.remember(x, this.tensor(x));
    if (x instanceof StorageRef) return this.remember(x, this.tensor(new TensorSpec(x, 0, [x.numel], [1], false, 0)));
    if (x instanceof StorageType || x instanceof PyCallable)
      throw this.error(`the pickle holds ${x instanceof StorageType ? `torch.${x.className}` : x.fullName} itself as a value, not data`);
    if (Array.isArray(x)) {
      const out: PyValue[] = [];
      this.done.set(x, out);
      for (const item of x) out.push(this.convert(item, depth + 1));
      if (isTuple(x)) Object.freeze(out);
      return out;
    }
    if (x instanceof Set) {
      const out = new Set<PyValue>();
      this.done.set(x, out);
      for (const item of x) out.add(this.convert(item, depth + 1));
      return out;
    }
    if (x instanceof PyDict) return this.dict(x, depth);
    throw this.error("unexpected value in the pickle");
  }

  private remember(key: object, value: PyValue): PyValue {
    this.done.set(key, value);
    return value;
  }

  private dict(d: PyDict, depth: number): PyValue {
    const keys = [...d.map.keys()];
    if (keys.every((k): k is string => typeof k === "string") && keepsOrder(keys)) {
      const obj: PyObject = {};
      this.done.set(d, obj);
      for (const [k, v] of d.map) define(obj, k as string, this.convert(v, depth + 1));
      return obj;
    }
    const map = new Map<PyValue, PyValue>();
    this.done.set(d, map);
    for (const [k, v] of d.map) map.set(this.convert(k, depth + 1), this.convert(v, depth + 1));
    return map;
  }

  private tensor(spec: TensorSpec): Tensor {
    const ref = spec.storage;
    let numel = 1;
    let extent = 0;
    for (let i = 0; i < spec.shape.length; i++) {
      const size = spec.shape[i]!;
      const stride = spec.strides[i]!;
      if (size < 0 || stride < 0) throw this.error(`tensor has a negative size or stride (size [${spec.shape}], stride [${spec.strides}])`, spec.at);
      numel *= size;
      extent += size > 0 ? (size - 1) * stride : 0;
    }
    if (numel > MAX_TENSOR_ELEMENTS) throw this.error(`tensor of shape [${spec.shape}] has ${numel} elements, more than ${MAX_TENSOR_ELEMENTS}`, spec.at);
    if (numel > 0 && spec.offset + extent >= ref.numel)
      throw this.error(
        `tensor of shape [${spec.shape}], stride [${spec.strides}] at offset ${spec.offset} reaches element ${spec.offset + extent} of a storage of ${ref.numel}`,
        spec.at,
      );
    if (spec.offset > ref.numel) throw this.error(`tensor offset ${spec.offset} is past its storage of ${ref.numel} elements`, spec.at);
    const t = new Tensor(this.storageFor(ref), spec.shape, { strides: spec.strides, offset: ref.viewOffset + spec.offset });
    if (spec.requiresGrad && isFloating(t.dtype)) t.requiresGrad = true;
    return t;
  }
}

/** Sets an own property, even one named `__proto__`. */
function define(obj: PyObject, key: string, value: PyValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** True when a plain object lists `keys` in this order (JS puts integer-like keys first, ascending). */
function keepsOrder(keys: readonly string[]): boolean {
  const probe: PyObject = {};
  for (const k of keys) define(probe, k, null);
  return Object.keys(probe).every((k, i) => k === keys[i]);
}
