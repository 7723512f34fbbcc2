/**
 * ONNX protobuf and IR round trips over every model of the conformance suite, and
 * TensorProto <-> Tensor conversion for every element type, with the checks on sizes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { FormatError } from "../../src/core/errors.ts";
import { tensor } from "../../src/index.ts";
import { ModelProto, TensorProto } from "../../src/formats/onnx/proto.ts";
import { decodeModel, decodeTensor, encodeModel, encodeTensor } from "../../src/formats/onnx/codec.ts";
import { tensorDataFromValue, valueFromTensorData } from "../../src/graph/tensor-data.ts";
import { HostTensor } from "../../src/graph/value.ts";
import type { TensorData } from "../../src/graph/ir.ts";
import { FOLDERS, suiteRoot } from "./suite.ts";

function suiteModels(): string[] {
  const root = suiteRoot();
  const files: string[] = [];
  for (const folder of FOLDERS)
    for (const name of readdirSync(join(root, folder))) {
      const p = join(root, folder, name, "model.onnx");
      if (existsSync(p)) files.push(p);
    }
  for (const name of readdirSync(join(root, "light"))) if (name.endsWith(".onnx")) files.push(join(root, "light", name));
  return files;
}

const plain = { longs: String, bytes: String, enums: Number };

test("every suite model survives protobuf decode -> encode -> decode unchanged", () => {
  const files = suiteModels();
  assert.ok(files.length > 1900, `found ${files.length} models`);
  for (const file of files) {
    const m1 = ModelProto.decode(readFileSync(file));
    const m2 = ModelProto.decode(ModelProto.encode(m1).finish());
    assert.ok(isDeepStrictEqual(ModelProto.toObject(m1, plain), ModelProto.toObject(m2, plain)), file);
  }
});

test("every suite model survives bytes -> IR -> bytes with every field kept", () => {
  // defaults: true so an absent field and one set to its default compare equal.
  const options = { ...plain, defaults: true, arrays: true };
  for (const file of suiteModels()) {
    const bytes = readFileSync(file);
    const again = ModelProto.decode(encodeModel(decodeModel(bytes)));
    assert.ok(isDeepStrictEqual(ModelProto.toObject(ModelProto.decode(bytes), options), ModelProto.toObject(again, options)), file);
  }
});

function roundTrip(t: TensorData): TensorData {
  return decodeTensor(encodeTensor(t));
}

test("TensorProto <-> Tensor for every concord dtype, raw_data and typed fields", () => {
  const cases = [
    tensor([[1.5, -2], [0, 3e38]], { dtype: "float32" }),
    tensor([1e300, -1e-300, Math.PI], { dtype: "float64" }),
    tensor([1, -2.5, 65504, 0.0001], { dtype: "float16" }),
    tensor([1, -2.5, 3e38], { dtype: "bfloat16" }),
    tensor([-128, 0, 127], { dtype: "int8" }),
    tensor([0, 255], { dtype: "uint8" }),
    tensor([-32768, 32767], { dtype: "int16" }),
    tensor([-2147483648, 2147483647], { dtype: "int32" }),
    tensor(BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n, 5n)),
    tensor([true, false, true]),
    tensor(5.5, { dtype: "float32" }),
    tensor(new Float32Array(0), { shape: [0, 3] }),
  ];
  for (const t of cases)
    for (const storage of ["raw", "fields"] as const) {
      const data = { ...tensorDataFromValue(t, "x"), storage };
      const back = roundTrip(data);
      assert.equal(back.elemType, t.dtype);
      assert.equal(back.storage, storage);
      assert.deepEqual(back.dims, [...t.shape]);
      const v = valueFromTensorData(back);
      assert.ok(!(v instanceof HostTensor));
      assert.deepEqual(v.toArray(), t.toArray(), `${t.dtype} via ${storage}`);
    }
});

test("host element types round trip: strings, unsigned, 4-bit and 2-bit packing, float8", () => {
  const cases: TensorData[] = [
    { elemType: "string", dims: [3], data: ["a", "", "héllo ✓"] },
    { elemType: "uint64", dims: [2], data: BigUint64Array.of(2n ** 64n - 1n, 7n) },
    { elemType: "uint32", dims: [2], data: Uint32Array.of(4294967295, 1) },
    { elemType: "uint16", dims: [1], data: Uint16Array.of(65535) },
    { elemType: "int4", dims: [3], data: Int8Array.of(-8, 7, -1) },
    { elemType: "uint4", dims: [5], data: Uint8Array.of(0, 15, 3, 9, 1) },
    { elemType: "int2", dims: [5], data: Int8Array.of(-2, 1, 0, -1, 1) },
    { elemType: "float8e4m3fn", dims: [2], data: Uint8Array.of(0x7e, 0x01) },
    { elemType: "complex64", dims: [1], data: Float32Array.of(1, -2) },
  ];
  for (const t of cases)
    for (const storage of ["raw", "fields"] as const) {
      if (t.elemType === "string" && storage === "raw") continue;
      const back = roundTrip({ ...t, storage });
      assert.equal(back.elemType, t.elemType);
      assert.deepEqual(Array.from(back.data as ArrayLike<unknown>), Array.from(t.data as ArrayLike<unknown>), `${t.elemType} via ${storage}`);
    }
  // Two int4 values share a byte, the first in the low nibble.
  const msg = TensorProto.decode(encodeTensor({ elemType: "int4", dims: [3], data: Int8Array.of(1, -1, 2), storage: "raw" })) as unknown as { raw_data: Uint8Array };
  assert.deepEqual(Array.from(msg.raw_data), [0xf1, 0x02]);
});

test("malformed tensors are FormatErrors, refused before allocating", () => {
  const bad = (fields: Record<string, unknown>) => TensorProto.encode(TensorProto.fromObject({ data_type: 1, ...fields })).finish();
  assert.throws(() => decodeTensor(bad({ dims: [4], raw_data: new Uint8Array(8) })), FormatError);
  assert.throws(() => decodeTensor(bad({ dims: [-1], raw_data: new Uint8Array(0) })), FormatError);
  assert.throws(() => decodeTensor(bad({ dims: [2 ** 40, 2 ** 20] })), FormatError);
  assert.throws(() => decodeTensor(bad({ dims: [3], float_data: [1, 2] })), FormatError);
  assert.throws(() => decodeTensor(bad({ data_type: 99, dims: [1] })), FormatError);
  assert.throws(() => decodeTensor(bad({ dims: [1], data_location: 1, external_data: [{ key: "location", value: "w.bin" }] })), FormatError);
  assert.throws(() => decodeModel(Uint8Array.of(0xff, 0xff, 0xff)), FormatError);
});
