/**
 * Training mode: BatchNorm on batch statistics (and its running-statistics update), dropout
 * and stochastic depth drawn after manualSeed(5) as torch draws them after
 * torch.manual_seed(5), cross-entropy and backward — all as torchvision's.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed, tensor, type Tensor } from "../../src/index.ts";
import { crossEntropy } from "../../src/nn/functional/index.ts";
import { createModel, type ModelName } from "../../src/models/index.ts";
import { skipInit } from "../../src/nn/init.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, type TensorSpec } from "../helpers/fixtures.ts";
import { hashedInput, hashedStateDict } from "./hashed-weights.ts";
import { assertOutputClose, readFixture } from "./helpers.ts";

interface TrainCase {
  model: ModelName;
  options: Record<string, number>;
  inputShape: number[];
  labels: number[];
  seed: number;
  output: TensorSpec;
  loss: number;
  grads: Record<string, TensorSpec>;
  buffers: Record<string, TensorSpec>;
}
const fixture = readFixture<{ inputStream: number; cases: TrainCase[] }>("train.json");

for (const c of fixture.cases) {
  test(`${c.model} ${JSON.stringify(c.options)}: train-mode output, loss, gradients and running statistics are torch's`, () => {
    const model = skipInit(() => createModel(c.model, c.options as never));
    model.loadStateDict(hashedStateDict(model.stateDict()));
    model.train();
    manualSeed(c.seed);
    const y = model.forward(hashedInput(c.inputShape, fixture.inputStream)) as Tensor;
    assertOutputClose(y, c.output, `${c.model} output`);
    const loss = crossEntropy(y, tensor(c.labels, { dtype: "int64" }));
    assert.ok(Math.abs(loss.item() as number - c.loss) <= 1e-5 * c.loss, `loss ${loss.item()}, torch ${c.loss}`);
    loss.backward();
    for (const [key, spec] of Object.entries(c.grads)) {
      const grad = model.getParameter(key).grad;
      assert.ok(grad, `${key} has a gradient`);
      assertOutputClose(grad, spec, `grad of ${key}`);
    }
    const sd = model.stateDict();
    for (const [key, spec] of Object.entries(c.buffers)) assertClose(sd[key]!, decode(spec), { rtol: 1e-5, atol: 1e-6 }, key);
  });
}
