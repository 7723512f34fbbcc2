/**
 * interpolate (every mode, sizes and scale factors, align_corners, recompute_scale_factor),
 * the upsample primitive's gradients (and second derivatives: upsample and its adjoint
 * are each other's vjp), pixel shuffle, and the modules — against PyTorch 1.13
 * (fixture: scripts/fixtures/gen_nn_seq.py).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { arange, randn, ValueError } from "../../src/index.ts";
import { functional as F, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d, PixelShuffle, PixelUnshuffle } from "../../src/nn/index.ts";
import type { InterpolateOptions } from "../../src/nn/functional/index.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

const infos: Record<string, OpInfo> = {
  interpolate: { run: ([x], args) => F.interpolate(x!, args as InterpolateOptions), gradgrad: true },
  pixelShuffle: { run: ([x], args) => F.pixelShuffle(x!, args.factor as number), gradgrad: true },
  pixelUnshuffle: { run: ([x], args) => F.pixelUnshuffle(x!, args.factor as number), gradgrad: true },
};

runOpSuite("nn-seq-interpolate", infos);

test("Upsample modules call interpolate with their arguments and print as PyTorch", () => {
  const x = arange(0, 12, 1, { dtype: "float32" }).reshape([1, 1, 3, 4]);
  const up = new Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: false });
  assert.deepEqual(up.forward(x).toArray(), F.interpolate(x, { scaleFactor: 2, mode: "bilinear", alignCorners: false }).toArray());
  assert.deepEqual(new UpsamplingBilinear2d({ size: [5, 7] }).forward(x).toArray(), F.interpolate(x, { size: [5, 7], mode: "bilinear", alignCorners: true }).toArray());
  assert.deepEqual(new UpsamplingNearest2d({ scaleFactor: 2 }).forward(x).shape, [1, 1, 6, 8]);
  assert.equal(String(new Upsample({ scaleFactor: 2 })), "Upsample(scale_factor=2.0, mode=nearest)");
  assert.equal(String(new Upsample({ size: [3, 4], mode: "bilinear" })), "Upsample(size=(3, 4), mode=bilinear)");
  assert.equal(String(new Upsample({ scaleFactor: [2, 1.5] })), "Upsample(scale_factor=(2.0, 1.5), mode=nearest)");
  assert.equal(String(new UpsamplingBilinear2d({ scaleFactor: 2 })), "UpsamplingBilinear2d(scale_factor=2.0, mode=bilinear)");
  assert.throws(() => new Upsample({}), ValueError);
});

test("PixelShuffle and PixelUnshuffle are inverse rearrangements", () => {
  const x = randn([2, 12, 3, 5]);
  const y = new PixelShuffle(2).forward(x);
  assert.deepEqual(y.shape, [2, 3, 6, 10]);
  assert.deepEqual(new PixelUnshuffle(2).forward(y).toArray(), x.toArray());
  assert.equal(String(new PixelShuffle(3)), "PixelShuffle(upscale_factor=3)");
  assert.throws(() => new PixelUnshuffle(0), ValueError);
});
