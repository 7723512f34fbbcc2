/**
 * Running the ONNX backend conformance suite (cases, reading and comparison in suite.ts)
 * through concord, and naming the cause of a failure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConcordError, UnsupportedError } from "../../src/core/errors.ts";
import { decodeDataValue, type DataValue } from "../../src/formats/onnx/codec.ts";
import { loadSync } from "../../src/formats/onnx/load.ts";
import { valueFromTensorData } from "../../src/graph/tensor-data.ts";
import type { GraphValue } from "../../src/graph/value.ts";
import { tensor } from "../../src/ops/creation.ts";
import { mismatch, outputsMismatch, testSets, type Case } from "./suite.ts";

export type Outcome = { status: "pass" } | { status: "fail"; cause: string; detail: string };

export function toGraphValue(v: DataValue): GraphValue {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(toGraphValue);
  return valueFromTensorData(v);
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
    for (const set of testSets(c, model.inputs.map((v) => v.type), model.outputs.map((v) => v.type))) {
      const feeds: Record<string, GraphValue> = {};
      model.inputs.forEach((input, k) => {
        if (set.inputs[k] !== undefined) feeds[input.name] = toGraphValue(set.inputs[k]!);
      });
      const outputs = model.runSync(feeds);
      const m = outputsMismatch(model.outputs.map((o) => outputs[o.name]), set.expected);
      if (m) {
        const cause = EXPLAINED.find(([re]) => re.test(c.id))?.[1] ?? `wrong result in ${tested}`;
        return { status: "fail", cause, detail: m };
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

