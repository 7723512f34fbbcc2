import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, zeros, ones, randn, tensor, ShapeError, ValueError, DTypeError } from "../../src/index.ts";
import { Module, Parameter, Sequential, ModuleList, ModuleDict, pytorchName } from "../../src/nn/index.ts";

class Affine extends Module {
  weight: Parameter;
  bias: Parameter | null;
  declare runningMean: Tensor;
  constructor(n: number, bias = true) {
    super();
    this.weight = new Parameter(ones([n]));
    this.bias = bias ? new Parameter(zeros([n])) : null;
    this.registerBuffer("running_mean", zeros([n]));
    this.registerBuffer("scratch", zeros([n]), false);
  }
  override forward(x: Tensor): Tensor {
    const y = x.mul(this.weight);
    return this.bias ? y.add(this.bias) : y;
  }
}

class Net extends Module {
  firstLayer = new Affine(3);
  head = new Sequential(new Affine(3), new Affine(3, false));
  override forward(x: Tensor): Tensor {
    return this.head.forward(this.firstLayer.forward(x));
  }
}

test("properties register under PyTorch's names, in assignment order", () => {
  assert.equal(pytorchName("runningMean"), "running_mean");
  assert.equal(pytorchName("weightIhL0"), "weight_ih_l0");
  assert.equal(pytorchName("layer1"), "layer1");
  assert.equal(pytorchName("selfAttn"), "self_attn");
  const net = new Net();
  assert.deepEqual(Object.keys(net.stateDict()), [
    "first_layer.weight", "first_layer.bias", "first_layer.running_mean",
    "head.0.weight", "head.0.bias", "head.0.running_mean",
    "head.1.weight", "head.1.running_mean",
  ]);
  assert.deepEqual([...net.namedParameters()].map(([k]) => k), ["first_layer.weight", "first_layer.bias", "head.0.weight", "head.0.bias", "head.1.weight"]);
  assert.deepEqual([...net.namedModules()].map(([k]) => k), ["", "first_layer", "head", "head.0", "head.1"]);
  assert.deepEqual([...net.namedBuffers()].map(([k]) => k), [
    "first_layer.running_mean", "first_layer.scratch", "head.0.running_mean", "head.0.scratch", "head.1.running_mean", "head.1.scratch",
  ]);
  assert.ok(net.firstLayer.runningMean instanceof Tensor);
  assert.equal(net.numParameters(), 15);
  assert.ok(net.getParameter("head.0.bias") instanceof Parameter);
  assert.equal(net.getSubmodule("head.1"), net.head.at(1));
  assert.throws(() => net.getSubmodule("head.7"), ValueError);
});

test("reassigning a child or parameter updates the registry; plain tensors are refused", () => {
  const net = new Net();
  net.firstLayer = new Affine(3, false);
  assert.ok(!("first_layer.bias" in net.stateDict()));
  const a = new Affine(2);
  a.stateDict();
  (a as unknown as { weight: unknown }).weight = tensor([1, 2]);
  assert.throws(() => a.stateDict(), ValueError);
  const b = new Affine(2);
  b.bias = null;
  assert.deepEqual(Object.keys(b.stateDict()), ["weight", "running_mean"]);
});

test("loadStateDict copies values, reports keys like PyTorch, refuses size mismatches", () => {
  const src = new Net();
  for (const p of src.parameters()) p.requiresGrad = false, p.copy_(randn(p.shape));
  const dst = new Net();
  assert.deepEqual(dst.loadStateDict(src.stateDict()), { missingKeys: [], unexpectedKeys: [] });
  for (const [k, v] of Object.entries(dst.stateDict())) assert.deepEqual(v.toArray(), src.stateDict()[k]!.toArray(), k);
  const sd = src.stateDict();
  delete sd["head.0.bias"];
  sd["extra.weight"] = zeros([1]);
  assert.throws(() => dst.loadStateDict(sd), (e: Error) => e instanceof ShapeError && /Unexpected key\(s\) in state_dict: "extra.weight"/.test(e.message) && /Missing key\(s\) in state_dict: "head.0.bias"/.test(e.message));
  assert.deepEqual(dst.loadStateDict(sd, { strict: false }), { missingKeys: ["head.0.bias"], unexpectedKeys: ["extra.weight"] });
  const bad = src.stateDict();
  bad["first_layer.weight"] = zeros([4]);
  assert.throws(() => dst.loadStateDict(bad, { strict: false }), /size mismatch for first_layer.weight: copying a param with shape \[4\] from checkpoint, the shape in current model is \[3\]/);
});

