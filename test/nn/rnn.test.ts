import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, randn, ShapeError, ValueError, DTypeError, zeros, tensor } from "../../src/index.ts";
import { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type Module } from "../../src/nn/index.ts";
import { gradcheck } from "../../src/autograd/gradcheck.ts";
import { moduleCases, runModuleCase, assertSameState, type ModuleCase, type Nested } from "./seq-fixture.ts";
import { PackedSequence, packPaddedSequence, padPackedSequence, packSequence, padSequence } from "../../src/nn/functional/rnn-packing.ts";
import type { Tensor } from "../../src/index.ts";

const classes = { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell } as const;

function build(c: ModuleCase): Module {
  const Cls = classes[c.module as keyof typeof classes] as unknown as new (i: number, h: number, o: Record<string, unknown>) => Module;
  return new Cls(c.args[0] as number, c.args[1] as number, c.options);
}

interface PackingCase extends ModuleCase {
  packing?: { enforceSorted: boolean; totalLength: number | null };
}

/** As the generator: pack the padded input, run, pad the output back; outputs [padded, lengths, packed data, ...states]. */
function packedCall(c: PackingCase) {
  const batchFirst = (c.options.batchFirst as boolean | undefined) ?? false;
  return (m: Module, inputs: Nested<Tensor>[]) => {
    const [x, lengths, hx] = inputs as [Tensor, Tensor, Nested<Tensor> | undefined];
    const packed = packPaddedSequence(x, lengths, { batchFirst, enforceSorted: c.packing!.enforceSorted });
    const [out, hn] = (m as RNN).forward(packed, (hx ?? null) as Tensor | null) as unknown as [PackedSequence, Tensor | Tensor[]];
    const [padded, outLengths] = padPackedSequence(out, { batchFirst, totalLength: c.packing!.totalLength });
    return [padded, outLengths, out.data, hn];
  };
}

for (const c of moduleCases("nn-seq-rnn") as PackingCase[]) {
  test(`${c.name}: PyTorch's init after manualSeed, outputs and gradients`, () => {
    manualSeed(c.seed);
    const m = build(c);
    assertSameState(c, m);
    runModuleCase(c, m, c.packing ? { call: packedCall(c) } : {});
  });
}

test("float64 gradcheck through LSTM (projection, bidirectional), GRU and RNN with initial states", () => {
  manualSeed(1);
  const x = randn([3, 2, 2], { dtype: "float64", requiresGrad: true });
  const lstm = new LSTM(2, 3, { projSize: 2, bidirectional: true, dtype: "float64" });
  const h0 = randn([2, 2, 2], { dtype: "float64", requiresGrad: true });
  const c0 = randn([2, 2, 3], { dtype: "float64", requiresGrad: true });
  const [wIh, wHr] = [lstm.getParameter("weight_ih_l0"), lstm.getParameter("weight_hr_l0_reverse")];
  gradcheck((x, h0, c0, _a, _b) => { const [o, [h, c]] = lstm.forward(x, [h0, c0]); return [o, h, c]; }, [x, h0, c0, wIh, wHr]);
  const gru = new GRU(2, 3, { numLayers: 2, batchFirst: true, dtype: "float64" });
  const g0 = randn([2, 3, 3], { dtype: "float64", requiresGrad: true });
  gradcheck((x, g0, _w) => gru.forward(x, g0), [x, g0, gru.getParameter("bias_hh_l1")]);
  const rnn = new RNN(2, 3, { nonlinearity: "relu", dtype: "float64" });
  gradcheck((x) => rnn.forward(x)[0], [x]);
  const cell = new GRUCell(2, 3, { dtype: "float64" });
  gradcheck((x, h) => cell.forward(x, h), [x.select(0, 0).detach().requiresGrad_(), randn([2, 3], { dtype: "float64", requiresGrad: true })]);
});

