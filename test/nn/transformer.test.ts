/**
 * Transformer layers against PyTorch 1.13 (fixture: scripts/fixtures/gen_nn_seq.py):
 * encoder and decoder layers (post-norm and pre-norm, relu and gelu, masks), stacks of
 * deep copies with a final norm, the full Transformer; PyTorch's init after the same seed;
 * float64 gradcheck; the square subsequent mask.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, randn, ones, ShapeError, ValueError, type Tensor } from "../../src/index.ts";
import {
  TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder, Transformer, LayerNorm,
  type Module, type TransformerLayerOptions,
} from "../../src/nn/index.ts";
import { gradcheck } from "../../src/autograd/gradcheck.ts";
import { assertSameState, moduleCases, runModuleCase, type ModuleCase, type Nested } from "./seq-fixture.ts";

interface TransformerCase extends ModuleCase {
  roles: string[];
}

function build(c: TransformerCase): Module {
  const { finalNorm, ...options } = c.options as TransformerLayerOptions & { finalNorm?: boolean };
  const [d, h, n] = c.args as number[];
  const norm = () => (finalNorm ? new LayerNorm(d!, { eps: options.layerNormEps ?? 1e-5 }) : null);
  switch (c.module) {
    case "TransformerEncoderLayer": return new TransformerEncoderLayer(d!, h!, options);
    case "TransformerDecoderLayer": return new TransformerDecoderLayer(d!, h!, options);
    case "TransformerEncoder": return new TransformerEncoder(new TransformerEncoderLayer(d!, h!, options), n!, norm());
    case "TransformerDecoder": return new TransformerDecoder(new TransformerDecoderLayer(d!, h!, options), n!, norm());
    default: return new Transformer(options);
  }
}

/** Positional tensors by role, the masks as the forward's options. */
function call(c: TransformerCase) {
  return (m: Module, inputs: Nested<Tensor>[]) => {
    const positional: Tensor[] = [];
    const masks: Record<string, Tensor> = {};
    c.roles.forEach((role, i) => {
      if (role === "src" || role === "tgt" || role === "memory") positional.push(inputs[i] as Tensor);
      else masks[role] = inputs[i] as Tensor;
    });
    return (m.forward as (...args: unknown[]) => Tensor)(...positional, masks);
  };
}

for (const c of moduleCases("nn-seq-transformer") as TransformerCase[]) {
  test(`${c.name}: PyTorch's keys and init after manualSeed, outputs and gradients`, () => {
    manualSeed(c.seed);
    const m = build(c);
    assertSameState(c, m);
    runModuleCase(c, m, { call: call(c), tol: { rtol: 1e-5, atol: 1e-5 }, gradTol: { rtol: 1e-4, atol: 1e-5 } });
  });
}

test("float64 gradcheck through a pre-norm decoder layer with masks", () => {
  manualSeed(2);
  const layer = new TransformerDecoderLayer(4, 2, { dimFeedforward: 6, normFirst: true, activation: "gelu", dtype: "float64" }).eval();
  const tgt = randn([3, 2, 4], { dtype: "float64", requiresGrad: true });
  const memory = randn([2, 2, 4], { dtype: "float64", requiresGrad: true });
  const tgtMask = Transformer.generateSquareSubsequentMask(3, { dtype: "float64" });
  gradcheck((t, m, _w) => layer.forward(t, m, { tgtMask }), [tgt, memory, layer.multiheadAttn.inProjWeight!]);
});

test("stack layers are independent deep copies; the global generator is left as PyTorch leaves it", () => {
  manualSeed(0);
  const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
  const afterLayer = randn([3]).toArray();
  manualSeed(0);
  const encoder = new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 3);
  assert.deepEqual(randn([3]).toArray(), afterLayer, "cloning draws no random numbers");
  const [a, b] = [encoder.layers.at(0) as TransformerEncoderLayer, encoder.layers.at(1) as TransformerEncoderLayer];
  assert.deepEqual(a.linear1.weight.toArray(), layer.linear1.weight.toArray());
  assert.notEqual(a.linear1.weight, b.linear1.weight);
  a.linear1.weight.requiresGrad = false;
  a.linear1.weight.fill_(0);
  assert.notDeepEqual(b.linear1.weight.toArray(), a.linear1.weight.toArray());
  assert.equal(Object.keys(encoder.stateDict()).length, 3 * 12);
});

test("generateSquareSubsequentMask, isCausal and input checks", () => {
  assert.deepEqual(Transformer.generateSquareSubsequentMask(3).toArray(), [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
  manualSeed(1);
  const layer = new TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }).eval();
  const x = randn([5, 2, 4]);
  const masked = layer.forward(x, { srcMask: Transformer.generateSquareSubsequentMask(5) });
  assert.deepEqual(layer.forward(x, { isCausal: true }).toArray(), masked.toArray());
  assert.deepEqual(layer.forward(x, { srcMask: ones([5, 5], { dtype: "bool" }).triu(1) }).toArray(), masked.toArray());
  assert.throws(() => layer.forward(randn([5, 2, 3])), ShapeError);
  assert.throws(() => new TransformerEncoderLayer(4, 2, { activation: "tanh" as never }), ValueError);
  assert.throws(() => new TransformerEncoder(layer, 0), ValueError);
  const t = new Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
  assert.throws(() => t.forward(randn([5, 2, 4]), randn([3, 3, 4])), /the batch number of src and tgt must be equal/);
  assert.throws(() => t.forward(randn([5, 2, 4]), randn([3, 2, 5])), /the feature number of src and tgt must be equal to d_model/);
  assert.deepEqual(t.forward(randn([5, 2, 4]), randn([3, 2, 4])).shape, [3, 2, 4]);
});
