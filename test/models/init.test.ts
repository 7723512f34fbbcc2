/**
 * Fresh weights: after manualSeed(0) a model's initial state dict is torchvision's after
 * torch.manual_seed(0) — same initializers, same draw order — compared through each
 * tensor's sum and first values (small.json's "init").
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed } from "../../src/index.ts";
import { BasicBlock, ResNet, VisionTransformer, createModel } from "../../src/models/index.ts";
import type { Module } from "../../src/nn/index.ts";
import { readFixture, settle } from "./helpers.ts";

type Summary = [key: string, sum: number, first: number[]][];
const { init } = readFixture<{ init: Record<string, Summary> }>("small.json");

const builders: Record<string, () => Module> = {
  mobilenet_v2_025: () => createModel("mobilenet_v2", { widthMult: 0.25, numClasses: 10 }),
  vit_tiny: () => new VisionTransformer({ imageSize: 32, patchSize: 8, numLayers: 2, numHeads: 4, hiddenDim: 32, mlpDim: 64, numClasses: 10 }),
  resnet_tiny: () => new ResNet(BasicBlock, [1, 1, 1, 1], { numClasses: 10 }),
  efficientnet_b0_10: () => createModel("efficientnet_b0", { numClasses: 10 }),
};

for (const [name, expected] of Object.entries(init)) {
  test(`${name}: initial weights after manualSeed(0) are torchvision's`, async () => {
    await settle();
    manualSeed(0);
    const sd = builders[name]!().stateDict();
    assert.deepEqual(Object.keys(sd), expected.map((e) => e[0]));
    for (const [key, sum, first] of expected) {
      const values = [...sd[key]!.dataSync()].map(Number);
      let s = 0;
      for (const v of values) s += v;
      // vit's conv_proj uses trunc_normal_, whose erfinv concord evaluates in float64 (last-bit differences)
      const tol = key === "conv_proj.weight" ? 1e-6 : 0;
      first.forEach((v, i) => assert.ok(Math.abs(values[i]! - v) <= tol * Math.abs(v), `${key}[${i}] = ${values[i]}, torch ${v}`));
      assert.ok(Math.abs(s - sum) <= 1e-6 * (1 + Math.abs(sum)) + 1e-9 * values.length, `${key}: sum ${s}, torch ${sum}`);
    }
  });
}
