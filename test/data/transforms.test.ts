/** Transforms: torchvision's semantics, and RandomCrop + RandomHorizontalFlip drawing as torchvision does. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { arange, DTypeError, Generator, manualSeed, ShapeError, tensor, ValueError } from "../../src/index.ts";
import { Compose, Normalize, padImage, RandomCrop, RandomHorizontalFlip, ToTensor } from "../../src/data/transforms/index.ts";
import { decode, loadFixture, type TensorSpec } from "../helpers/fixtures.ts";

interface CropFlipCase {
  kind: string;
  seed: number;
  image: TensorSpec;
  results: { top: number; left: number; flipped: boolean; out: TensorSpec }[];
}

describe("transforms", () => {
  test("RandomCrop(24, padding 2) then RandomHorizontalFlip draw what torchvision draws after torch.manual_seed", () => {
    const c = loadFixture<CropFlipCase>("data").cases.find((x) => x.kind === "crop-flip")!;
    const image = decode(c.image);
    const t = new Compose([new RandomCrop(24, { padding: 2 }), new RandomHorizontalFlip(0.5)]);
    manualSeed(c.seed);
    for (const r of c.results) {
      const out = t.forward(image);
      assert.equal(out.dtype, "uint8");
      assert.deepEqual(out.toArray(), decode(r.out).toArray());
    }
  });

  test("Normalize: per channel, in the image's dtype; errors", () => {
    const x = tensor([[[1, 2]], [[3, 5]]], { dtype: "float32" }); // [2, 1, 2]
    assert.deepEqual(new Normalize([1, 3], [2, 0.5]).forward(x).toArray(), [[[0, 0.5]], [[0, 4]]]);
    assert.deepEqual(new Normalize([1], [2]).forward(x).toArray(), [[[0, 0.5]], [[1, 2]]]);
    const y = new Normalize([0.1307], [0.3081]).forward(tensor([[[0.5]]], { dtype: "float32" }));
    assert.equal(y.item(), Math.fround(Math.fround(Math.fround(0.5) - Math.fround(0.1307)) / Math.fround(0.3081)));
    assert.throws(() => new Normalize([0], [1]).forward(tensor([[[1]]])), DTypeError);
    assert.throws(() => new Normalize([0, 0, 0], [1, 1, 1]).forward(x), /mean has 3 values, the image has 2 channels/);
    assert.throws(() => new Normalize([0], [0]).forward(x), /std evaluated to zero/);
    assert.throws(() => new Normalize([0], [1]).forward(tensor([1.5])), ShapeError);
  });

  test("ToTensor scales uint8 to float32 / 255 and adds a channel to [H, W]", () => {
    const img = tensor(Uint8Array.from([0, 51, 255, 128]), { shape: [2, 2] });
    const out = new ToTensor().forward(img);
    assert.equal(out.dtype, "float32");
    assert.deepEqual(out.shape, [1, 2, 2]);
    assert.deepEqual(out.toArray(), [[[0, Math.fround(51 / 255)], [1, Math.fround(128 / 255)]]]);
    assert.deepEqual(new ToTensor().forward(tensor([[[2.5]]], { dtype: "float64" })).toArray(), [[[2.5]]]);
    assert.throws(() => new ToTensor().forward(tensor([1])), ShapeError);
  });

  test("padding modes: constant, edge, reflect, symmetric (torchvision's definitions)", () => {
    const x = arange(3).view([1, 1, 3]);
    const sides = [2, 0, 2, 0] as [number, number, number, number];
    assert.deepEqual(padImage(x, sides, "constant", 9).toArray(), [[[9n, 9n, 0n, 1n, 2n, 9n, 9n]]]);
    assert.deepEqual(padImage(x, sides, "edge", 0).toArray(), [[[0n, 0n, 0n, 1n, 2n, 2n, 2n]]]);
    assert.deepEqual(padImage(x, sides, "reflect", 0).toArray(), [[[2n, 1n, 0n, 1n, 2n, 1n, 0n]]]);
    assert.deepEqual(padImage(x, sides, "symmetric", 0).toArray(), [[[1n, 0n, 0n, 1n, 2n, 2n, 1n]]]);
    const col = arange(2).view([1, 2, 1]);
    assert.deepEqual(padImage(col, [0, 1, 0, 2], "symmetric", 0).toArray(), [[[0n], [0n], [1n], [1n], [0n]]]);
  });

  test("RandomCrop: padIfNeeded pads both sides by the missing size; no draw when the size already fits; errors", () => {
    const g = new Generator(0);
    const img = arange(6).view([1, 2, 3]);
    const same = new RandomCrop([2, 3], { generator: g });
    const before = g.getState();
    assert.equal(same.forward(img), img);
    assert.deepEqual(g.getState(), before);
    const padded = new RandomCrop([4, 3], { padIfNeeded: true, fill: -1, generator: new Generator(1) }).forward(img);
    assert.deepEqual(padded.shape, [1, 4, 3]);
    assert.throws(() => new RandomCrop(5).forward(img), /required crop size \[5, 5\] is larger than the input image size \[2, 3\]/);
    assert.throws(() => new RandomCrop(2, { padding: [1, 2, 3] }), ValueError);
    assert.throws(() => new RandomCrop(0), /size must be a positive integer/);
  });

  test("RandomHorizontalFlip: p = 1 always flips, p = 0 never; a generator of its own is used", () => {
    const x = arange(3).view([1, 1, 3]);
    assert.deepEqual(new RandomHorizontalFlip(1).forward(x).toArray(), [[[2n, 1n, 0n]]]);
    assert.deepEqual(new RandomHorizontalFlip(0).forward(x).toArray(), [[[0n, 1n, 2n]]]);
    const a = new RandomHorizontalFlip(0.5, new Generator(7));
    const b = new RandomHorizontalFlip(0.5, new Generator(7));
    const flips = (t: RandomHorizontalFlip) => Array.from({ length: 20 }, () => t.forward(x).toArray());
    assert.deepEqual(flips(a), flips(b));
    assert.throws(() => new RandomHorizontalFlip(1.5), /p must be a probability/);
  });
});
