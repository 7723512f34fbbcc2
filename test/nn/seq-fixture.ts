/**
 * Replays the module cases scripts/fixtures/gen_nn_seq.py writes: load the state dict,
 * run forward on the recorded inputs, compare the outputs, then the gradients of
 * sum(output_i · proj_i) with respect to the inputs and every parameter.
 */
import assert from "node:assert/strict";
import { Tensor } from "../../src/index.ts";
import type { Module } from "../../src/nn/index.ts";
import { decode, loadFixture, type TensorSpec } from "../helpers/fixtures.ts";
import { assertClose, type Tolerance } from "../helpers/assert.ts";

export type Nested<T> = T | null | Nested<T>[];

export interface ModuleCase {
  name: string;
  module: string;
  seed: number;
  args: unknown[];
  options: Record<string, unknown>;
  state: Record<string, TensorSpec>;
  inputs: Nested<TensorSpec>[];
  outputs: TensorSpec[];
  proj: TensorSpec[];
  grads: { inputs: Nested<TensorSpec>[]; params: Record<string, TensorSpec | null> };
}

export function moduleCases(file: string): ModuleCase[] {
  return loadFixture<ModuleCase>(file).cases;
}

function decodeNested(x: Nested<TensorSpec>, requiresGrad: boolean): Nested<Tensor> {
  if (x === null) return null;
  if (Array.isArray(x)) return x.map((v) => decodeNested(v, requiresGrad));
  const t = decode(x);
  if (requiresGrad && (t.dtype === "float32" || t.dtype === "float64")) t.requiresGrad = true;
  return t;
}

function flatten(x: unknown): Tensor[] {
  if (x instanceof Tensor) return [x];
  if (Array.isArray(x)) return x.flatMap(flatten);
  return [];
}

function checkGrads(leaves: Nested<Tensor>, expected: Nested<TensorSpec>, tol: Tolerance, what: string): void {
  if (expected === null || leaves === null) return;
  if (Array.isArray(expected)) {
    expected.forEach((e, i) => checkGrads((leaves as Nested<Tensor>[])[i]!, e, tol, `${what}[${i}]`));
    return;
  }
  const t = leaves as Tensor;
  assert.ok(t.grad, `${what}: no gradient`);
  assertClose(t.grad, decode(expected), tol, what);
}

/** The module's state dict keys must be PyTorch's, in order; then it loads the recorded state. */
export function loadCaseState(c: ModuleCase, module: Module): void {
  assert.deepEqual(Object.keys(module.stateDict()), Object.keys(c.state), `${c.name}: state dict keys`);
  const state: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.state)) state[k] = decode(v);
  module.loadStateDict(state);
}

/** True when the module's own initialisation equals the recorded state bit for bit. */
export function assertSameState(c: ModuleCase, module: Module): void {
  const sd = module.stateDict();
  for (const [k, spec] of Object.entries(c.state)) assertClose(sd[k]!, decode(spec), { rtol: 0, atol: 0 }, `${c.name}: initial ${k}`);
}

/**
 * Runs one case: `call(module, inputs)` is the forward (defaults to `module.forward(...inputs)`,
 * with list inputs passed as arrays).
 */
export function runModuleCase(
  c: ModuleCase,
  module: Module,
  options: { tol?: Tolerance; gradTol?: Tolerance; call?: (m: Module, inputs: Nested<Tensor>[]) => unknown } = {},
): void {
  module.eval();
  loadCaseState(c, module);
  module.zeroGrad();
  const inputs = c.inputs.map((x) => decodeNested(x, true));
  const out = options.call ? options.call(module, inputs) : module.forward(...inputs);
  const outs = flatten(out);
  assert.equal(outs.length, c.outputs.length, `${c.name}: number of outputs`);
  const tol = options.tol ?? { rtol: 1e-5, atol: 1e-6 };
  outs.forEach((o, i) => assertClose(o, decode(c.outputs[i]!), tol, `${c.name}: output ${i}`));
  let loss: Tensor | null = null;
  outs.forEach((o, i) => {
    if (o.dtype !== "float32" && o.dtype !== "float64") return;
    const term = o.mul(decode(c.proj[i]!)).sum();
    loss = loss ? loss.add(term) : term;
  });
  (loss as Tensor | null)?.backward();
  const gradTol = options.gradTol ?? { rtol: 1e-4, atol: 1e-5 };
  c.inputs.forEach((_, i) => checkGrads(inputs[i]!, c.grads.inputs[i]!, gradTol, `${c.name}: grad of input ${i}`));
  for (const [name, p] of module.namedParameters()) {
    const expected = c.grads.params[name];
    if (expected === undefined) assert.fail(`${c.name}: no recorded gradient for ${name}`);
    if (expected === null) {
      assert.ok(p.grad === null || p.grad.abs().sum().item() === 0, `${c.name}: ${name} should get no gradient`);
      continue;
    }
    assert.ok(p.grad, `${c.name}: no gradient for ${name}`);
    assertClose(p.grad, decode(expected), gradTol, `${c.name}: grad of ${name}`);
  }
}