test("bad configurations and inputs give typed errors naming the problem", () => {
  assert.throws(() => new LSTM(3, 4, { projSize: 4 }), /proj_size has to be smaller than hidden_size/);
  assert.throws(() => new GRU(3, 4, { projSize: 2 } as never), ValueError);
  assert.throws(() => new RNN(3, 4, { dropout: 1.5 }), /dropout should be a number in range \[0, 1\]/);
  assert.throws(() => new RNN(3, 0), ValueError);
  assert.throws(() => new RNN(3, 4, { nonlinearity: "sigmoid" as never }), ValueError);
  const lstm = new LSTM(3, 4, { numLayers: 2 });
  assert.throws(() => lstm.forward(zeros([5, 2, 2])), (e: Error) => e instanceof ShapeError && /Expected 3, got 2/.test(e.message));
  assert.throws(() => lstm.forward(zeros([5, 2, 3, 1])), ShapeError);
  assert.throws(() => lstm.forward(zeros([5, 2, 3], { dtype: "float64" })), DTypeError);
  assert.throws(() => lstm.forward(zeros([5, 2, 3]), [zeros([1, 2, 4]), zeros([2, 2, 4])]), /Expected hidden\[0\] size \[2, 2, 4\], got \[1, 2, 4\]/);
  assert.throws(() => lstm.forward(zeros([5, 3]), [zeros([2, 1, 4]), zeros([2, 1, 4])]), /For unbatched 2-D input, hx should also be 2-D/);
  assert.throws(() => lstm.forward(zeros([0, 2, 3])), ValueError);
  assert.throws(() => new GRUCell(3, 4).forward(zeros([2, 3]), zeros([3, 4])), ShapeError);
  assert.throws(() => new RNNCell(3, 4).forward(zeros([2, 2])), ShapeError);
});

test("dropout between layers only in training mode; allWeights and repr follow PyTorch", () => {
  manualSeed(0);
  const lstm = new LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
  const x = randn([6, 2, 3]);
  const a = lstm.forward(x)[0];
  const b = lstm.forward(x)[0];
  assert.notDeepEqual(a.toArray(), b.toArray(), "training mode draws new masks");
  lstm.eval();
  assert.deepEqual(lstm.forward(x)[0].toArray(), lstm.forward(x)[0].toArray());
  assert.deepEqual(lstm.allWeights.map((g) => g.length), [4, 4]);
  assert.equal(String(lstm), "LSTM(3, 4, num_layers=2, dropout=0.5)");
  assert.equal(String(new RNNCell(2, 3, { nonlinearity: "relu", bias: false })), "RNNCell(2, 3, bias=False, nonlinearity=relu)");
  assert.equal(String(new GRU(2, 3, { batchFirst: true, bidirectional: true })), "GRU(2, 3, batch_first=True, bidirectional=True)");
});

test("double() converts every weight; the layer then takes float64 inputs", () => {
  manualSeed(0);
  const gru = new GRU(2, 3, { numLayers: 2, bidirectional: true });
  const x = randn([4, 1, 2]);
  const expected = gru.forward(x)[0];
  gru.double();
  const [out, h] = gru.forward(x.double());
  assert.equal(out.dtype, "float64");
  assert.deepEqual(h.shape, [4, 1, 3]);
  assert.ok((out.float().sub(expected).abs().amax().item() as number) < 1e-6);
});

test("packing utilities follow torch.nn.utils.rnn (values printed by PyTorch 1.13)", () => {
  const [a, b, c] = [tensor([1, 2, 3], { dtype: "float32" }), tensor([4, 5], { dtype: "float32" }), tensor([6], { dtype: "float32" })];
  // pack_sequence([b, a, c], enforce_sorted=False)
  const p = packSequence([b, a, c], { enforceSorted: false });
  assert.deepEqual(p.data.toArray(), [1, 4, 6, 2, 5, 3]);
  assert.deepEqual(p.batchSizes.toArray(), [3n, 2n, 1n]);
  assert.deepEqual(p.sortedIndices!.toArray(), [1n, 0n, 2n]);
  assert.deepEqual(p.unsortedIndices!.toArray(), [1n, 0n, 2n]);
  assert.deepEqual(padSequence([b, a, c], { batchFirst: true, paddingValue: -1 }).toArray(), [[4, 5, -1], [1, 2, 3], [6, -1, -1]]);
  const [padded, lengths] = padPackedSequence(p, { batchFirst: true, paddingValue: 9 });
  assert.deepEqual(padded.toArray(), [[4, 5, 9], [1, 2, 3], [6, 9, 9]]);
  assert.deepEqual(lengths.toArray(), [2n, 3n, 1n]);
  assert.throws(() => packSequence([b, a, c]), /must be sorted in decreasing order/);
  assert.throws(() => packPaddedSequence(zeros([3, 2, 1]), [2, 0]), /greater than 0/);
  assert.throws(() => packPaddedSequence(zeros([3, 2, 1]), [2]), /equal to batch_size/);
  assert.throws(() => padPackedSequence(p, { totalLength: 2 }), /total_length/);
});
