/**
 * nn.init against PyTorch 1.13 (test/fixtures/nn-init.json, scripts/fixtures/gen_nn.py):
 * after the same seed, uniform_, normal_, xavier*, kaiming*, eye_, dirac_ and constant_
 * write PyTorch's exact values; truncNormal_ and orthogonal_ (erfinv and QR in float64
 * here, in the tensor's dtype there) agree to rounding. Hand-written cases pin the
 * distributions, the generator argument and the errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DTypeError, empty, Generator, manualSeed, ShapeError, ValueError, zeros, type DType, type Tensor } from "../../src/index.ts";
import { init, Linear, Parameter } from "../../src/nn/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, loadFixture, type TensorSpec } from "../helpers/fixtures.ts";

interface InitCase {
  name: string;
  seed: number;
  shape: number[];
  dtype: DType;
  call: [string, ...unknown[]];
  exact: boolean;
  out: TensorSpec;
}

const [fixture] = loadFixture<{ inits: InitCase[]; gains: Record<string, number>; fans: [number[], [number, number]][] }>("nn-init").cases;

function run(t: Tensor, [name, ...args]: [string, ...unknown[]]): void {
  const fn = (init as unknown as Record<string, (t: Tensor, ...a: unknown[]) => Tensor>)[name];
  assert.ok(fn, `init.${name} exists`);
  fn(t, ...args);
}

for (const c of fixture!.inits) {
  test(`init ${c.name} ${c.exact ? "equals" : "is close to"} PyTorch's`, () => {
    manualSeed(c.seed);
    const t = empty(c.shape, { dtype: c.dtype });
    run(t, c.call);
    const expected = decode(c.out);
    // float64 normals take sin and cos from the JS engine, which can be one ulp off glibc's
    // (see sincos in src/core/glibc-math.ts): there the values match to a few ulps.
    if (c.exact && c.dtype === "float64" && /normal/i.test(c.name)) {
      const e = expected.dataSync() as Float64Array;
      (t.dataSync() as Float64Array).forEach((x, i) => assert.ok(Math.abs(x - e[i]!) <= 2 ** -50 * Math.abs(e[i]!), `element ${i}: ${x} vs ${e[i]}`));
    }
    else if (c.exact) assert.deepEqual(Array.from(t.dataSync() as ArrayLike<number>), Array.from(expected.dataSync() as ArrayLike<number>));
    else assertClose(t, expected, { rtol: 1e-5, atol: 1e-6 });
  });
}

test("calculateGain and calculateFanInAndFanOut give PyTorch's numbers", () => {
  for (const [key, value] of Object.entries(fixture!.gains)) {
    const [name, param] = key.split(" ");
    assert.equal(init.calculateGain(name as init.Nonlinearity, param === undefined ? null : Number(param)), value, key);
  }
  for (const [shape, fans] of fixture!.fans) assert.deepEqual(init.calculateFanInAndFanOut(empty(shape)), fans);
  assert.throws(() => init.calculateFanInAndFanOut(empty([3])), ShapeError);
  assert.throws(() => init.calculateGain("swish" as init.Nonlinearity), ValueError);
});

test("a generator argument draws from that stream, not the global one", () => {
  const a = init.normal_(empty([40]), 0, 1, { generator: new Generator(5) });
  manualSeed(5);
  const b = init.normal_(empty([40]));
  assert.deepEqual(Array.from(a.dataSync() as ArrayLike<number>), Array.from(b.dataSync() as ArrayLike<number>));
  const c = init.kaimingUniform_(empty([4, 3]), { generator: new Generator(5), a: Math.sqrt(5) });
  manualSeed(5);
  assert.deepEqual(Array.from(c.dataSync() as ArrayLike<number>), Array.from(new Linear(3, 4, { bias: false }).weight.dataSync() as ArrayLike<number>));
});

test("initializers work on parameters that require grad, without recording a graph", () => {
  const p = new Parameter(zeros([3, 4]));
  init.xavierUniform_(p);
  assert.ok(p.isLeaf && p.requiresGrad && p.gradFn === null);
  assert.ok(Array.from(p.dataSync() as ArrayLike<number>).every((v) => Math.abs(v) <= Math.sqrt(6 / 7)));
});

test("distributions: truncNormal_ stays in [a, b]; orthogonal_ gives orthonormal rows or columns", () => {
  const t = init.truncNormal_(empty([2000]), 0, 1, -0.5, 0.5, { generator: new Generator(1) });
  const v = Array.from(t.dataSync() as ArrayLike<number>);
  assert.ok(v.every((x) => x >= -0.5 && x <= 0.5));
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  for (const shape of [[5, 3], [3, 5]]) {
    const q = init.orthogonal_(empty(shape, { dtype: "float64" }), 1, { generator: new Generator(2) });
    const gram = shape[0]! >= shape[1]! ? q.t().matmul(q) : q.matmul(q.t());
    const n = Math.min(shape[0]!, shape[1]!);
    const eye = Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
    Array.from(gram.dataSync() as ArrayLike<number>).forEach((x, i) => assert.ok(Math.abs(x - eye[i]!) < 1e-12, `gram ${i}: ${x}`));
  }
});

test("bad input: integer tensors, too few dims, bad modes", () => {
  assert.throws(() => init.uniform_(zeros([2], { dtype: "int32" })), DTypeError);
  assert.throws(() => init.xavierNormal_(empty([4])), ShapeError);
  assert.throws(() => init.kaimingNormal_(empty([2, 2]), { mode: "fan_avg" as init.FanMode }), ValueError);
  assert.throws(() => init.eye_(empty([2, 2, 2])), ShapeError);
  assert.throws(() => init.dirac_(empty([3, 2, 2]), 2), ValueError);
  // A zero-element weight is left as it is (PyTorch warns and returns).
  assert.deepEqual(init.kaimingUniform_(empty([0, 3])).shape, [0, 3]);
});
