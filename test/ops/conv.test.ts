/** Convolution and pooling against PyTorch (fixture: scripts/fixtures/gen_conv.py). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as c from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

type Args = Record<string, unknown>;
type Size = number | number[];

// float32 sums of up to a few hundred products: PyTorch accumulates in float32 in its own
// order, the js kernels in float64, the wasm GEMM in float32 in blocks, and the wasm
// Winograd path (3×3, stride 1) rounds its transformed tiles, whose error scales with the
// sum of |products| (here up to ~100) rather than with the result: about 1e-5 absolute.
// bfloat16 results of PyTorch's native bfloat16 convolution may differ from rounding a
// float32 result by an ulp.
const sums: Partial<OpInfo> = { tol: { rtol: 1e-5, atol: 1e-4, only: ["float32"] }, gradgrad: true };

const conv = (f: typeof c.conv2d): OpInfo => ({
  run: ([x, w, b], a: Args) => f(x!, w!, b ?? null, a.stride as Size, a.padding as c.ConvPadding, a.dilation as Size, a.groups as number),
  ...sums,
});

const convTranspose = (f: typeof c.convTranspose2d): OpInfo => ({
  run: ([x, w, b], a: Args) =>
    f(x!, w!, b ?? null, a.stride as Size, a.padding as Size, a.outputPadding as Size, a.groups as number, a.dilation as Size),
  ...sums,
});

const maxPool = (f: typeof c.maxPool2d): OpInfo => ({
  run: ([x], a: Args) => {
    const out = (f as (...args: unknown[]) => Tensor | Tensor[])(
      x!, a.kernelSize, a.stride, a.padding, a.dilation, a.ceilMode, a.returnIndices,
    );
    return out;
  },
  gradgrad: true,
});

const avgPool = (f: typeof c.avgPool2d): OpInfo => ({
  run: ([x], a: Args) => f(x!, a.kernelSize as Size, a.stride as Size | null, a.padding as Size, a.ceilMode as boolean, a.countIncludePad as boolean, (a.divisorOverride as number | null) ?? null),
  tol: { rtol: 1e-5, only: ["float32"] },
  gradgrad: true,
});

const adaptive = (f: (x: Tensor, size: c.AdaptiveSize, returnIndices?: boolean) => Tensor | Tensor[]): OpInfo => ({
  run: ([x], a: Args) => f(x!, a.outputSize as c.AdaptiveSize, a.returnIndices as boolean | undefined),
  tol: { rtol: 1e-5, only: ["float32"] },
  gradgrad: true,
});

const infos: Record<string, OpInfo> = {
  conv1d: conv(c.conv1d),
  conv2d: conv(c.conv2d),
  conv3d: conv(c.conv3d),
  convTranspose1d: convTranspose(c.convTranspose1d),
  convTranspose2d: convTranspose(c.convTranspose2d),
  convTranspose3d: convTranspose(c.convTranspose3d),
  maxPool1d: maxPool(c.maxPool1d as typeof c.maxPool2d),
  maxPool2d: maxPool(c.maxPool2d),
  maxPool3d: maxPool(c.maxPool3d as typeof c.maxPool2d),
  avgPool1d: { ...avgPool(c.avgPool2d), run: ([x], a: Args) => c.avgPool1d(x!, a.kernelSize as Size, a.stride as Size | null, a.padding as Size, a.ceilMode as boolean, a.countIncludePad as boolean) },
  avgPool2d: avgPool(c.avgPool2d),
  avgPool3d: avgPool(c.avgPool3d),
  adaptiveAvgPool1d: adaptive(c.adaptiveAvgPool1d),
  adaptiveAvgPool2d: adaptive(c.adaptiveAvgPool2d),
  adaptiveAvgPool3d: adaptive(c.adaptiveAvgPool3d),
  adaptiveMaxPool1d: adaptive(c.adaptiveMaxPool1d as (x: Tensor, s: c.AdaptiveSize, r?: boolean) => Tensor | Tensor[]),
  adaptiveMaxPool2d: adaptive(c.adaptiveMaxPool2d as (x: Tensor, s: c.AdaptiveSize, r?: boolean) => Tensor | Tensor[]),
  adaptiveMaxPool3d: adaptive(c.adaptiveMaxPool3d as (x: Tensor, s: c.AdaptiveSize, r?: boolean) => Tensor | Tensor[]),
};

runOpSuite("conv", infos);

describe("conv and pooling corners", () => {
  const f64 = { dtype: "float64" } as const;
  test("conv2d with a one-hot kernel shifts the input: out[i, j] = x[i + 1, j + 2] with zero padding", () => {
    // A 3x3 kernel whose only 1 sits at tap (2, 2) reads x[i − 1 + 2, j − 1 + 2] = x[i + 1, j + 1] at padding 1.
    const x = c.arange(0, 16, 1, f64).reshape([1, 1, 4, 4]);
    const w = c.zeros([1, 1, 3, 3], f64);
    w.index(0, 0, 2, 2).fill_(1);
    assert.deepEqual(c.conv2d(x, w, null, 1, 1).reshape([4, 4]).toArray(), [
      [5, 6, 7, 0],
      [9, 10, 11, 0],
      [13, 14, 15, 0],
      [0, 0, 0, 0],
    ]);
  });
  test("convTranspose1d is the adjoint of conv1d: <conv(x, w), y> = <x, convT(y, w)>", () => {
    // For any linear map A, <Ax, y> = <x, Aᵀy>; conv1d with stride 2 and padding 1 maps
    // length 9 to 5, and convTranspose1d with output_padding 0 maps 5 back to 9.
    const x = c.randn([2, 3, 9], f64);
    const y = c.randn([2, 4, 5], f64);
    const w = c.randn([4, 3, 3], f64);
    const lhs = c.conv1d(x, w, null, 2, 1).mul(y).sum().item() as number;
    const rhs = x.mul(c.convTranspose1d(y, w, null, 2, 1)).sum().item() as number;
    assert.ok(Math.abs(lhs - rhs) < 1e-10, `${lhs} vs ${rhs}`);
  });
  test("double backward of conv2d in both arguments, and of maxPool2d", () => {
    const x = c.randn([1, 2, 5, 5], { ...f64, requiresGrad: true });
    const w = c.randn([3, 2, 3, 3], { ...f64, requiresGrad: true });
    const fn = (a: Tensor, b: Tensor) => c.conv2d(a, b, null, 2, 1).pow(2).sum();
    const [gx] = c.grad([fn(x, w)], [x], { createGraph: true });
    const [gw] = c.grad([gx!.sum()], [w]);
    assert.deepEqual(gw!.shape, [3, 2, 3, 3]);
    const [gp] = c.grad([c.maxPool2d(x, 2).sum()], [x], { createGraph: true });
    // maxPool's gradient is a 0/1 mask of the maxima: its own gradient through gather is g itself.
    assert.equal(gp!.sum().item(), 8);
  });
  test("typed errors", () => {
    const x = c.randn([1, 2, 5, 5]);
    assert.throws(() => c.conv2d(x, c.randn([3, 2, 3, 3]), null, 1, "full" as c.ConvPadding), c.ValueError);
    assert.throws(() => c.conv2d(x, c.randn([3, 4, 3, 3])), c.ShapeError);
    assert.throws(() => c.conv2d(x.double(), c.randn([3, 2, 3, 3])), c.DTypeError);
    assert.throws(() => c.maxPool2d(x, 3, 1, 2), c.ValueError);
    assert.throws(() => c.adaptiveAvgPool2d(c.randn([5, 5]), 2), c.ShapeError);
  });
  test("integer pooling: max is exact, mean truncates toward zero (PyTorch 1.13 has only int64 avg_pool2d)", () => {
    const x = c.tensor([[[[-3, -4], [0, 0]], [[3, 4], [0, 2]]]], { dtype: "int32" });
    assert.deepEqual(c.avgPool2d(x, 2).toArray(), [[[[-1]], [[2]]]]);
    const [v, i] = c.maxPool2d(x, 2, null, 0, 1, false, true);
    assert.deepEqual(v.toArray(), [[[[0]], [[4]]]]);
    assert.deepEqual(i.toArray(), [[[[2n]], [[1n]]]]);
  });
});

/** A copy of x with +inf and −inf at two nearby positions of one plane. */
function withInfinities(x: Tensor): Tensor {
  const y = x.clone();
  y.index(0, 0, 5, 5).fill_(Infinity);
  y.index(0, 0, 5, 7).fill_(-Infinity);
  return y;
}

