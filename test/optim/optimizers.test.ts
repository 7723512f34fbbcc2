/**
 * Every optimizer against PyTorch 1.13 (test/fixtures/optim.json from
 * scripts/fixtures/gen_optim.py): the parameters after each of 12 steps with the gradients
 * PyTorch saw, the state dict (values and layout), and a state dict round trip.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Tensor } from "../../src/index.ts";
import type { OptimizerStateDict, StateValue } from "../../src/optim/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, loadFixture, type TensorSpec } from "../helpers/fixtures.ts";
import { makeOptimizer, unplain, type AnyOptimizer } from "./helpers.ts";

interface OptimCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[] | null;
  params: TensorSpec[];
  grads: (TensorSpec | null)[][];
  trajectory: TensorSpec[][];
  saveAt: number;
  stateDictAtSave: unknown;
  finalStateDict: unknown;
}

const fixture = loadFixture<OptimCase>("optim");
// float32 follows PyTorch to rounding (PyTorch's kernels fuse some multiply-adds); float64 to 1e-12.
const TOL = { float32: { rtol: 1e-6, atol: 1e-7 }, float64: { rtol: 1e-12, atol: 1e-14 } };

function tolFor(t: Tensor) {
  return t.dtype === "float64" ? TOL.float64 : TOL.float32;
}

function freshParams(specs: TensorSpec[]): Tensor[] {
  return specs.map((s) => {
    const p = decode(s);
    p.requiresGrad = true;
    return p;
  });
}

function build(c: OptimCase, params: Tensor[]): AnyOptimizer {
  const spec = c.groups ? c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options })) : params;
  return makeOptimizer(c.optimizer, spec, c.options);
}

function runSteps(c: OptimCase, opt: AnyOptimizer, params: Tensor[], from: number, to: number): void {
  for (let k = from; k < to; k++) {
    params.forEach((p, i) => {
      const g = c.grads[k]![i];
      p.grad = g ? decode(g) : null;
    });
    opt.step();
    params.forEach((p, i) => assertClose(p.detach(), decode(c.trajectory[k]![i]!), tolFor(p), `${c.name}: step ${k + 1} param ${i}`));
  }
}

/** Compares a concord state-dict value with PyTorch's: same structure, tensors close, numbers equal. */
function compareValue(actual: StateValue | undefined, expected: StateValue, what: string): void {
  if (expected instanceof Tensor) {
    assert.ok(actual instanceof Tensor, `${what}: expected a tensor`);
    assertClose(actual, expected, tolFor(expected), what);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${what}: expected a list`);
    assert.equal(actual.length, expected.length, `${what}: length`);
    expected.forEach((e, i) => compareValue((actual as StateValue[])[i], e, `${what}[${i}]`));
  } else if (expected !== null && typeof expected === "object") {
    assert.ok(actual !== null && typeof actual === "object" && !(actual instanceof Tensor), `${what}: expected a dict`);
    // Key order follows PyTorch's defaults order; PyTorch puts a group's own options first.
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${what}: keys`);
    for (const [k, e] of Object.entries(expected)) compareValue((actual as Record<string, StateValue>)[k], e, `${what}.${k}`);
  } else assert.equal(actual, expected, what);
}

function compareStateDict(actual: OptimizerStateDict, expectedPlain: unknown, what: string): void {
  const expected = unplain(expectedPlain) as unknown as OptimizerStateDict;
  // PyTorch's dicts here come from foreach=False; concord writes PyTorch's default, None.
  const groups = expected.param_groups.map((g) => ({ ...g, foreach: null }));
  compareValue(actual.param_groups as unknown as StateValue, groups as unknown as StateValue, `${what} param_groups`);
  compareValue(actual.state as unknown as StateValue, expected.state as unknown as StateValue, `${what} state`);
}

describe("optimizers against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const params = freshParams(c.params);
      const opt = build(c, params);
      runSteps(c, opt, params, 0, c.saveAt);
      compareStateDict(opt.stateDict(), c.stateDictAtSave, `${c.name} after ${c.saveAt} steps`);
      runSteps(c, opt, params, c.saveAt, c.trajectory.length);
      compareStateDict(opt.stateDict(), c.finalStateDict, `${c.name} at the end`);
    });

    test(`${c.name}: state dict round trip`, () => {
      const params = freshParams(c.params);
      const opt = build(c, params);
      runSteps(c, opt, params, 0, c.saveAt);
      const saved = opt.stateDict();
      // A fresh optimizer on copies of the parameters, with default options, loads the dict.
      const copies = params.map((p) => {
        const q = p.detach().clone();
        q.requiresGrad = true;
        return q;
      });
      const fresh = makeOptimizer(c.optimizer, c.groups ? c.groups.map((g) => ({ params: g.params.map((i) => copies[i]!) })) : copies, { lr: 0.5 });
      fresh.loadStateDict(saved);
      runSteps(c, opt, params, c.saveAt, c.trajectory.length);
      runSteps(c, fresh, copies, c.saveAt, c.trajectory.length);
    });

    test(`${c.name}: loads PyTorch's state dict`, () => {
      const params = c.trajectory[c.saveAt - 1]!.map((s) => {
        const p = decode(s);
        p.requiresGrad = true;
        return p;
      });
      const opt = build(c, params);
      opt.loadStateDict(unplain(c.stateDictAtSave) as unknown as OptimizerStateDict);
      runSteps(c, opt, params, c.saveAt, c.trajectory.length);
    });
  }
});
