/**
 * Turning a list of samples into a batch, as `torch.utils.data.default_collate` does.
 */
import { ShapeError, ValueError } from "../core/errors.ts";
import { Tensor } from "../core/tensor.ts";
import { tensor } from "../ops/creation.ts";
import { stack } from "../ops/composite/shape.ts";

/** Makes one batch from the samples of one batch of indices. */
export type CollateFn<T = unknown, B = unknown> = (samples: T[]) => B;

type TypedArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array;

function isPlainRecord(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

function sameKind(samples: readonly unknown[], test: (x: unknown) => boolean, what: string): void {
  samples.forEach((s, i) => {
    if (!test(s)) throw new ValueError(`default_collate: sample 0 is ${what} but sample ${i} is ${describe(s)}`);
  });
}

/**
 * PyTorch's default collate: tensors are stacked along a new dim 0; numbers become a
 * tensor — int64 when every one is an integer (as Python ints give), float64 otherwise
 * (Python floats) — bigints an int64 tensor and booleans a bool tensor; typed arrays are
 * stacked as tensors (like NumPy arrays); strings stay a list; arrays (tuples) and plain
 * objects are collated element by element / key by key.
 *
 * @example
 * defaultCollate([[x0, 3], [x1, 5]]); // [stack([x0, x1]), tensor([3, 5]) (int64)]
 */
export function defaultCollate(samples: readonly unknown[]): unknown {
  if (samples.length === 0) throw new ValueError("default_collate: cannot collate an empty batch");
  const first = samples[0];
  if (first instanceof Tensor) {
    sameKind(samples, (s) => s instanceof Tensor, "a Tensor");
    return stack(samples as Tensor[], 0);
  }
  if (typeof first === "number") {
    sameKind(samples, (s) => typeof s === "number", "a number");
    const values = samples as number[];
    if (values.every(Number.isInteger)) return tensor(BigInt64Array.from(values, (v) => BigInt(v)));
    return tensor(Float64Array.from(values));
  }
  if (typeof first === "bigint") {
    sameKind(samples, (s) => typeof s === "bigint", "a bigint");
    return tensor(BigInt64Array.from(samples as bigint[]));
  }
  if (typeof first === "boolean") {
    sameKind(samples, (s) => typeof s === "boolean", "a boolean");
    return tensor(Uint8Array.from(samples as boolean[], (b) => (b ? 1 : 0)), { dtype: "bool" });
  }
  if (typeof first === "string") {
    sameKind(samples, (s) => typeof s === "string", "a string");
    return [...samples];
  }
  if (ArrayBuffer.isView(first) && !(first instanceof DataView)) {
    sameKind(samples, (s) => ArrayBuffer.isView(s) && s.constructor === first.constructor, `a ${describe(first)}`);
    return stack((samples as TypedArray[]).map((a) => tensor(a.slice())), 0);
  }
  if (Array.isArray(first)) {
    sameKind(samples, Array.isArray, "an array");
    const n = first.length;
    samples.forEach((s, i) => {
      if ((s as unknown[]).length !== n)
        throw new ShapeError(`default_collate: each element in list of batch should be of equal size (sample 0 has ${n}, sample ${i} has ${(s as unknown[]).length})`);
    });
    return Array.from({ length: n }, (_, k) => defaultCollate(samples.map((s) => (s as unknown[])[k])));
  }
  if (isPlainRecord(first)) {
    sameKind(samples, isPlainRecord, "an object");
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      out[key] = defaultCollate(
        samples.map((s, i) => {
          const r = s as Record<string, unknown>;
          if (!(key in r)) throw new ValueError(`default_collate: sample ${i} has no key '${key}'`);
          return r[key];
        }),
      );
    }
    return out;
  }
  throw new ValueError(
    `default_collate: batch must contain tensors, typed arrays, numbers, bigints, booleans, strings, arrays or plain objects; found ${describe(first)}`,
  );
}