describe("wasm conv and pooling kernels agree with js on shapes that split across threads", () => {
  // The fixtures are small, so they mostly run on one thread and through the scalar edges;
  // these shapes take the threaded implicit GEMM (with and without the padded copy), the
  // depthwise kernel, the stride-1 transposed convolution, the weight-gradient layout
  // (batch and channel axes transposed views) and the 4-output vector paths of pooling.
  type Case = [string, (...xs: Tensor[]) => Tensor | Tensor[], number[][]];
  const cases: Case[] = [
    ["conv2d 3x3 padding 1", (x, w, b) => c.conv2d(x!, w!, b!, 1, 1), [[4, 16, 19, 21], [24, 16, 3, 3], [24]]],
    ["conv2d stride 2 dilation 2 groups 2", (x, w) => c.conv2d(x!, w!, null, 2, 2, 2, 2), [[3, 8, 23, 17], [12, 4, 3, 3]]],
    ["conv2d depthwise", (x, w, b) => c.conv2d(x!, w!, b!, 1, 1, 1, 16), [[4, 16, 21, 19], [32, 1, 3, 3], [32]]],
    // Depthwise on a padded copy: the 3×3 kernel at stride 2 (odd sizes, rows ending in a
    // partial vector), and the general kernel's partial vectors at stride 3 with dilation 2.
    ["conv2d depthwise 3x3 stride 2", (x, w, b) => c.conv2d(x!, w!, b!, 2, 1, 1, 24), [[2, 24, 15, 13], [24, 1, 3, 3], [24]]],
    ["conv2d depthwise 5x5 stride 3 dilation 2", (x, w, b) => c.conv2d(x!, w!, b!, 3, 3, 2, 8), [[2, 8, 23, 29], [8, 1, 5, 5], [8]]],
    ["conv1d", (x, w, b) => c.conv1d(x!, w!, b!, 1, 2), [[8, 16, 60], [12, 16, 5], [12]]],
    ["conv3d", (x, w) => c.conv3d(x!, w!, null, 1, 1), [[2, 8, 6, 9, 7], [6, 8, 3, 3, 3]]],
    ["convTranspose2d stride 1", (x, w, b) => c.convTranspose2d(x!, w!, b!, 1, 1), [[4, 16, 15, 13], [16, 8, 3, 3], [8]]],
    ["convTranspose2d stride 2, groups 2", (x, w, b) => c.convTranspose2d(x!, w!, b!, 2, 1, 1, 2), [[4, 16, 15, 13], [16, 6, 3, 3], [12]]],
    ["convTranspose1d stride 3 dilation 2", (x, w) => c.convTranspose1d(x!, w!, null, 3, 1, 2, 1, 2), [[4, 8, 40], [8, 6, 4]]],
    // A small plane at batch 1 (fewer Winograd tiles than channels): the implicit GEMM with
    // the output channels split between threads, in MC-row blocks, the last strip partial.
    ["conv2d 3x3 on a 7x7 plane, 302 output channels", (x, w, b) => c.conv2d(x!, w!, b!, 1, 1), [[1, 64, 7, 7], [302, 64, 3, 3], [302]]],
    ["conv2d 3x3 Winograd, odd output", (x, w, b) => c.conv2d(x!, w!, b!, 1, 1), [[3, 16, 13, 11], [20, 16, 3, 3], [20]]],
    // Winograd's transforms could turn inf into nan (Note: Winograd F(2x2, 3x3)): with an
    // infinity in the input the call must give the direct sums' ±inf.
    ["conv2d 3x3 with infinities in the input", (x, w) => c.conv2d(withInfinities(x!), w!, null, 1, 1), [[2, 16, 12, 12], [8, 16, 3, 3]]],
    ["weight-gradient layout", (x, g) => c.conv2d(x!.transpose(0, 1), g!.transpose(0, 1)), [[16, 8, 20, 20], [16, 12, 18, 18]]],
    // Large kernels over short output rows take the per-input-channel sgemm (conv-channels.ts):
    // padding, stride and dilation in its gather, odd channel counts split between threads.
    ["weight-gradient layout, stride 2 padding 2 dilation 2", (x, g) => c.conv2d(x!.transpose(0, 1), g!.transpose(0, 1), null, 2, 2, 2), [[5, 3, 17, 15], [5, 7, 9, 8]]],
    ["conv1d large kernel with bias, 9 input channels on 2 threads", (x, w, b) => c.conv1d(x!, w!, b!), [[16, 9, 300], [16, 9, 295], [16]]],
    ["conv3d large kernel padding 1", (x, w) => c.conv3d(x!, w!, null, 1, 1), [[2, 3, 6, 10, 10], [4, 3, 4, 6, 6]]],
    ["maxPool2d 2", (x) => c.maxPool2d(x!, 2, null, 0, 1, false, true), [[8, 16, 24, 24]]],
    ["maxPool2d 3 stride 2 padding 1 dilation 2 ceil", (x) => c.maxPool2d(x!, 3, 2, 1, 2, true, true), [[8, 16, 23, 26]]],
    // Padding clips the first windows' starts: the row's stride comes from the last two.
    ["maxPool2d 3 stride 2 padding 1 (ResNet's stem)", (x) => c.maxPool2d(x!, 3, 2, 1, 1, false, true), [[2, 16, 30, 35]]],
    ["avgPool2d 3 stride 2 padding 1", (x) => c.avgPool2d(x!, 3, 2, 1, false, false), [[2, 16, 30, 35]]],
    ["avgPool2d 3 stride 1 padding 1", (x) => c.avgPool2d(x!, 3, 1, 1, false, false), [[8, 16, 23, 26]]],
    ["adaptiveAvgPool2d", (x) => c.adaptiveAvgPool2d(x!, [5, 9]), [[8, 16, 23, 26]]],
  ];
  for (const [name, f, shapes] of cases) {
    test(name, async () => {
      c.setBackend("wasm");
      await c.ready();
      const inputs = shapes.map((s) => c.randn(s));
      const fallbacks = () => [...c.fallbackCounts().values()].reduce((a, b) => a + b, 0);
      const before = fallbacks();
      const got = [f(...inputs)].flat();
      assert.equal(fallbacks(), before, "no op fell back to js");
      c.setBackend("js");
      const expected = [f(...inputs.map((t) => c.tensor(t.dataSync() as Float32Array, { shape: t.shape })))].flat();
      got.forEach((g, i) => assertClose(g, expected[i]!, { rtol: 1e-5, atol: 1e-4 }, name));
    });
  }
});

