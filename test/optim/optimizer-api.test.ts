/** The Optimizer base: options, groups, zeroGrad, closures, state dict checks, and a real training loop. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { randn, tensor, ShapeError, ValueError, type Tensor } from "../../src/index.ts";
import * as optim from "../../src/optim/index.ts";

function param(values: number[], dtype: "float32" | "float64" = "float32"): Tensor {
  const p = tensor(values, { dtype });
  p.requiresGrad = true;
  return p;
}

describe("options and groups", () => {
  test("invalid values give PyTorch's messages", () => {
    const p = [param([1])];
    assert.throws(() => new optim.SGD(p, { lr: -1 }), (e: Error) => e instanceof ValueError && e.message === "Invalid learning rate: -1");
    assert.throws(() => new optim.SGD(p, { lr: 0.1, momentum: -0.5 }), /Invalid momentum value: -0.5/);
    assert.throws(() => new optim.SGD(p, { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/);
    assert.throws(() => new optim.Adam(p, { betas: [1, 0.999] }), /Invalid beta parameter at index 0: 1/);
    assert.throws(() => new optim.Adam(p, { betas: [0.9, -0.1] }), /Invalid beta parameter at index 1: -0.1/);
    assert.throws(() => new optim.Adam(p, { eps: -1 }), /Invalid epsilon value: -1/);
    assert.throws(() => new optim.AdamW(p, { weightDecay: -1 }), /Invalid weight_decay value: -1/);
    assert.throws(() => new optim.RMSprop(p, { alpha: -1 }), /Invalid alpha value: -1/);
    assert.throws(() => new optim.Adagrad(p, { lrDecay: -1 }), /Invalid lr_decay value: -1/);
    assert.throws(() => new optim.Adagrad(p, { initialAccumulatorValue: -1 }), /Invalid initial_accumulator_value value: -1/);
    assert.throws(() => new optim.NAdam(p, { momentumDecay: -1 }), /Invalid momentum_decay value: -1/);
    assert.throws(() => new optim.Adam(p, { lr: NaN }), /Invalid learning rate: NaN/);
  });

  test("bad parameter lists", () => {
    const a = param([1]);
    assert.throws(() => new optim.SGD([], { lr: 0.1 }), /optimizer got an empty parameter list/);
    assert.throws(() => new optim.SGD(a as unknown as Tensor[], { lr: 0.1 }), /should be an iterable of Tensors or dicts/);
    assert.throws(() => new optim.SGD([a.mul(2)], { lr: 0.1 }), /can't optimize a non-leaf Tensor/);
    assert.throws(() => new optim.SGD([1 as unknown as Tensor], { lr: 0.1 }), /param group must be a dict/);
    assert.throws(() => new optim.SGD([a, 1 as unknown as Tensor], { lr: 0.1 }), /can only optimize Tensors, but one of the params is number 1/);
    assert.throws(() => new optim.SGD([a, a], { lr: 0.1 }), /duplicate parameters/);
    assert.throws(() => new optim.SGD([{ params: [a] }, { params: [a] }], { lr: 0.1 }), /some parameters appear in more than one parameter group/);
    assert.throws(() => new optim.SGD([{ params: [a], lr: -2 }], { lr: 0.1 }), /Invalid learning rate: -2/);
  });

  test("groups take the defaults they do not override", () => {
    const a = param([1]);
    const b = param([2]);
    const opt = new optim.Adam([{ params: a }, { params: [b], lr: 0.5, amsgrad: true }], { lr: 0.01, weightDecay: 0.1 });
    assert.equal(opt.paramGroups.length, 2);
    assert.deepEqual(opt.paramGroups[0]!.params, [a]);
    assert.equal(opt.paramGroups[0]!.lr, 0.01);
    assert.equal(opt.paramGroups[1]!.lr, 0.5);
    assert.equal(opt.paramGroups[1]!.amsgrad, true);
    assert.equal(opt.paramGroups[1]!.weightDecay, 0.1);
    const c = param([3]);
    opt.addParamGroup({ params: [c], betas: [0.5, 0.9] });
    assert.deepEqual(opt.paramGroups[2]!.betas, [0.5, 0.9]);
    assert.throws(() => opt.addParamGroup({ params: [a] }), /more than one parameter group/);
  });

  test("a parameter without a gradient is skipped and gets no state", () => {
    const a = param([1, 2]);
    const b = param([3]);
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = tensor([1, 1], { dtype: "float32" });
    opt.step();
    assert.equal(opt.state.has(b), false);
    assert.deepEqual(b.toArray(), [3]);
    assert.equal(opt.state.get(a)!.step.item(), 1);
  });
});

describe("zeroGrad and closures", () => {
  test("zeroGrad sets to null by default, or zeros detached gradients", () => {
    const a = param([1, 2]);
    const opt = new optim.SGD([a], { lr: 0.1 });
    a.mul(a).sum().backward();
    opt.zeroGrad();
    assert.equal(a.grad, null);
    a.mul(a).sum().backward();
    opt.zeroGrad(false);
    assert.deepEqual(a.grad!.toArray(), [0, 0]);
  });

  test("step(closure) evaluates the loss with grad recording and returns it", () => {
    const a = param([3]);
    const opt = new optim.SGD([a], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = a.mul(a).sum();
      l.backward();
      return l;
    });
    assert.equal(loss!.item(), 9);
    assert.deepEqual(a.toArray(), [1.5]); // 3 − 0.25·6
  });

  test("stepAsync awaits the closure first", async () => {
    const a = param([2]);
    const opt = new optim.SGD([a], { lr: 0.5 });
    const loss = await opt.stepAsync(async () => {
      await new Promise((r) => setImmediate(r));
      opt.zeroGrad();
      const l = a.mul(a).sum();
      l.backward();
      return l.item();
    });
    assert.equal(loss, 4);
    assert.deepEqual(a.toArray(), [0]);
  });
});

describe("loadStateDict checks", () => {
  const make = () => {
    const a = param([1, 2]);
    const b = param([3]);
    const opt = new optim.Adam([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    a.grad = tensor([1, 1], { dtype: "float32" });
    b.grad = tensor([1], { dtype: "float32" });
    opt.step();
    return opt;
  };

  test("group count and sizes must match", () => {
    const sd = make().stateDict();
    const single = new optim.Adam([param([1, 2]), param([3])]);
    assert.throws(() => single.loadStateDict(sd), /loaded state dict has a different number of parameter groups/);
    const swapped = new optim.Adam([{ params: [param([3])] }, { params: [param([1, 2]), param([4])] }]);
    assert.throws(() => swapped.loadStateDict(sd), /doesn't match the size of optimizer's group/);
  });

  test("state tensors must have the parameter's shape", () => {
    const sd = make().stateDict();
    const other = new optim.Adam([{ params: [param([1, 2, 3])] }, { params: [param([3])] }]);
    assert.throws(() => other.loadStateDict(sd), ShapeError);
  });

  test("malformed entries are refused", () => {
    const opt = make();
    const sd = opt.stateDict();
    assert.throws(() => opt.loadStateDict({ ...sd, state: { 7: {} } }), /state for parameter 7/);
    assert.throws(() => opt.loadStateDict({ ...sd, state: { 0: { step: tensor(1), exp_avg: "x" } } }), /state\[0\].exp_avg: expected a tensor/);
    const groups = sd.param_groups.map((g) => ({ ...g, lr: -1 }));
    assert.throws(() => opt.loadStateDict({ ...sd, param_groups: groups }), /Invalid learning rate: -1/);
    const betas = sd.param_groups.map((g) => ({ ...g, betas: [0.9] }));
    assert.throws(() => opt.loadStateDict({ ...sd, param_groups: betas }), /betas: expected a list of 2 numbers/);
    assert.throws(() => opt.loadStateDict({ state: {} } as unknown as optim.OptimizerStateDict), /'param_groups' to be a list/);
  });

  test("loaded state is copied and cast to the parameter's dtype; step stays float32", () => {
    const opt = make();
    const sd = opt.stateDict();
    const a64 = param([1, 2], "float64");
    const b64 = param([3], "float64");
    const other = new optim.Adam([{ params: [a64] }, { params: [b64] }]);
    other.loadStateDict(sd);
    const s = other.state.get(a64)!;
    assert.equal(s.exp_avg.dtype, "float64");
    assert.equal(s.step.dtype, "float32");
    assert.notEqual(s.exp_avg, opt.state.get(opt.paramGroups[0]!.params[0]!)!.exp_avg);
    assert.equal(other.paramGroups[0]!.lr, 0.1);
  });

  test("a number step from an old checkpoint becomes a tensor", () => {
    const opt = make();
    const sd = opt.stateDict();
    const state = Object.fromEntries(Object.entries(sd.state).map(([k, v]) => [k, { ...v, step: 1 }]));
    opt.loadStateDict({ ...sd, state });
    assert.equal(opt.state.get(opt.paramGroups[0]!.params[0]!)!.step.item(), 1);
  });
});

test("Adam fits a linear model (loss falls by 100x)", async () => {
  const x = randn([64, 3]);
  const trueW = tensor([[1.5], [-2], [0.5]]);
  const y = x.matmul(trueW).add(0.3);
  const w = randn([3, 1]);
  w.requiresGrad = true;
  const b = tensor([0], { dtype: "float32" });
  b.requiresGrad = true;
  const opt = new optim.Adam([w, b], { lr: 0.1 });
  const sched = new optim.StepLR(opt, { stepSize: 100, gamma: 0.5 });
  const lossAt = () => x.matmul(w).add(b).sub(y).pow(2).mean();
  const first = lossAt().item() as number;
  for (let i = 0; i < 300; i++) {
    opt.zeroGrad();
    lossAt().backward();
    opt.step();
    sched.step();
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  const last = lossAt().item() as number;
  assert.ok(last < first / 100, `loss ${first} -> ${last}`);
  assert.equal(opt.paramGroups[0]!.lr, 0.0125);
});
