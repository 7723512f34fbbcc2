/** Reading the golden files written by scripts/fixtures/*.py. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tensor, type DType, type Tensor } from "../../src/index.ts";

export interface TensorSpec {
  dtype: DType;
  shape: number[];
  data: string;
}

export interface Fixture<C> {
  generatedBy: string;
  torch: string;
  cases: C[];
}

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export function loadFixture<C>(name: string): Fixture<C> {
  return JSON.parse(readFileSync(FIXTURES + name + ".json", "utf8")) as Fixture<C>;
}

/** The exact bytes of a spec as the typed array of its dtype. */
export function specArray(spec: TensorSpec): Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array | Uint16Array {
  const buf = Buffer.from(spec.data, "base64");
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  const ab = bytes.buffer;
  switch (spec.dtype) {
    case "float32": return new Float32Array(ab);
    case "float64": return new Float64Array(ab);
    case "float16":
    case "bfloat16": return new Uint16Array(ab);
    case "int8": return new Int8Array(ab);
    case "uint8":
    case "bool": return new Uint8Array(ab);
    case "int16": return new Int16Array(ab);
    case "int32": return new Int32Array(ab);
    case "int64": return new BigInt64Array(ab);
  }
}

/** A fresh tensor holding a spec's values. */
export function decode(spec: TensorSpec): Tensor {
  return tensor(specArray(spec), { shape: spec.shape, dtype: spec.dtype });
}
