/**
 * The table-driven ONNX export check shared by test/onnx/export*.test.ts: each case builds
 * a seeded module (or function), exports it by tracing, and checks that (a) onnxruntime-node
 * running the file gives concord's eager outputs and (b) concord's own importer (onnx.load)
 * gives them too, within 1e-5 (relative, with an absolute floor of 1e-5 for values near
 * zero), on the traced inputs and on fresh ones of the same sizes. Cases with dynamic axes
 * also run at a size other than the traced one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, rand, randn, type Tensor } from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { exportModel, type ExportOptions } from "../../src/formats/onnx/export/index.ts";
import { loadSync } from "../../src/formats/onnx/load.ts";
import { encodeModel } from "../../src/formats/onnx/codec.ts";
import { assertClose, type Tolerance } from "../helpers/assert.ts";
import { runOrt } from "./ort-helpers.ts";

const TOL: Tolerance = { rtol: 1e-5, atol: 1e-5 };

export interface Case {
  name: string;
  build: () => nn.Module | ((...xs: Tensor[]) => unknown);
  inputs: () => Tensor[];
  options?: ExportOptions;
  /** Inputs at other sizes of the dynamic axes, run after export. */
  other?: () => Tensor[];
  /** The ONNX operators the export must contain. */
  ops?: string[];
  /** A looser tolerance, for long chains of float32 arithmetic. */
  tol?: Tolerance;
}

/** `m` with random running statistics (so that eval-mode normalization is not the identity). */
export function withStats<M extends nn.Module>(m: M): M {
  const sd = m.stateDict();
  for (const key of Object.keys(sd)) {
    if (key.endsWith("running_mean")) sd[key] = randn([...sd[key]!.shape]);
    if (key.endsWith("running_var")) sd[key] = rand([...sd[key]!.shape]).add(0.5);
  }
  m.loadStateDict(sd);
  return m;
}

/** A builder that seeds the global generator first. */
export const seeded = <T,>(seed: number, make: () => T) => () => {
  manualSeed(seed);
  return make();
};

export const image = (n = 2, c = 3, h = 8, w = 8) => () => [randn([n, c, h, w])];

function eager(model: nn.Module | ((...xs: Tensor[]) => unknown), inputs: Tensor[]): Tensor[] {
  const out = model instanceof nn.Module ? (model.eval(), model.forward(...inputs)) : model(...inputs);
  const flat: Tensor[] = [];
  const walk = (v: unknown) => (Array.isArray(v) ? v.forEach(walk) : flat.push(v as Tensor));
  walk(out);
  return flat;
}

/** One node:test test per case. */
export function exportCases(cases: readonly Case[]): void {
  for (const c of cases) {
    test(`export ${c.name}`, async () => {
      const model = c.build();
      const inputs = c.inputs();
      const ir = exportModel(model, inputs, c.options);
      const bytes = encodeModel(ir);
      if (c.ops) for (const op of c.ops) assert.ok(ir.graph.nodes.some((n) => n.opType === op), `${op} in ${ir.graph.nodes.map((n) => n.opType).join(", ")}`);
      assert.ok(ir.opsetImports.some((o) => o.domain === "" && o.version === (c.options?.opset ?? 17)));
      const tol = { ...TOL, ...c.tol };
      // Fresh inputs of the traced sizes too: a value the trace wrongly kept as a constant
      // would still match the traced inputs.
      for (const run of [inputs, c.inputs(), ...(c.other ? [c.other()] : [])]) {
        const expected = eager(model, run);
        const names = ir.graph.inputs.map((v) => v.name);
        const feeds = Object.fromEntries(run.map((t, i) => [names[i]!, t]));
        const fromOrt = await runOrt(bytes, feeds);
        assert.equal(fromOrt.length, expected.length);
        fromOrt.forEach((t, i) => assertClose(t, expected[i]!, tol, `${c.name}: onnxruntime output ${i}`));
        const reimported = loadSync(bytes).runSync(feeds);
        Object.values(reimported).forEach((t, i) => assertClose(t as Tensor, expected[i]!, tol, `${c.name}: onnx.load output ${i}`));
      }
    });
  }
}
