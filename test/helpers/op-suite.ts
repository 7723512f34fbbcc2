/**
 * The generic op suite: one OpInfo per op drives forward checks against PyTorch fixtures,
 * gradient checks against PyTorch's gradients, float64 gradcheck and (where claimed)
 * gradgradcheck. Fixture cases come from scripts/fixtures/gen_<family>.py via `op_case`.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ConcordError, grad, setBackend, Tensor } from "../../src/index.ts";
import { gradcheck, gradgradcheck } from "../../src/autograd/gradcheck.ts";
import { assertClose, type Tolerance } from "./assert.ts";
import { decode, loadFixture, type TensorSpec } from "./fixtures.ts";

type ViewStep = [string, ...unknown[]];

export interface OpCase {
  op: string;
  name: string;
  inputs: { tensor: TensorSpec; view: ViewStep[] | null }[];
  args: Record<string, unknown>;
  out?: TensorSpec[];
  error?: string;
  gradOut?: TensorSpec[];
  gradOutIndex?: number[];
  grads?: (TensorSpec | null)[];
}

export interface OpInfo {
  /** Calls the concord op on (viewed) inputs with the case's args. */
  run: (inputs: Tensor[], args: Record<string, unknown>) => Tensor | Tensor[];
  /** Tolerance overrides for forward values (by default PyTorch's per dtype). */
  tol?: Tolerance;
  /** Tolerance overrides for gradients. */
  gradTol?: Tolerance;
  /** Run float64 gradcheck on cases with finite float64 inputs (default true when grads exist). */
  gradcheck?: boolean;
  /** Also check second derivatives. */
  gradgrad?: boolean;
  /** Cases (by name) where finite differences are meaningless, e.g. at a kink. */
  gradcheckSkip?: RegExp;
}

/** Replays a view spec written by common.py's apply_view. */
export function applyView(t: Tensor, view: ViewStep[] | null): Tensor {
  for (const step of view ?? []) {
    const [kind, ...a] = step;
    if (kind === "t") t = t.t();
    else if (kind === "transpose") t = t.transpose(a[0] as number, a[1] as number);
    else if (kind === "permute") t = t.permute(a[0] as number[]);
    else if (kind === "slice") t = t.slice(a[0] as number, a[1] as number | null, a[2] as number | null, (a[3] as number | null) ?? 1);
    else if (kind === "expand") t = t.expand(a[0] as number[]);
    else if (kind === "unsqueeze") t = t.unsqueeze(a[0] as number);
    else if (kind === "select") t = t.select(a[0] as number, a[1] as number);
    else throw new Error(`unknown view step ${kind}`);
  }
  return t;
}

function asList(x: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(x) ? x : [x];
}

function isFiniteFloat64(t: Tensor): boolean {
  return t.dtype === "float64" && (t.dataSync() as Float64Array).every(Number.isFinite);
}

type BackendName = "js" | "wasm";

/** The backends every op suite runs on (CONCORD_TEST_BACKENDS=js,wasm narrows it). */
const BACKENDS: BackendName[] = (process.env.CONCORD_TEST_BACKENDS ?? "js,wasm").split(",") as BackendName[];

/**
 * Registers the suite for fixture `name` with `infos` keyed by op name, once per backend.
 * Float64 gradchecks run on js only: wasm kernels are float32, so float64 runs the same js
 * kernels there.
 */
export function runOpSuite(name: string, infos: Record<string, OpInfo>): void {
  for (const backend of BACKENDS) registerSuite(name, infos, backend);
}

function registerSuite(name: string, infos: Record<string, OpInfo>, backend: BackendName): void {
  const fixture = loadFixture<OpCase>(name);
  describe(`${name} ops on ${backend} vs PyTorch ${fixture.torch}`, () => {
    before(() => setBackend(backend));
    test("every fixture op has an OpInfo", () => {
      const missing = [...new Set(fixture.cases.map((c) => c.op))].filter((op) => !infos[op]);
      assert.deepEqual(missing, []);
    });
    fixture.cases.forEach((c, index) => {
      const info = infos[c.op];
      if (!info) return;
      test(`${c.name} #${index}`, () => {
        const leaves = c.inputs.map((i) => {
          const t = decode(i.tensor);
          if (c.grads && (t.dtype.startsWith("float") || t.dtype === "bfloat16")) t.requiresGrad = true;
          return t;
        });
        const inputs = leaves.map((t, i) => applyView(t, c.inputs[i]!.view));
        if (c.error !== undefined) {
          assert.throws(() => info.run(inputs, c.args), (e: unknown) => e instanceof ConcordError, `PyTorch raised: ${c.error}`);
          return;
        }
        const outs = asList(info.run(inputs, c.args));
        assert.equal(outs.length, c.out!.length, "number of outputs");
        outs.forEach((o, i) => assertClose(o, decode(c.out![i]!), info.tol, `output ${i}`));
        if (c.grads && c.gradOut) {
          const diffOuts = c.gradOutIndex!.map((i) => outs[i]!);
          const wrt = leaves.filter((t) => t.requiresGrad);
          const gs = grad(diffOuts, wrt, { gradOutputs: c.gradOut.map(decode), allowUnused: true });
          let k = 0;
          leaves.forEach((t, i) => {
            if (!t.requiresGrad) return;
            const expected = c.grads![i];
            const got = gs[k++];
            if (expected === null || expected === undefined) return;
            assert.ok(got, `input ${i}: no gradient, PyTorch gives one`);
            assertClose(got!, decode(expected), info.gradTol ?? info.tol, `grad of input ${i}`);
          });
        }
      });
      // Finite differences only mean something when every float input is float64.
      const floats = c.inputs.filter((i) => ["float16", "bfloat16", "float32", "float64"].includes(i.tensor.dtype));
      const float64 = floats.length > 0 && floats.every((i) => i.tensor.dtype === "float64");
      if (backend === "js" && c.grads && float64 && info.gradcheck !== false && c.error === undefined && !info.gradcheckSkip?.test(c.name)) {
        test(`${c.name} #${index} gradcheck${info.gradgrad ? " + gradgrad" : ""}`, () => {
          const leaves = c.inputs.map((i) => decode(i.tensor));
          if (!leaves.every((t) => t.dtype !== "float64" || isFiniteFloat64(t))) return;
          leaves.forEach((t) => {
            if (t.dtype === "float64") t.requiresGrad = true;
          });
          const fn = (...xs: Tensor[]) => info.run(xs.map((x, i) => applyView(x, c.inputs[i]!.view)), c.args);
          assert.ok(gradcheck(fn, leaves));
          if (info.gradgrad) assert.ok(gradgradcheck(fn, leaves));
        });
      }
    });
  });
}
