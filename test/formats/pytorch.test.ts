import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load, loadStateDict, save, type PyValue } from "../../src/formats/pytorch/index.ts";
import { loadFile } from "../../src/formats/pytorch/node.ts";
import { FormatError, UnsupportedError } from "../../src/core/errors.ts";
import { Tensor } from "../../src/core/tensor.ts";
import type { Storage } from "../../src/core/storage.ts";
import { specArray, type TensorSpec } from "../helpers/fixtures.ts";
import { forEachOffset } from "../../src/core/strided.ts";
import { DTYPES } from "../../src/core/dtype.ts";

const DIR = fileURLToPath(new URL("../fixtures/pytorch/", import.meta.url));
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(DIR + name));

type Expected =
  | null
  | boolean
  | string
  | { type: "tensor"; dtype: string; shape: number[]; stride: number[]; offset: number; storage: number; requiresGrad: boolean; value: TensorSpec }
  | { type: "dict" | "list" | "tuple" | "set"; items: Expected[] | [Expected, Expected][] }
  | { type: "int"; value: string }
  | { type: "float"; value: number | string }
  | { type: "bytes"; value: string };

interface Doc {
  files: Record<string, Expected>;
  malicious: { file: string; global: string; marker: string | null }[];
  written: { source: string; file: string; weightsOnly: boolean }[];
}
const doc = JSON.parse(readFileSync(DIR + "expected.json", "utf8")) as Doc;

/** A tensor's elements in row-major order, in its storage form (float16/bfloat16 as raw bits). */
function rawValues(t: Tensor): ArrayBufferView {
  const storage = t.storage.owner.readSync(t.storage.handle);
  const out = new DTYPES[t.dtype].array(t.size) as typeof storage;
  forEachOffset(t.shape, t.strides, t.offset, (offset, i) => {
    (out as unknown as unknown[])[i] = storage[offset];
  });
  return out;
}

function bytesEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Checks `actual` against the generator's description; `storages` maps its storage numbers to concord storages. */
function check(actual: PyValue, expected: Expected, where: string, storages: Map<number, Storage>): void {
  if (expected === null || typeof expected === "boolean" || typeof expected === "string") {
    assert.equal(actual, expected, where);
    return;
  }
  switch (expected.type) {
    case "tensor": {
      assert.ok(actual instanceof Tensor, `${where} is a tensor`);
      assert.equal(actual.dtype, expected.dtype, `${where} dtype`);
      assert.deepEqual([...actual.shape], expected.shape, `${where} shape`);
      if (actual.size > 0) {
        assert.deepEqual([...actual.strides], expected.stride, `${where} strides`);
        assert.equal(actual.offset, expected.offset, `${where} offset`);
      }
      assert.equal(actual.requiresGrad, expected.requiresGrad, `${where} requiresGrad`);
      assert.ok(bytesEqual(rawValues(actual), specArray(expected.value)), `${where} values`);
      if (actual.size > 0) {
        const known = storages.get(expected.storage);
        if (known === undefined) {
          for (const s of storages.values()) assert.notEqual(s, actual.storage, `${where} must not share a storage`);
          storages.set(expected.storage, actual.storage);
        } else assert.equal(actual.storage, known, `${where} shares its storage`);
      }
      return;
    }
    case "int":
      assert.ok(typeof actual === "number" || typeof actual === "bigint", `${where} is an int`);
      assert.equal(BigInt(actual), BigInt(expected.value), where);
      return;
    case "float":
      assert.equal(actual, typeof expected.value === "number" ? expected.value : Number(expected.value.replace("inf", "Infinity")), where);
      return;
    case "bytes":
      assert.ok(actual instanceof Uint8Array, `${where} is bytes`);
      assert.deepEqual([...actual], [...Buffer.from(expected.value, "base64")], where);
      return;
    case "list":
    case "tuple":
      assert.ok(Array.isArray(actual), `${where} is an array`);
      assert.equal(Object.isFrozen(actual), expected.type === "tuple", `${where} is a ${expected.type}`);
      assert.equal(actual.length, expected.items.length, `${where} length`);
      (expected.items as Expected[]).forEach((e, i) => check((actual as PyValue[])[i]!, e, `${where}[${i}]`, storages));
      return;
    case "set": {
      assert.ok(actual instanceof Set, `${where} is a set`);
      const sorted = [...actual].sort((a, b) => Number(a) - Number(b));
      (expected.items as Expected[]).forEach((e, i) => check(sorted[i]!, e, `${where}{${i}}`, storages));
      return;
    }
    case "dict": {
      const items = expected.items as [Expected, Expected][];
      const entries: [PyValue, PyValue][] = actual instanceof Map ? [...actual.entries()] : Object.entries(actual as object);
      assert.equal(entries.length, items.length, `${where} size`);
      items.forEach(([k, v], i) => {
        const [ak, av] = entries[i]!;
        check(ak, k, `${where} key ${i}`, storages);
        check(av, v, `${where}[${JSON.stringify(ak, (_, x) => (typeof x === "bigint" ? String(x) : x))}]`, storages);
      });
      return;
    }
  }
}