describe("conv and pooling gradients on wasm agree with js", () => {
  test("conv2d stride 2 + maxPool2d + conv2d 3x3 (Winograd): gradients of input, weights and bias", async () => {
    // A loss linear in the output (Σ y·r) keeps the gradients' size independent of y, and
    // the max pooling sees the same conv output on both backends only up to rounding: its
    // windows are compared first, so a near-tie cannot route a gradient differently.
    c.setBackend("wasm");
    await c.ready();
    const shapes = [[4, 8, 21, 19], [16, 8, 3, 3], [16], [12, 16, 3, 3], [4, 12, 12, 11]];
    const values = shapes.map((s) => c.randn(s).dataSync() as Float32Array);
    const run = (backend: "js" | "wasm") => {
      c.setBackend(backend);
      const [x, w1, b1, w2, r] = values.map((v, i) => c.tensor(v.slice(), { shape: shapes[i] }));
      for (const t of [x, w1, b1, w2]) t!.requiresGrad_();
      const [pooled, indices] = c.maxPool2d(c.conv2d(x!, w1!, b1!, 2, 1), 2, 1, 1, 1, false, true);
      const y = c.conv2d(pooled, w2!, null, 1, 1);
      const grads = c.grad([y.mul(r!).sum()], [x!, w1!, b1!, w2!]);
      return { indices, results: [y, ...grads.map((g) => g!)] };
    };
    const mine = ["conv", "convTranspose", "maxPool", "maxPoolBackward"];
    const before = mine.map((op) => c.fallbackCounts().get(op) ?? 0);
    const got = run("wasm");
    mine.forEach((op, i) => assert.equal(c.fallbackCounts().get(op) ?? 0, before[i], `${op} fell back to js`));
    const expected = run("js");
    assert.deepEqual(got.indices.toArray(), expected.indices.toArray(), "max pooling picked the same elements");
    // The weight gradients sum ~500 products of size ~1 in float32 on wasm (float64 on js):
    // a few 1e-4 of rounding is the expected difference.
    got.results.forEach((g, i) => assertClose(g, expected.results[i]!, { rtol: 1e-4, atol: 5e-4 }, i === 0 ? "output" : `gradient ${i - 1}`));
  });
});
