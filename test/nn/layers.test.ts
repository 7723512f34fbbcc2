/**
 * Every layer and loss against PyTorch 1.13 (test/fixtures/nn-layers.json, made by
 * scripts/fixtures/gen_nn.py): after the same seed the freshly built module's state dict
 * equals PyTorch's bit for bit, with the same keys in the same order; its repr is
 * PyTorch's; with PyTorch's state loaded, each step's outputs, the gradients of
 * sum(out · proj) with respect to the inputs and every parameter, and the buffers and
 * parameters after the step (running statistics, max_norm renormalization) match.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { grad, manualSeed, type Tensor } from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, loadFixture, type TensorSpec } from "../helpers/fixtures.ts";

interface Spec {
  layer: string;
  args: unknown[];
  options?: Record<string, unknown>;
}

interface Step {
  training: boolean;
  forwardSeed: number;
  inputs: TensorSpec[];
  gradInputs: boolean[];
  out: TensorSpec[];
  proj?: TensorSpec;
  inputGrads?: (TensorSpec | null)[];
  paramGrads?: Record<string, TensorSpec>;
  buffers: Record<string, TensorSpec>;
  paramsAfter: Record<string, TensorSpec>;
}

interface LayerCase {
  name: string;
  spec: Spec;
  seed: number;
  repr: string;
  keys: string[];
  init: Record<string, TensorSpec>;
  state: Record<string, TensorSpec>;
  extra: unknown[];
  steps: Step[];
}

const fixture = loadFixture<LayerCase>("nn-layers");
const TOL = { rtol: 1e-5, atol: 1e-5 };

type ModuleClass = new (...args: unknown[]) => nn.Module;

function decodeOptions(options: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    out[k] = v !== null && typeof v === "object" && "$tensor" in v ? decode((v as { $tensor: TensorSpec }).$tensor) : v;
  }
  return out;
}

function build(spec: Spec): nn.Module {
  if (spec.layer === "Sequential") return new nn.Sequential(...(spec.args as Spec[]).map(build));
  const ctor = (nn as unknown as Record<string, ModuleClass>)[spec.layer];
  assert.ok(ctor, `nn.${spec.layer} exists`);
  const options = decodeOptions(spec.options);
  return Object.keys(options).length > 0 ? new ctor(...spec.args, options) : new ctor(...spec.args);
}

function exactlyEqual(actual: Tensor, expected: Tensor, what: string): void {
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.deepEqual(Array.from(actual.dataSync() as ArrayLike<number>), Array.from(expected.dataSync() as ArrayLike<number>), `${what}: values`);
}

for (const c of fixture.cases) {
  test(`${c.name}: init, keys and repr as PyTorch's`, () => {
    manualSeed(c.seed);
    const m = build(c.spec);
    const sd = m.stateDict();
    assert.deepEqual(Object.keys(sd), c.keys);
    for (const key of c.keys) exactlyEqual(sd[key]!, decode(c.init[key]!), `${c.name} init ${key}`);
    assert.equal(String(m), c.repr);
  });

  test(`${c.name}: forward, backward and buffers`, () => {
    manualSeed(c.seed);
    const m = build(c.spec);
    const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v)]));
    assert.deepEqual(m.loadStateDict(state), { missingKeys: [], unexpectedKeys: [] });
    c.steps.forEach((step, s) => {
      const what = `${c.name} step ${s}`;
      m.train(step.training);
      const inputs = step.inputs.map((spec, i) => {
        const x = decode(spec);
        if (step.gradInputs[i]) x.requiresGrad = true;
        return x;
      });
      manualSeed(step.forwardSeed);
      const result = (m.forward as (...a: unknown[]) => unknown)(...inputs, ...c.extra);
      const outs = Array.isArray(result) ? (result as Tensor[]) : [result as Tensor];
      assert.equal(outs.length, step.out.length, `${what}: number of outputs`);
      outs.forEach((o, i) => assertClose(o, decode(step.out[i]!), TOL, `${what} out ${i}`));
      if (step.proj) {
        const params = [...m.namedParameters()].filter(([, p]) => p.requiresGrad);
        const withGrad = inputs.filter((x) => x.requiresGrad);
        const grads = grad(outs[0]!.mul(decode(step.proj)).sum(), [...withGrad, ...params.map(([, p]) => p)], { allowUnused: true });
        let k = 0;
        inputs.forEach((x, i) => {
          if (!x.requiresGrad) return;
          const g = grads[k++];
          const expected = decode(step.inputGrads![i]!);
          assertClose(g ?? expected.mul(0), expected, TOL, `${what} input grad ${i}`);
        });
        for (const [name] of params) {
          const g = grads[k++];
          const expected = decode(step.paramGrads![name]!);
          assertClose(g ?? expected.mul(0), expected, TOL, `${what} grad ${name}`);
        }
      }
      const buffers = Object.fromEntries(m.namedBuffers());
      assert.deepEqual(Object.keys(buffers), Object.keys(step.buffers), `${what}: buffer names`);
      for (const [key, spec] of Object.entries(step.buffers)) assertClose(buffers[key]!, decode(spec), TOL, `${what} buffer ${key}`);
      const params = Object.fromEntries(m.namedParameters());
      for (const [key, spec] of Object.entries(step.paramsAfter)) assertClose(params[key]!, decode(spec), TOL, `${what} parameter ${key} after the step`);
    });
  });
}
