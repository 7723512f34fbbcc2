/**
 * The ONNX backend conformance suite (../shared/onnx-tests) independent of who runs it:
 * finding cases, reading their test_data_set_* files by the declared types of the graph's
 * inputs and outputs, and comparing outputs the way ONNX's runner does (rtol 1e-3,
 * atol 1e-7, shapes and dtypes exact, NaN equal to NaN, strings exact). Used by the
 * conformance test (concord) and by bench/onnx-conformance.ts (concord and onnxruntime-node).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "../../src/core/tensor.ts";
import { fromBfloat16Bits, fromFloat16Bits } from "../../src/core/half.ts";
import { decodeDataValue, type DataValue } from "../../src/formats/onnx/codec.ts";
import type { ElemType } from "../../src/graph/elem-type.ts";
import type { TensorData, ValueType } from "../../src/graph/ir.ts";
import { HostTensor, type GraphValue } from "../../src/graph/value.ts";

export const FOLDERS = ["node", "pytorch-converted", "pytorch-operator", "simple"] as const;

export interface Case {
  /** "node/test_add" */
  id: string;
  dir: string;
}

export function suiteRoot(): string {
  const candidates = [process.env.ONNX_TESTS, new URL("../../../shared/onnx-tests/", import.meta.url).pathname, "/work/shared/onnx-tests/"];
  for (const p of candidates) if (p && existsSync(p)) return p;
  throw new Error("ONNX conformance data not found");
}

export function listCases(folder: string): Case[] {
  const root = join(suiteRoot(), folder);
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, "model.onnx")))
    .sort()
    .map((name) => ({ id: `${folder}/${name}`, dir: join(root, name) }));
}

/** One test_data_set_*: inputs and expected outputs by position (undefined where the set has no file). */
export interface TestSet {
  name: string;
  inputs: (DataValue | undefined)[];
  expected: (DataValue | undefined)[];
}

/**
 * The test sets of a case, each `.pb` decoded by the declared type (tensor, sequence,
 * optional) of the graph input or output at its position. Lazy: a file that does not
 * decode throws when its set is reached.
 */
export function* testSets(c: Case, inputTypes: readonly (ValueType | undefined)[], outputTypes: readonly (ValueType | undefined)[]): Generator<TestSet> {
  for (const name of readdirSync(c.dir).filter((d) => d.startsWith("test_data_set_")).sort()) {
    const dir = join(c.dir, name);
    const files = readdirSync(dir);
    const read = (kind: "input" | "output", types: readonly (ValueType | undefined)[]) =>
      types.map((type, k) => {
        const file = `${kind}_${k}.pb`;
        return files.includes(file) ? decodeDataValue(readFileSync(join(dir, file)), type, `${name}/${file}`) : undefined;
      });
    yield { name, inputs: read("input", inputTypes), expected: read("output", outputTypes) };
  }
}

const RTOL = 1e-3;
const ATOL = 1e-7;

function numbers(elemType: ElemType, data: ArrayLike<number | bigint>): number[] {
  if (elemType === "float16") return Array.from(data as Uint16Array, fromFloat16Bits);
  if (elemType === "bfloat16") return Array.from(data as Uint16Array, fromBfloat16Bits);
  return Array.from(data, Number);
}

function actualNumbers(v: Tensor | HostTensor): number[] {
  if (v instanceof HostTensor) return numbers(v.elemType, v.data as ArrayLike<number | bigint>);
  return Array.from(v.dataSync() as ArrayLike<number | bigint>, Number);
}

function close(a: number, e: number): boolean {
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= ATOL + RTOL * Math.abs(e);
}

/** Why `actual` does not match `expected`, or null when it does. */
export function mismatch(actual: GraphValue | undefined, expected: DataValue, where: string): string | null {
  if (expected === null) return actual === null ? null : `${where}: expected an empty optional`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${where}: expected a sequence`;
    if (actual.length !== expected.length) return `${where}: sequence of ${actual.length} elements, expected ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(actual[i], expected[i]!, `${where}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (!(actual instanceof Tensor || actual instanceof HostTensor)) return `${where}: expected a tensor, got ${actual === null ? "null" : Array.isArray(actual) ? "a sequence" : String(actual)}`;
  const dtype: ElemType = actual instanceof Tensor ? actual.dtype : actual.elemType;
  if (dtype !== expected.elemType) return `${where}: dtype ${dtype}, expected ${expected.elemType}`;
  if (actual.shape.join() !== expected.dims.join() || actual.shape.length !== expected.dims.length)
    return `${where}: shape [${actual.shape}], expected [${expected.dims}]`;
  if (expected.elemType === "string") {
    const a = (actual as HostTensor).data as string[];
    const e = expected.data as string[];
    for (let i = 0; i < e.length; i++) if (a[i] !== e[i]) return `${where}: element ${i} is "${a[i]}", expected "${e[i]}"`;
    return null;
  }
  const a = actualNumbers(actual);
  const e = numbers(expected.elemType, (expected as TensorData).data as ArrayLike<number | bigint>);
  for (let i = 0; i < e.length; i++) if (!close(a[i]!, e[i]!)) return `${where}: element ${i} is ${a[i]}, expected ${e[i]}`;
  return null;
}

/** The first output (by position) that does not match its expected value, or null. */
export function outputsMismatch(actual: readonly (GraphValue | undefined)[], expected: readonly (DataValue | undefined)[]): string | null {
  for (let k = 0; k < expected.length; k++) {
    if (expected[k] === undefined) continue;
    const m = mismatch(actual[k], expected[k]!, `output ${k}`);
    if (m) return m;
  }
  return null;
}
