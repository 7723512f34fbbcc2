/**
 * State dicts written by torch itself and loaded with strict loadStateDict unchanged: the
 * MNIST CNN of pytorch/examples trained on MNIST (safetensors), a MobileNetV2 ×0.25 with
 * trained BatchNorm statistics (int64 num_batches_tracked) saved by torch.save as
 * torchvision's downloads are (.pth), a tiny ViT (safetensors).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { argmax, noGrad, ShapeError, type Tensor } from "../../src/index.ts";
import type { StateDict } from "../../src/nn/index.ts";
import { loadFile } from "../../src/formats/safetensors/node.ts";
import { loadStateDictFile } from "../../src/formats/pytorch/node.ts";
import { createModel, VisionTransformer, type VisionTransformerOptions } from "../../src/models/index.ts";
import type { Module } from "../../src/nn/index.ts";
import { skipInit } from "../../src/nn/init.ts";
import { decode, type TensorSpec } from "../helpers/fixtures.ts";
import { hashedInput } from "./hashed-weights.ts";
import { assertOutputClose, FIXTURES, readFixture } from "./helpers.ts";

async function weights(file: string): Promise<StateDict> {
  if (file.endsWith(".pth")) return loadStateDictFile(FIXTURES + file) as StateDict;
  return (await loadFile(FIXTURES + file)).tensors;
}

test("mnist_cnn: PyTorch's trained checkpoint loads strictly and classifies the MNIST test images as PyTorch does", async () => {
  const mnist = readFixture<{ input: TensorSpec; labels: number[]; output: TensorSpec }>("mnist.json");
  const model = skipInit(() => createModel("mnist_cnn"));
  assert.deepEqual(model.loadStateDict(await weights("mnist_cnn.safetensors")), { missingKeys: [], unexpectedKeys: [] });
  model.eval();
  const y = noGrad(() => model.forward(decode(mnist.input)));
  assertOutputClose(y, mnist.output, "mnist_cnn log-probabilities");
  assert.deepEqual([...argmax(y, 1).dataSync()].map(Number), mnist.labels);
});

interface SmallCase {
  file: string;
  options: Record<string, number>;
  inputShape: number[];
  output: TensorSpec;
}
const small = readFixture<{ inputStream: number; cases: SmallCase[] }>("small.json");

function build(c: SmallCase): Module {
  return c.file.startsWith("vit")
    ? new VisionTransformer(c.options as unknown as VisionTransformerOptions)
    : createModel("mobilenet_v2", c.options);
}

for (const c of small.cases) {
  test(`${c.file}: torch's state dict loads strictly, round-trips through stateDict() and gives torch's output`, async () => {
    const sd = await weights(c.file);
    const model = skipInit(() => build(c));
    model.loadStateDict(sd);
    const back = model.stateDict();
    assert.deepEqual(Object.keys(back), Object.keys(sd));
    for (const [k, t] of Object.entries(sd)) {
      assert.equal(back[k]!.dtype, t.dtype, k);
      assert.deepEqual([...back[k]!.dataSync()], [...t.dataSync()], k);
    }
    model.eval();
    const y = noGrad(() => model.forward(hashedInput(c.inputShape, small.inputStream)) as Tensor);
    assertOutputClose(y, c.output, c.file);
  });
}

test("loadStateDict reports missing, unexpected and mis-shaped keys as PyTorch does", async () => {
  const sd = await weights("mnist_cnn.safetensors");
  const model = skipInit(() => createModel("mnist_cnn"));
  const { "fc2.bias": _dropped, ...partial } = sd;
  assert.throws(() => model.loadStateDict(partial), (e: unknown) => e instanceof ShapeError && /Missing key\(s\) in state_dict: "fc2.bias"/.test(e.message));
  assert.throws(() => model.loadStateDict({ ...sd, "fc3.weight": sd["fc2.weight"]! }), /Unexpected key\(s\) in state_dict: "fc3.weight"/);
  assert.deepEqual(model.loadStateDict(partial, { strict: false }), { missingKeys: ["fc2.bias"], unexpectedKeys: [] });
  const eleven = skipInit(() => createModel("mnist_cnn", { numClasses: 11 }));
  assert.throws(() => eleven.loadStateDict(sd), /size mismatch for fc2.weight: copying a param with shape \[10, 128\]/);
});
