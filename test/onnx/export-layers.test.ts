/**
 * ONNX export of the layers of src/nn/layers not in export.test.ts's table: linear and
 * shape layers, convolutions (padding modes, "same", transposed with groups, dilation and
 * output padding), every pooling, the norms, dropouts in eval, EmbeddingBag, resampling
 * modes and pixel shuffles. See export-harness.ts for what each case checks.
 */
import { noGrad, randint, randn, tensor, type Tensor } from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { exportCases, image, seeded, withStats, type Case } from "./export-harness.ts";

const volume = (n = 1, c = 2, d = 4, h = 5, w = 6) => () => [randn([n, c, d, h, w])];
const seq = (n = 2, c = 3, l = 10) => () => [randn([n, c, l])];

const cases: Case[] = [
  { name: "Identity", build: () => new nn.Identity(), inputs: () => [randn([2, 3])] },
  { name: "Bilinear", build: seeded(20, () => new nn.Bilinear(3, 4, 5)), inputs: () => [randn([2, 3]), randn([2, 4])] },
  { name: "Bilinear without bias, 3-d inputs", build: seeded(21, () => new nn.Bilinear(2, 3, 4, { bias: false })), inputs: () => [randn([2, 5, 2]), randn([2, 5, 3])] },
  { name: "Flatten(1, 2)", build: () => new nn.Flatten(1, 2), inputs: () => [randn([2, 3, 4, 5])] },
  { name: "Unflatten", build: () => new nn.Unflatten(1, [2, 3]), inputs: () => [randn([2, 6, 4])] },

  { name: "Conv3d", build: seeded(22, () => new nn.Conv3d(2, 4, 3, { stride: [1, 2, 2], padding: 1 })), inputs: volume(), ops: ["Conv"] },
  { name: "Conv2d reflect padding", build: seeded(23, () => new nn.Conv2d(3, 4, 3, { padding: [1, 2], paddingMode: "reflect" })), inputs: image(1, 3, 6, 7) },
  { name: "Conv2d replicate padding", build: seeded(24, () => new nn.Conv2d(3, 4, 3, { padding: 1, paddingMode: "replicate", stride: 2 })), inputs: image(1, 3, 6, 7) },
  { name: "Conv2d circular padding", build: seeded(25, () => new nn.Conv2d(3, 4, 3, { padding: [2, 1], paddingMode: "circular" })), inputs: image(1, 3, 6, 7) },
  { name: "Conv2d circular padding, opset 19 (Pad wrap)", build: seeded(25, () => new nn.Conv2d(3, 4, 3, { padding: [2, 1], paddingMode: "circular" })), inputs: image(1, 3, 6, 7), options: { opset: 19 }, ops: ["Pad"] },
  { name: "Conv1d circular padding", build: seeded(26, () => new nn.Conv1d(3, 4, 3, { padding: 2, paddingMode: "circular" })), inputs: seq() },
  { name: "Conv3d replicate padding", build: seeded(27, () => new nn.Conv3d(2, 2, 3, { padding: 1, paddingMode: "replicate" })), inputs: volume() },
  { name: "Conv1d padding same, even kernel, dilation", build: seeded(28, () => new nn.Conv1d(3, 4, 4, { padding: "same", dilation: 2 })), inputs: seq() },
  { name: "Conv2d padding same", build: seeded(29, () => new nn.Conv2d(3, 4, [2, 3], { padding: "same" })), inputs: image(1, 3, 5, 6) },
  { name: "Conv2d padding valid", build: seeded(30, () => new nn.Conv2d(3, 4, 3, { padding: "valid" })), inputs: image(1, 3, 5, 6) },
  { name: "Conv2d padding same, reflect", build: seeded(31, () => new nn.Conv2d(3, 4, 4, { padding: "same", paddingMode: "reflect" })), inputs: image(1, 3, 6, 6) },
  {
    name: "ConvTranspose1d groups, dilation, outputPadding",
    build: seeded(32, () => new nn.ConvTranspose1d(4, 6, 3, { stride: 3, padding: 1, outputPadding: 2, groups: 2, dilation: 2 })),
    inputs: seq(2, 4, 5),
    ops: ["ConvTranspose"],
  },
  { name: "ConvTranspose3d", build: seeded(33, () => new nn.ConvTranspose3d(2, 4, [2, 3, 2], { stride: [2, 1, 2], padding: [0, 1, 1], outputPadding: [1, 0, 1] })), inputs: volume(1, 2, 3, 4, 3) },
  { name: "ConvTranspose2d without bias, groups", build: seeded(34, () => new nn.ConvTranspose2d(4, 4, 3, { groups: 4, bias: false, dilation: [1, 2] })), inputs: image(1, 4, 3, 4) },

  { name: "MaxPool1d dilation, padding", build: () => new nn.MaxPool1d(3, { stride: 2, padding: 1, dilation: 2 }), inputs: seq(), ops: ["MaxPool"] },
  { name: "MaxPool1d with indices", build: () => new nn.MaxPool1d(2, { returnIndices: true }), inputs: seq() },
  { name: "MaxPool3d ceil", build: () => new nn.MaxPool3d(2, { stride: 2, ceilMode: true }), inputs: volume(1, 2, 5, 5, 6) },
  { name: "MaxPool3d with indices", build: () => new nn.MaxPool3d([2, 2, 3], { returnIndices: true, padding: [1, 0, 1] }), inputs: volume() },
  { name: "AvgPool1d ceil, padding", build: () => new nn.AvgPool1d(3, { stride: 2, padding: 1, ceilMode: true }), inputs: seq(), ops: ["AveragePool"] },
  { name: "AvgPool1d excluding padding", build: () => new nn.AvgPool1d(4, { stride: 3, padding: 2, countIncludePad: false }), inputs: seq() },
  { name: "AvgPool3d", build: () => new nn.AvgPool3d(2, { stride: [1, 2, 2] }), inputs: volume() },
  { name: "AvgPool3d divisor override", build: () => new nn.AvgPool3d(2, { divisorOverride: 3 }), inputs: volume() },
  { name: "AvgPool2d divisor override, padding", build: () => new nn.AvgPool2d(3, { padding: 1, stride: 2, divisorOverride: 5 }), inputs: image(1, 2, 7, 7) },
  { name: "AdaptiveAvgPool1d", build: () => new nn.AdaptiveAvgPool1d(5), inputs: seq() },
  { name: "AdaptiveAvgPool1d uneven windows", build: () => new nn.AdaptiveAvgPool1d(4), inputs: seq() },
  { name: "AdaptiveAvgPool2d uneven windows", build: () => new nn.AdaptiveAvgPool2d([3, 4]), inputs: image(1, 2, 7, 9) },
  { name: "AdaptiveAvgPool3d", build: () => new nn.AdaptiveAvgPool3d([2, 1, 3]), inputs: volume() },
  { name: "AdaptiveAvgPool3d global", build: () => new nn.AdaptiveAvgPool3d(1), inputs: volume() },
  { name: "AdaptiveMaxPool1d", build: () => new nn.AdaptiveMaxPool1d(5), inputs: seq() },
  { name: "AdaptiveMaxPool1d uneven windows", build: () => new nn.AdaptiveMaxPool1d(3), inputs: seq() },
  { name: "AdaptiveMaxPool2d with indices", build: () => new nn.AdaptiveMaxPool2d([2, 4], { returnIndices: true }), inputs: image(2, 3, 6, 8) },
  { name: "AdaptiveMaxPool2d global", build: () => new nn.AdaptiveMaxPool2d(1), inputs: image() },
  { name: "AdaptiveMaxPool2d uneven with indices", build: () => new nn.AdaptiveMaxPool2d([3, 2], { returnIndices: true }), inputs: image(1, 2, 7, 5) },
  { name: "AdaptiveMaxPool3d", build: () => new nn.AdaptiveMaxPool3d([2, 1, 3]), inputs: volume() },

  { name: "BatchNorm3d (eval)", build: seeded(35, () => withStats(new nn.BatchNorm3d(2))), inputs: volume(2) },
  { name: "BatchNorm1d on [N, C, L] without affine", build: seeded(36, () => withStats(new nn.BatchNorm1d(3, { affine: false }))), inputs: seq() },
  { name: "BatchNorm2d without running stats", build: seeded(37, () => new nn.BatchNorm2d(3, { trackRunningStats: false })), inputs: image() },
  { name: "InstanceNorm1d", build: () => new nn.InstanceNorm1d(3), inputs: seq() },
  { name: "InstanceNorm1d affine, unbatched", build: seeded(38, () => randomAffine(new nn.InstanceNorm1d(3, { affine: true }))), inputs: () => [randn([3, 7])] },
  { name: "InstanceNorm2d affine", build: seeded(39, () => randomAffine(new nn.InstanceNorm2d(3, { affine: true }))), inputs: image() },
  { name: "InstanceNorm2d with running stats (eval)", build: seeded(40, () => withStats(new nn.InstanceNorm2d(3, { trackRunningStats: true }))), inputs: image() },
  { name: "InstanceNorm3d", build: seeded(41, () => new nn.InstanceNorm3d(2, { affine: true })), inputs: volume() },
  { name: "RMSNorm", build: seeded(42, () => randomAffine(new nn.RMSNorm([3, 4], { eps: 1e-6 }))), inputs: () => [randn([2, 3, 4])] },
  { name: "RMSNorm, eps from dtype, no affine", build: () => new nn.RMSNorm(5, { elementwiseAffine: false }), inputs: () => [randn([3, 5])] },

  {
    name: "Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout (eval)",
    build: () => (x: Tensor) => {
      const mods = [new nn.Dropout1d(), new nn.Dropout2d(0.3), new nn.Dropout3d(), new nn.AlphaDropout(0.2), new nn.FeatureAlphaDropout()];
      return mods.map((m) => m.eval().forward(x.reshape(m instanceof nn.Dropout1d ? [2, 3, 4] : m instanceof nn.Dropout3d ? [1, 2, 3, 2, 2] : [2, 3, 2, 2])));
    },
    inputs: () => [randn([2, 3, 4])],
  },

  { name: "EmbeddingBag mean, 2-d input", build: seeded(43, () => new nn.EmbeddingBag(10, 4)), inputs: () => [randint(0, 10, [3, 4])] },
  { name: "EmbeddingBag sum with offsets", build: seeded(44, () => new nn.EmbeddingBag(10, 4, { mode: "sum" })), inputs: () => [tensor([1, 2, 4, 5, 4, 3, 2, 9], { dtype: "int64" }), tensor([0, 3, 3, 5], { dtype: "int64" })] },
  // Scattering a maximum needs ScatterElements reduction="max" (opset 18).
  { name: "EmbeddingBag max, padding_idx, opset 18", build: seeded(45, () => new nn.EmbeddingBag(10, 3, { mode: "max", paddingIdx: 2 })), inputs: () => [tensor([[1, 2, 4], [2, 9, 0]], { dtype: "int64" })], options: { opset: 18 } },
  {
    name: "EmbeddingBag sum with per-sample weights, last offset included",
    build: seeded(46, () => new nn.EmbeddingBag(10, 3, { mode: "sum", includeLastOffset: true })),
    inputs: () => [tensor([1, 2, 4, 5, 4, 3], { dtype: "int64" }), tensor([0, 2, 6], { dtype: "int64" }), randn([6])],
  },
  { name: "EmbeddingBag mean with offsets, an empty bag", build: seeded(47, () => new nn.EmbeddingBag(6, 2)), inputs: () => [tensor([1, 2, 4, 5], { dtype: "int64" }), tensor([0, 0, 1], { dtype: "int64" })] },

  {
    name: "function: scatterReduce without self, and mean",
    build: () => (x: Tensor, index: Tensor, src: Tensor) => [
      x.scatterReduce(0, index, src, "amax", { includeSelf: false }),
      x.scatterReduce(0, index, src, "prod", { includeSelf: false }),
      x.scatterReduce(1, index.t(), src.t(), "mean"),
      x.scatterReduce(0, index, src, "mean", { includeSelf: false }),
      x.scatterReduce(0, index, src, "sum", { includeSelf: false }),
    ],
    inputs: () => [randn([4, 3]), tensor([[0, 2, 0], [2, 2, 1]], { dtype: "int64" }), randn([2, 3])],
    options: { opset: 18 },
  },
  { name: "Upsample bicubic", build: () => new nn.Upsample({ scaleFactor: 2, mode: "bicubic" }), inputs: image(1, 2, 3, 4), ops: ["Resize"] },
  { name: "Upsample bicubic align corners to size", build: () => new nn.Upsample({ size: [5, 7], mode: "bicubic", alignCorners: true }), inputs: image(1, 2, 3, 4) },
  { name: "Upsample trilinear", build: () => new nn.Upsample({ scaleFactor: [2, 1.5, 2], mode: "trilinear" }), inputs: volume(1, 2, 2, 4, 3) },
  { name: "Upsample trilinear align corners to size", build: () => new nn.Upsample({ size: [3, 5, 4], mode: "trilinear", alignCorners: true }), inputs: volume(1, 2, 2, 4, 3) },
  { name: "Upsample linear (1-d)", build: () => new nn.Upsample({ scaleFactor: 2.5, mode: "linear" }), inputs: seq(1, 2, 4) },
  { name: "Upsample nearest (1-d) to size", build: () => new nn.Upsample({ size: 7, mode: "nearest" }), inputs: seq(1, 2, 4) },
  { name: "Upsample nearest-exact", build: () => new nn.Upsample({ scaleFactor: [2, 3], mode: "nearest-exact" }), inputs: image(1, 2, 3, 4) },
  { name: "Upsample nearest-exact to size (3-d)", build: () => new nn.Upsample({ size: [3, 7, 5], mode: "nearest-exact" }), inputs: volume(1, 1, 2, 4, 3) },
  { name: "Upsample area (downsampling)", build: () => new nn.Upsample({ size: [3, 2], mode: "area" }), inputs: image(1, 2, 6, 4) },
  { name: "Upsample area, uneven", build: () => new nn.Upsample({ size: [4, 3], mode: "area" }), inputs: image(1, 2, 7, 5) },
  {
    name: "Upsample bilinear to size, dynamic batch and channels",
    build: () => new nn.Upsample({ size: [5, 3], mode: "bilinear" }),
    inputs: image(2, 2, 3, 4),
    options: { dynamicAxes: { input: [0, 1] } },
    other: image(3, 1, 3, 4),
  },
  {
    name: "Upsample nearest to size, dynamic batch, opset 18",
    build: () => new nn.Upsample({ size: [5, 3] }),
    inputs: image(2, 2, 3, 4),
    options: { dynamicAxes: { input: [0] }, opset: 18 },
    other: image(4, 2, 3, 4),
  },
  {
    name: "InstanceNorm2d, dynamic batch",
    build: () => new nn.InstanceNorm2d(3),
    inputs: image(2, 3, 4, 4),
    options: { dynamicAxes: { input: [0] } },
    other: image(5, 3, 4, 4),
  },
  {
    name: "Conv3d, AvgPool3d, circular padding, dynamic batch",
    build: seeded(48, () => new nn.Sequential(new nn.Conv3d(2, 3, 3, { padding: 1, paddingMode: "circular" }), new nn.AvgPool3d(2), new nn.Flatten(), new nn.Linear(3 * 2 * 2 * 3, 4))),
    inputs: volume(2, 2, 4, 5, 6),
    options: { dynamicAxes: { input: [0] } },
    other: volume(3, 2, 4, 5, 6),
  },
  { name: "UpsamplingNearest2d", build: () => new nn.UpsamplingNearest2d({ scaleFactor: 3 }), inputs: image(1, 2, 2, 3) },
  { name: "UpsamplingBilinear2d", build: () => new nn.UpsamplingBilinear2d({ size: [5, 4] }), inputs: image(1, 2, 2, 3) },
  { name: "PixelShuffle", build: () => new nn.PixelShuffle(2), inputs: image(2, 8, 3, 2) },
  { name: "PixelUnshuffle", build: () => new nn.PixelUnshuffle(3), inputs: image(1, 2, 6, 3) },
];

/** Non-trivial affine parameters (norms start at weight 1, bias 0). */
function randomAffine<M extends nn.Module>(m: M): M {
  noGrad(() => {
    for (const p of m.parameters()) p.copy_(randn([...p.shape]).mul(0.5).add(1));
  });
  return m;
}

exportCases(cases);
