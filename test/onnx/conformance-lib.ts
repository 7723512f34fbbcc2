/**
 * The ONNX backend conformance suite (../shared/onnx-tests): finding cases, feeding their
 * inputs, comparing outputs the way ONNX's runner does (rtol 1e-3, atol 1e-7, shapes and
 * dtypes exact, NaN equal to NaN, strings exact), and naming the cause of a failure.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConcordError, UnsupportedError } from "../../src/core/errors.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { decodeDataValue, type DataValue } from "../../src/formats/onnx/codec.ts";
import { loadSync } from "../../src/formats/onnx/load.ts";
import type { ElemType } from "../../src/graph/elem-type.ts";
import type { TensorData } from "../../src/graph/ir.ts";
import { valueFromTensorData } from "../../src/graph/tensor-data.ts";
import { HostTensor, type GraphValue } from "../../src/graph/value.ts";
import { fromBfloat16Bits, fromFloat16Bits } from "../../src/core/half.ts";
import { tensor } from "../../src/ops/creation.ts";

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

export type Outcome = { status: "pass" } | { status: "fail"; cause: string; detail: string };

export function toGraphValue(v: DataValue): GraphValue {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(toGraphValue);
  return valueFromTensorData(v);
}

const RTOL = 1e-3;
const ATOL = 1e-7;

function decodedNumbers(t: TensorData): number[] {
  const d = t.data;
  if (t.elemType === "float16") return Array.from(d as Uint16Array, fromFloat16Bits);
  if (t.elemType === "bfloat16") return Array.from(d as Uint16Array, fromBfloat16Bits);
  return Array.from(d as ArrayLike<number | bigint>, Number);
}

function actualNumbers(v: Tensor | HostTensor): number[] {
  if (v instanceof HostTensor) {
    if (v.elemType === "float16") return Array.from(v.data as Uint16Array, fromFloat16Bits);
    if (v.elemType === "bfloat16") return Array.from(v.data as Uint16Array, fromBfloat16Bits);
    return Array.from(v.data as ArrayLike<number | bigint>, Number);
  }
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
  const e = decodedNumbers(expected);
  for (let i = 0; i < e.length; i++) if (!close(a[i]!, e[i]!)) return `${where}: element ${i} is ${a[i]}, expected ${e[i]}`;
  return null;
}

function opTypes(model: ReturnType<typeof loadSync>): string {
  const types = [...new Set(model.model.graph.nodes.map((n) => (n.domain && n.domain !== "ai.onnx" ? `${n.domain}.` : "") + n.opType))];
  return types.length === 1 ? types[0]! : "model";
}

/** Wrong results known to come from the test data rather than from concord, by case name. */
const EXPLAINED: [RegExp, string][] = [
  [/^node\/test_bernoulli/, "random draws: the expected values come from NumPy's global random state, not from the seed"],
  [/^node\/test_dft_inverse/, "expected values carry float32 FFT rounding noise (about 2e-7 where the exact result is 0)"],
];

/** A short cause for grouping failures: the missing op, the missing type, or the op that went wrong. */
function causeOf(e: unknown, tested: string): { cause: string; detail: string } {
  const message = e instanceof Error ? e.message : String(e);
  const detail = message.split("\n")[0]!.slice(0, 200);
  const op = /ONNX operator (\S+) \(opset \d+\) is not implemented/.exec(message);
  if (op) return { cause: `op ${op[1]} not implemented`, detail };
  const type = /element type (\w+)/.exec(message);
  if (type && e instanceof UnsupportedError) return { cause: `element type ${type[1]} not supported`, detail };
  if (e instanceof ConcordError) return { cause: `${e.name} in ${tested}`, detail };
  return { cause: `crash in ${tested}`, detail: `${e instanceof Error ? e.name : "throw"}: ${detail}` };
}

/** Runs one case: loads the model, feeds test_data_set_*, compares every output. */
export function runCase(c: Case): Outcome {
  let tested = "model";
  try {
    const model = loadSync(join(c.dir, "model.onnx"));
    tested = opTypes(model);
    const sets = readdirSync(c.dir).filter((d) => d.startsWith("test_data_set_")).sort();
    for (const set of sets) {
      const dir = join(c.dir, set);
      const files = readdirSync(dir);
      const feeds: Record<string, GraphValue> = {};
      model.inputs.forEach((input, k) => {
        if (files.includes(`input_${k}.pb`)) feeds[input.name] = toGraphValue(decodeDataValue(readFileSync(join(dir, `input_${k}.pb`)), input.type, `${set}/input_${k}.pb`));
      });
      const outputs = model.runSync(feeds);
      const expected = model.outputs.map((o, k) =>
        files.includes(`output_${k}.pb`) ? decodeDataValue(readFileSync(join(dir, `output_${k}.pb`)), o.type, `${set}/output_${k}.pb`) : undefined,
      );
      for (let k = 0; k < expected.length; k++) {
        if (expected[k] === undefined) continue;
        const m = mismatch(outputs[model.outputs[k]!.name], expected[k]!, `output ${k}`);
        if (m) {
          const cause = EXPLAINED.find(([re]) => re.test(c.id))?.[1] ?? `wrong result in ${tested}`;
          return { status: "fail", cause, detail: m };
        }
      }
    }
    return { status: "pass" };
  } catch (e) {
    return { status: "fail", ...causeOf(e, tested) };
  }
}

/** light/ models: input arange(n)/n float32 in the declared shape (symbolic dims 1). */
export function runLightModel(file: string, expectedFile: string): Outcome {
  try {
    const model = loadSync(file);
    const initialized = new Set(model.model.graph.initializers.map((t) => t.name));
    const feeds: Record<string, GraphValue> = {};
    for (const input of model.inputs) {
      if (initialized.has(input.name)) continue;
      const type = input.type;
      if (type?.kind !== "tensor" || !type.shape) throw new Error(`input ${input.name} has no tensor shape`);
      const shape = type.shape.map((d) => (typeof d === "number" ? d : 1));
      const n = shape.reduce((a, b) => a * b, 1);
      feeds[input.name] = tensor(Float32Array.from({ length: n }, (_, i) => i / n), { shape });
    }
    const outputs = model.runSync(feeds);
    const expected = decodeDataValue(readFileSync(expectedFile), model.outputs[0]!.type);
    const m = mismatch(outputs[model.outputs[0]!.name], expected, "output 0");
    return m ? { status: "fail", cause: "wrong result in light model", detail: m } : { status: "pass" };
  } catch (e) {
    return { status: "fail", ...causeOf(e, "light model") };
  }
}

