/**
 * Every scheduler against PyTorch 1.13 (test/fixtures/optim-scheduler.json from
 * scripts/fixtures/gen_optim.py): the lr of two parameter groups (and the momentum or β₁
 * where it cycles) after construction and after each of 40 steps, the state dict at the
 * end, and a save/load round trip halfway.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { tensor, ValueError, type Tensor } from "../../src/index.ts";
import * as optim from "../../src/optim/index.ts";
import type { Scheduler, StateRecord, StateValue } from "../../src/optim/index.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { unplain } from "./helpers.ts";

interface SchedCase {
  name: string;
  optimizer: "SGD" | "Adam";
  args: Record<string, unknown>;
  metrics: number[] | null;
  lrs: number[][];
  momentum: number[][];
  groups: Record<string, unknown>[];
  stateDict: unknown;
}

const fixture = loadFixture<SchedCase>("optim-scheduler");

type Opt = optim.SGD | optim.Adam;

function makeOptimizer(kind: "SGD" | "Adam"): Opt {
  const p = () => {
    const t = tensor([0, 0], { dtype: "float32" });
    t.requiresGrad = true;
    return t;
  };
  if (kind === "SGD") return new optim.SGD([{ params: [p()] }, { params: [p()], lr: 0.05 }], { lr: 0.1, momentum: 0.9 });
  return new optim.Adam([{ params: [p()] }, { params: [p()], lr: 0.05 }], { lr: 0.1, betas: [0.9, 0.999] });
}

const LAMBDAS: Record<string, optim.LrLambda> = { pow095: (e) => 0.95 ** e, inverse: (e) => 1 / (e + 1) };

function makeScheduler(c: SchedCase, opt: Opt): Scheduler & { step(metric?: number): void } {
  const a = c.args as never;
  const kind = c.name.split(" ")[0]!;
  switch (kind) {
    case "StepLR": return new optim.StepLR(opt, a);
    case "MultiStepLR": return new optim.MultiStepLR(opt, a);
    case "ExponentialLR": return new optim.ExponentialLR(opt, a);
    case "CosineAnnealingLR": return new optim.CosineAnnealingLR(opt, a);
    case "CosineAnnealingWarmRestarts": return new optim.CosineAnnealingWarmRestarts(opt, a);
    case "LinearLR": return new optim.LinearLR(opt, a);
    case "LambdaLR": return new optim.LambdaLR(opt, { lrLambda: (c.args["lambdas"] as string[]).map((n) => LAMBDAS[n]!) });
    case "OneCycleLR": return new optim.OneCycleLR(opt, a);
    case "ReduceLROnPlateau": {
      const s = new optim.ReduceLROnPlateau(opt, a);
      return { step: (m?: number) => s.step(m!), getLastLr: () => s.getLastLr(), stateDict: () => s.stateDict(), loadStateDict: (d: StateRecord) => s.loadStateDict(d) };
    }
    case "SequentialLR":
      if (c.args["kind"] === "linear-cosine")
        return new optim.SequentialLR(opt, {
          schedulers: [new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 5 }), new optim.CosineAnnealingLR(opt, { TMax: 20 })],
          milestones: [5],
        });
      return new optim.SequentialLR(opt, {
        schedulers: [new optim.ExponentialLR(opt, { gamma: 0.9 }), new optim.StepLR(opt, { stepSize: 4, gamma: 0.5 }), new optim.ExponentialLR(opt, { gamma: 0.8 })],
        milestones: [6, 20],
      });
  }
  throw new Error(`unknown scheduler ${kind}`);
}

const momentumOf = (opt: Opt) => opt.paramGroups.map((g) => ("betas" in g ? g.betas[0] : g.momentum));

/** Same value to the last bit where PyTorch's arithmetic is reproduced; 1 ulp-ish slack for libm cos. */
function closeTo(actual: number, expected: number, what: string): void {
  if (actual === expected) return;
  assert.ok(Math.abs(actual - expected) <= 1e-15 * Math.abs(expected), `${what}: ${actual}, expected ${expected}`);
}

function compare(actual: StateValue | undefined, expected: StateValue, what: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${what}: expected a list`);
    assert.equal(actual.length, expected.length, `${what}: length`);
    expected.forEach((e, i) => compare((actual as StateValue[])[i], e, `${what}[${i}]`));
  } else if (expected !== null && typeof expected === "object" && !(expected instanceof optim.Optimizer)) {
    assert.ok(actual !== null && typeof actual === "object", `${what}: expected a dict`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${what}: keys`);
    for (const [k, e] of Object.entries(expected)) compare((actual as Record<string, StateValue>)[k], e as StateValue, `${what}.${k}`);
  } else if (typeof expected === "number" && typeof actual === "number") closeTo(actual, expected, what);
  else assert.equal(actual, expected, what);
}

/** A scheduler's state dict without what PyTorch 1.13 cannot write as data (see OneCycleLR.ownState). */
function comparable(sd: StateRecord): StateRecord {
  const { _anneal_func_type: _, ...rest } = sd;
  if (Array.isArray(rest["_schedulers"])) rest["_schedulers"] = (rest["_schedulers"] as StateRecord[]).map(comparable);
  return rest;
}

function run(c: SchedCase, opt: Opt, sched: ReturnType<typeof makeScheduler>, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    opt.step();
    sched.step(c.metrics ? c.metrics[k] : undefined);
    opt.paramGroups.forEach((g, i) => closeTo(g.lr, c.lrs[k + 1]![i]!, `${c.name}: lr of group ${i} after step ${k + 1}`));
    momentumOf(opt).forEach((m, i) => closeTo(m, c.momentum[k + 1]![i]!, `${c.name}: momentum of group ${i} after step ${k + 1}`));
  }
}