for (const [file, expected] of Object.entries(doc.files)) {
  test(`reads ${file}`, () => {
    check(load(read(file), { fileName: file }), expected, file, new Map());
  });
}

test("tied weights are one tensor; views share their base's storage", () => {
  for (const file of ["views.zip.pt", "views.legacy.pt"]) {
    const sd = loadStateDict(read(file));
    assert.equal(sd["weight"], sd["tied"], file);
    const base = sd["base"] as Tensor;
    for (const k of ["transposed", "offset_rows", "step_cols", "column", "flat_alias"]) assert.equal((sd[k] as Tensor).storage, base.storage, `${file} ${k}`);
    assert.deepEqual((sd["step_cols"] as Tensor).toArray(), [[1, 3, 5], [7, 9, 11], [13, 15, 17], [19, 21, 23]]);
    assert.deepEqual((sd["expanded"] as Tensor).strides, [0, 1]);
  }
});

test("a module state dict reads with PyTorch's keys, in order, without _metadata", () => {
  const sd = loadFile(DIR + "resnet_like.zip.pt") as Record<string, Tensor>;
  const keys = Object.keys(sd);
  assert.equal(keys[0], "conv1.weight");
  assert.ok(keys.includes("layer1.0.downsample.1.running_var"));
  assert.ok(!keys.includes("_metadata"));
  assert.equal(sd["bn1.num_batches_tracked"]!.dtype, "int64");
  assert.equal(sd["bn1.num_batches_tracked"]!.item(), 11n);
});

test("dicts with non-string keys become Maps; parameters keep requires_grad", () => {
  const nested = load(read("nested.zip.pt")) as Record<string, PyValue>;
  const state = (nested["optimizer"] as Record<string, PyValue>)["state"];
  assert.ok(state instanceof Map && state.has(0));
  const params = loadStateDict(read("parameters.zip.pt"));
  assert.equal((params["p"] as Tensor).requiresGrad, true);
  assert.equal((params["frozen"] as Tensor).requiresGrad, false);
});

for (const { file, global, marker } of doc.malicious) {
  test(`refuses ${file}, naming ${global}`, () => {
    if (marker) rmSync(marker, { force: true });
    assert.throws(
      () => load(read(file), { fileName: file }),
      (e: unknown) => e instanceof FormatError && e.message.includes(file) && e.message.includes(`'${global}'`),
    );
    if (marker) assert.ok(!existsSync(marker), `${marker} must not exist`);
  });
}

test("a pickled nn.Module is refused with how to save a state dict instead", () => {
  assert.throws(() => load(read("module-linear.zip.pt")), /torch\.save\(model\.state_dict\(\), path\)/);
  assert.throws(() => load(read("module-linear.legacy.pt")), /torch\.save\(model\.state_dict\(\), path\)/);
});

test("TorchScript archives and complex tensors are refused by name", () => {
  assert.throws(() => load(read("torchscript.pt"), { fileName: "ts.pt" }), (e: unknown) => e instanceof FormatError && /ts.pt.*TorchScript archive/.test(e.message));
  for (const file of ["complex.zip.pt", "complex.legacy.pt"])
    assert.throws(() => load(read(file), { fileName: file }), (e: unknown) => e instanceof UnsupportedError && e.message.includes("complex64") && e.message.includes(file));
});

for (const { source, file } of doc.written) {
  test(`the writer reproduces ${file}, verified by torch.load(weights_only=True)`, () => {
    const bytes = save(load(read(source)));
    assert.ok(bytesEqual(bytes, read(file)), `${file}: the writer's bytes changed`);
    check(load(bytes), doc.files[source]!, file, new Map());
  });
}

test("saving is deterministic and writes a shared storage once", () => {
  const sd = loadStateDict(read("views.zip.pt"));
  const a = save(sd);
  assert.ok(bytesEqual(a, save(sd)));
  const back = loadStateDict(a);
  assert.equal(back["weight"], back["tied"]);
  assert.equal((back["transposed"] as Tensor).storage, (back["base"] as Tensor).storage);
  const names = new TextDecoder("latin1").decode(a).match(/archive\/data\/\d+/g) ?? [];
  assert.equal(new Set(names).size, 5, "weight, base, expanded, scalar and empty each have one storage");
});