test("stateDict entries share data with the parameters but are detached", () => {
  const m = new Affine(2);
  const w = m.stateDict().weight!;
  assert.equal(w.requiresGrad, false);
  assert.equal(w.storage, m.weight.storage);
  assert.equal(m.stateDict({ keepVars: true }).weight, m.weight);
});

test("train/eval, apply, zeroGrad, requiresGrad_ and to(dtype)", () => {
  const net = new Net();
  net.eval();
  assert.ok([...net.modules()].every((m) => !m.training));
  net.train();
  assert.ok([...net.modules()].every((m) => m.training));
  const visited: string[] = [];
  net.apply((m) => visited.push(m.constructor.name));
  assert.deepEqual(visited, ["Affine", "Affine", "Affine", "Sequential", "Net"]);
  net.forward(ones([3])).sum().backward();
  assert.ok(net.firstLayer.weight.grad !== null);
  net.zeroGrad(false);
  assert.deepEqual(net.firstLayer.weight.grad!.toArray(), [0, 0, 0]);
  net.zeroGrad();
  assert.equal(net.firstLayer.weight.grad, null);
  net.requiresGrad_(false);
  assert.ok([...net.parameters()].every((p) => !p.requiresGrad));
  net.requiresGrad_(true).to("float64");
  assert.ok(Object.values(net.stateDict()).every((t) => t.dtype === "float64"));
  assert.ok(net.firstLayer.weight instanceof Parameter && net.firstLayer.weight.requiresGrad);
  assert.equal(net.firstLayer.runningMean.dtype, "float64");
  assert.throws(() => net.to("int32"), DTypeError);
});

test("forward hooks run around forward and can replace inputs and outputs; handles remove them", () => {
  const m = new Affine(2);
  const seen: number[] = [];
  const h1 = m.registerForwardPreHook((_m, [x]) => [(x as Tensor).mul(2)]);
  const h2 = m.registerForwardHook((_m, _in, out) => { seen.push((out as Tensor).sum().item() as number); return (out as Tensor).add(1); });
  assert.deepEqual(m.forward(ones([2])).toArray(), [3, 3]);
  assert.deepEqual(seen, [4]);
  assert.deepEqual((m.call(ones([2])) as Tensor).toArray(), [3, 3]);
  h1.remove();
  h2.remove();
  assert.deepEqual(m.forward(ones([2])).toArray(), [1, 1]);
});

test("containers: Sequential (positional and named), ModuleList, ModuleDict", () => {
  const seq = new Sequential({ scale: new Affine(2), shift: new Affine(2) });
  assert.deepEqual(Object.keys(seq.stateDict()).filter((k) => k.endsWith("weight")), ["scale.weight", "shift.weight"]);
  assert.equal(seq.length, 2);
  const list = new ModuleList([new Affine(1)]);
  list.append(new Affine(1)).insert(0, new Affine(1));
  assert.deepEqual([...list.namedChildren()].map(([k]) => k), ["0", "1", "2"]);
  assert.throws(() => list.at(3), ValueError);
  assert.throws(() => list.forward(), ValueError);
  const dict = new ModuleDict({ a: new Affine(1) });
  dict.set("b", new Affine(1, false));
  assert.deepEqual(Object.keys(dict.stateDict()), ["a.weight", "a.bias", "a.running_mean", "b.weight", "b.running_mean"]);
  assert.deepEqual([...dict.keys()], ["a", "b"]);
  assert.match(String(seq), /^Sequential\(\n  \(scale\): Affine\(\)\n  \(shift\): Affine\(\)\n\)$/);
});

test("a Parameter shares data, requires grad and prints as PyTorch's", () => {
  const t = tensor([1.5, 2]);
  const p = new Parameter(t);
  assert.equal(p.storage, t.storage);
  assert.ok(p.requiresGrad && p.isLeaf);
  assert.equal(String(p), "Parameter containing:\ntensor([1.5000, 2.0000], requires_grad=True)");
  assert.equal(new Parameter(t, false).requiresGrad, false);
});