describe("LR schedulers against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const opt = makeOptimizer(c.optimizer);
      const sched = makeScheduler(c, opt);
      c.lrs[0]!.forEach((lr, i) => closeTo(sched.getLastLr()[i]!, lr, `${c.name}: lr of group ${i} at construction`));
      momentumOf(opt).forEach((m, i) => closeTo(m, c.momentum[0]![i]!, `${c.name}: momentum at construction`));
      run(c, opt, sched, 0, c.lrs.length - 1);
      compare(comparable(sched.stateDict()), unplain(c.stateDict), `${c.name} state dict`);
      const groups = opt.stateDict().param_groups.map(({ params: _, ...g }) => g);
      compare(groups as unknown as StateValue, unplain(c.groups), `${c.name} param groups`);
    });

    test(`${c.name}: state dict round trip`, () => {
      const opt = makeOptimizer(c.optimizer);
      const sched = makeScheduler(c, opt);
      run(c, opt, sched, 0, 20);
      const fresh = makeOptimizer(c.optimizer);
      const freshSched = makeScheduler(c, fresh);
      fresh.loadStateDict(opt.stateDict());
      freshSched.loadStateDict(sched.stateDict());
      assert.deepEqual(freshSched.getLastLr(), sched.getLastLr());
      run(c, fresh, freshSched, 20, c.lrs.length - 1);
    });
  }
});

describe("scheduler errors", () => {
  const opt = () => makeOptimizer("SGD");
  test("PyTorch's messages for bad options", () => {
    assert.throws(() => new optim.LinearLR(opt(), { startFactor: 2 }), /Starting multiplicative factor expected to be between 0 and 1/);
    assert.throws(() => new optim.CosineAnnealingWarmRestarts(opt(), { T0: 0 }), /Expected positive integer T_0, but got 0/);
    assert.throws(() => new optim.CosineAnnealingWarmRestarts(opt(), { T0: 2, TMult: 0 }), /Expected integer T_mult >= 1/);
    assert.throws(() => new optim.OneCycleLR(opt(), { maxLr: 1 }), /You must define either total_steps OR/);
    assert.throws(() => new optim.OneCycleLR(opt(), { maxLr: 1, totalSteps: 10, pctStart: 1.5 }), /between 0 and 1 pct_start/);
    assert.throws(() => new optim.OneCycleLR(opt(), { maxLr: [1, 2, 3], totalSteps: 10 }), /expected 2 values for max_lr, got 3/);
    assert.throws(() => new optim.ReduceLROnPlateau(opt(), { factor: 1 }), /Factor should be < 1.0/);
    assert.throws(() => new optim.ReduceLROnPlateau(opt(), { mode: "up" as "min" }), /mode up is unknown/);
    assert.throws(() => new optim.LambdaLR(opt(), { lrLambda: [() => 1] }), /Expected 2 lr_lambdas, but got 1/);
    assert.throws(() => new optim.StepLR(opt(), { stepSize: 7, lastEpoch: 3 }), /param 'initial_lr' is not specified in param_groups\[0\]/);
  });
  test("OneCycleLR refuses to step past totalSteps", () => {
    const o = opt();
    const s = new optim.OneCycleLR(o, { maxLr: 1, totalSteps: 3 });
    s.step();
    s.step();
    s.step();
    assert.throws(() => s.step(), (e: Error) => e instanceof ValueError && /Tried to step 5 times. The specified number of total steps is 3/.test(e.message));
  });
  test("SequentialLR checks its schedulers", () => {
    const o = opt();
    const other = opt();
    assert.throws(() => new optim.SequentialLR(o, { schedulers: [new optim.ExponentialLR(other, { gamma: 0.9 })], milestones: [] }), /belong to the same optimizer/);
    assert.throws(() => new optim.SequentialLR(o, { schedulers: [new optim.ExponentialLR(o, { gamma: 0.9 })], milestones: [3] }), /one more than the number of milestone points/);
  });
  test("bad state dicts are refused", () => {
    const s = new optim.StepLR(opt(), { stepSize: 3 });
    assert.throws(() => s.loadStateDict({ ...s.stateDict(), base_lrs: [0.1] }), ValueError);
    assert.throws(() => s.loadStateDict({ ...s.stateDict(), step_size: "3" }), ValueError);
    const r = new optim.ReduceLROnPlateau(opt());
    assert.throws(() => r.loadStateDict({ ...r.stateDict(), mode: "sideways" }), ValueError);
  });
  test("ReduceLROnPlateau takes a 0-d tensor metric", () => {
    const o = opt();
    const r = new optim.ReduceLROnPlateau(o, { patience: 0 });
    const metric: Tensor = tensor(1.5);
    r.step(metric);
    r.step(metric);
    assert.deepEqual(r.getLastLr(), [0.010000000000000002, 0.005000000000000001]);
  });
  test("CosineAnnealingWarmRestarts with fractional epochs", () => {
    // PyTorch 1.13: T_0=4, T_mult=2, base lr 0.1; step(5.5) -> T_cur = 1.5, T_i = 8.
    const o = opt();
    const s = new optim.CosineAnnealingWarmRestarts(o, { T0: 4, TMult: 2 });
    s.step(5.5);
    assert.equal(s.TCur, 1.5);
    assert.equal(s.TI, 8);
    closeTo(s.getLastLr()[0]!, 0.1 * (1 + Math.cos((Math.PI * 1.5) / 8)) / 2, "lr");
    assert.throws(() => s.step(-1), /Expected non-negative epoch, but got -1/);
  });
});
