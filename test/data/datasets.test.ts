/** Data sets and default collate. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { esbuildCheck } from "../helpers/bundle.ts";
import { arange, ShapeError, tensor, ValueError, zeros, type Tensor } from "../../src/index.ts";
import { ConcatDataset, Dataset, defaultCollate, getWorkerInfo, Subset, TensorDataset } from "../../src/data/index.ts";

describe("data sets", () => {
  test("TensorDataset rows, negative indices, typed errors", () => {
    const ds = new TensorDataset(arange(6).view([3, 2]), tensor([7, 8, 9]));
    assert.equal(ds.length, 3);
    assert.deepEqual(ds.getItem(1).map((t) => t.toArray()), [[2n, 3n], 8n]);
    assert.deepEqual(ds.getItem(-1)[1]!.item(), 9n);
    assert.throws(() => ds.getItem(3), (e: unknown) => e instanceof ValueError && /index 3 is out of range for length 3/.test(e.message));
    assert.throws(() => ds.getItem(0.5), /index must be an integer/);
    assert.throws(() => new TensorDataset(zeros([3]), zeros([4])), (e: unknown) => e instanceof ShapeError && /tensor 0 has 3 rows, tensor 1 has 4/.test(e.message));
    assert.throws(() => new TensorDataset(), /at least one tensor/);
  });

  test("Subset and ConcatDataset index through to the right items", () => {
    const a = new TensorDataset(arange(3));
    const b = new TensorDataset(arange(10, 15));
    const cat = new ConcatDataset([a, b]);
    assert.equal(cat.length, 8);
    assert.deepEqual(cat.cumulativeSizes, [3, 8]);
    assert.deepEqual([0, 2, 3, 7, -1].map((i) => cat.getItem(i)[0]!.item()), [0n, 2n, 10n, 14n, 14n]);
    const sub = new Subset(cat, [7, 0]);
    assert.deepEqual([0, 1].map((i) => sub.getItem(i)[0]!.item()), [14n, 0n]);
    assert.throws(() => new Subset(a, [3]), /index 3 is out of range/);
    assert.throws(() => new ConcatDataset([]), /should not be an empty list/);
  });

  test("a user data set: no worker spec unless it names a worker module", () => {
    class Squares extends Dataset<number> {
      get length() {
        return 4;
      }
      getItem(i: number) {
        return i * i;
      }
    }
    const ds = new Squares();
    assert.equal(ds.toWorkerSpec(), undefined);
    ds.workerModule = new URL("file:///somewhere/squares.js");
    ds.workerOptions = { n: 4 };
    assert.deepEqual(ds.toWorkerSpec(), { kind: "module", url: "file:///somewhere/squares.js", options: { n: 4 } });
    assert.equal(new Subset(new Squares(), [1]).toWorkerSpec(), undefined);
    assert.equal(getWorkerInfo(), null);
  });
});

describe("defaultCollate", () => {
  test("tensors stack along a new dim 0; integers -> int64, floats -> float64, bigints, booleans; strings stay a list", () => {
    const t = defaultCollate([tensor([1.5, 2]), tensor([3, 4.5])]) as Tensor;
    assert.deepEqual(t.shape, [2, 2]);
    assert.equal(t.dtype, "float32");
    const ints = defaultCollate([3, 5]) as Tensor;
    assert.equal(ints.dtype, "int64");
    assert.deepEqual(ints.toArray(), [3n, 5n]);
    const floats = defaultCollate([3, 0.5]) as Tensor;
    assert.equal(floats.dtype, "float64");
    assert.deepEqual(floats.toArray(), [3, 0.5]);
    assert.deepEqual((defaultCollate([1n, -2n]) as Tensor).toArray(), [1n, -2n]);
    const bools = defaultCollate([true, false]) as Tensor;
    assert.equal(bools.dtype, "bool");
    assert.deepEqual(bools.toArray(), [true, false]);
    assert.deepEqual(defaultCollate(["a", "b"]), ["a", "b"]);
    const fromTyped = defaultCollate([Float32Array.of(1, 2), Float32Array.of(3, 4)]) as Tensor;
    assert.deepEqual([fromTyped.dtype, fromTyped.toArray()], ["float32", [[1, 2], [3, 4]]]);
  });

  test("tuples and records are collated element by element, recursively", () => {
    const out = defaultCollate([
      [tensor([1]), { y: 0, name: "a" }],
      [tensor([2]), { y: 1, name: "b" }],
    ]) as [Tensor, { y: Tensor; name: string[] }];
    assert.deepEqual(out[0].toArray(), [[1n], [2n]]);
    assert.deepEqual(out[1].y.toArray(), [0n, 1n]);
    assert.deepEqual(out[1].name, ["a", "b"]);
  });

  test("errors: mixed kinds, unequal sizes, unequal shapes, unsupported values", () => {
    assert.throws(() => defaultCollate([1, "a"]), /sample 0 is a number but sample 1 is string/);
    assert.throws(() => defaultCollate([[1, 2], [3]]), (e: unknown) => e instanceof ShapeError && /should be of equal size/.test(e.message));
    assert.throws(() => defaultCollate([zeros([2]), zeros([3])]), /stack expects each tensor to be equal size/);
    assert.throws(() => defaultCollate([null]), /found null/);
    assert.throws(() => defaultCollate([{ a: 1 }, { b: 2 }]), /sample 1 has no key 'a'/);
    assert.throws(() => defaultCollate([]), /empty batch/);
  });
});

test("src/data bundles for the browser with no node: imports", async () => {
  await esbuildCheck(new URL("../../src/data/index.ts", import.meta.url));
});
