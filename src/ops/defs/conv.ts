/**
 * Convolution primitives, each one ONNX operator: `conv` (Conv) and `convTranspose`
 * (ConvTranspose), over 1, 2 or 3 spatial dims in PyTorch's channels-first layout
 * (NCL, NCHW, NCDHW). `conv1d/2d/3d` and `convTranspose1d/2d/3d` are thin functions with
 * torch.nn.functional's arguments, checks and messages.
 *
 * Note: conv geometry. Along each spatial dim, output position o of `conv` reads input
 * positions o·stride − padBegin + k·dilation for kernel taps k = 0..K−1; positions outside
 * [0, L) read zero. So the output has floor((L + padBegin + padEnd − dilation·(K−1) − 1) /
 * stride) + 1 positions. `convTranspose` is its adjoint: input position i adds into output
 * positions i·stride − padBegin + k·dilation, the full result of (L−1)·stride + dilation·(K−1)
 * + 1 positions is cropped by padBegin at the start and padEnd at the end, and
 * outputPadding extra positions are kept at the end (ONNX ConvTranspose's output_padding).
 * The primitives take padding as two lists (begin, end) as ONNX's `pads` does; PyTorch's
 * symmetric int padding and padding="same" (which pads the odd extra position at the end)
 * both map onto them. The vjps below may pass a negative padEnd (the end of the input is
 * never read) or an outputPadding of stride or more; the public functions never do.
 *
 * Note: conv gradients. With y = conv(x, w):
 *   - dx = convTranspose(g, w) with the same stride, padding, dilation and groups, and an
 *     outputPadding equal to the remainder floor division dropped, so dx has x's size;
 *   - dw[co, ci, k] = Σ_{n, o} g[n, co, o] · x[n, ci, o·s − p + k·d]. In the position
 *     o·s + k·d the roles of (o, stride) and (k, dilation) are symmetric, so dw is itself a
 *     convolution: x with batch and channel axes swapped is the input, g with batch and
 *     channel axes swapped is the weight, stride and dilation trade places, and the output
 *     [Ci, Co, K'] is transposed back (and cut to K taps; K' ≥ K). With groups, the batch
 *     axis of the swapped x is (group, n) so that each group of g only meets its own group
 *     of x;
 *   - db = g summed over batch and spatial dims.
 * convTranspose is the adjoint of conv, so for y = convTranspose(x, w): dx = conv(g, w) with
 * the same geometry, and dw is the same swapped convolution with g as the input and x as
 * the weight. Both vjps are built from the two primitives and views, so every order of
 * derivative is available.
 */
import type { DType } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { defineOp, single, type TensorMeta } from "../define-op.ts";

/** Attributes of `conv`: one entry per spatial dim in each list. */
export interface ConvAttrs {
  readonly stride: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
  readonly dilation: readonly number[];
  readonly groups: number;
}

/** Attributes of `convTranspose`: those of conv plus the positions kept past the end. */
export interface ConvTransposeAttrs extends ConvAttrs {
  readonly outputPadding: readonly number[];
}

/** Output size of a convolution along one dim (see Note: conv geometry). */
export function convOutputSize(size: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number): number {
  return Math.floor((size + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Output size of a transposed convolution along one dim (see Note: conv geometry). */
export function convTransposeOutputSize(size: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number, outputPadding: number): number {
  return (size - 1) * stride - padBegin - padEnd + dilation * (kernel - 1) + 1 + outputPadding;
}

const spatial = (shape: readonly number[]) => shape.slice(2);
const timesList = (sizes: readonly number[]) => `(${sizes.join(" x ")})`;

/** PyTorch's convolutions take one dtype for input, weight and bias, and none for bool. */
function checkDTypes(op: string, [x, w, b]: readonly TensorMeta[]): DType {
  if (x!.dtype !== w!.dtype) throw new DTypeError(`${op}: expected weight of dtype ${x!.dtype} (the input's) but found ${w!.dtype}`);
  if (b && b.dtype !== x!.dtype) throw new DTypeError(`${op}: input type (${x!.dtype}) and bias type (${b.dtype}) should be the same`);
  if (x!.dtype === "bool") throw new DTypeError(`${op}: not implemented for bool tensors`);
  return x!.dtype;
}

/** Checks shared by conv and convTranspose: ranks, attribute lengths and domains. */
function checkCommon(op: string, [x, w]: readonly TensorMeta[], attrs: ConvAttrs): number {
  const nd = w!.shape.length - 2;
  if (nd < 1 || nd > 3) throw new ShapeError(`${op}: weight should have 3 to 5 dimensions (1 to 3 spatial), got ${formatShape(w!.shape)}`);
  if (x!.shape.length !== w!.shape.length)
    throw new ShapeError(
      `${op}: expected ${w!.shape.length}-dimensional input for ${w!.shape.length}-dimensional weight ${formatShape(w!.shape)}, ` +
        `but got ${x!.shape.length}-dimensional input of size ${formatShape(x!.shape)} instead`,
    );
  for (const key of ["stride", "padBegin", "padEnd", "dilation"] as const) {
    const list = attrs[key];
    // The kernels take 32-bit sizes: a larger stride or pad would wrap (a stride of 2^32 divides by zero).
    if (list.length !== nd || !list.every((v) => Number.isInteger(v) && Math.abs(v) < 2 ** 31))
      throw new ValueError(`${op}: ${key} must be ${nd} 32-bit integers, got [${list.join(", ")}]`);
  }
  if (!Number.isInteger(attrs.groups) || attrs.groups <= 0) throw new ValueError(`${op}: non-positive groups is not supported (groups=${attrs.groups})`);
  if (attrs.stride.some((s) => s <= 0)) throw new ValueError(`${op}: non-positive stride is not supported`);
  if (attrs.dilation.some((d) => d <= 0)) throw new ValueError(`${op}: dilation should be greater than zero, but got [${attrs.dilation.join(", ")}]`);
  return nd;
}

function checkBias(op: string, b: TensorMeta | undefined, w: TensorMeta, channels: number, transposed: boolean): void {
  if (b && (b.shape.length !== 1 || b.shape[0] !== channels))
    throw new ShapeError(
      `${op}: given ${transposed ? "transposed=1, " : ""}weight of size ${formatShape(w.shape)}, expected bias to be 1-dimensional ` +
        `with ${channels} elements, but got bias of size ${formatShape(b.shape)} instead`,
    );
}

function inferConv(metas: readonly TensorMeta[], attrs: ConvAttrs) {
  const dtype = checkDTypes("conv", metas);
  checkCommon("conv", metas, attrs);
  const [x, w, b] = metas as [TensorMeta, TensorMeta, TensorMeta | undefined];
  const { groups } = attrs;
  const [cout, cinPerGroup] = w.shape as [number, number];
  if (cout < groups)
    throw new ShapeError(`conv: given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of size ${formatShape(w.shape)} instead`);
  if (cout % groups !== 0)
    throw new ShapeError(`conv: given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${formatShape(w.shape)} instead`);
  if (x.shape[1] !== cinPerGroup * groups)
    throw new ShapeError(
      `conv: given groups=${groups}, weight of size ${formatShape(w.shape)}, expected input${formatShape(x.shape)} to have ` +
        `${cinPerGroup * groups} channels, but got ${x.shape[1]} channels instead`,
    );
  checkBias("conv", b, w, cout, false);
  const inSizes = spatial(x.shape);
  const kernel = spatial(w.shape);
  const padded = inSizes.map((n, i) => n + attrs.padBegin[i]! + attrs.padEnd[i]!);
  const reach = kernel.map((k, i) => attrs.dilation[i]! * (k - 1) + 1);
  if (padded.some((n, i) => n < reach[i]!))
    throw new ShapeError(
      `conv: calculated padded input size per channel: ${timesList(padded)}. Kernel size: ${timesList(reach)}. ` +
        `Kernel size can't be greater than actual input size`,
    );
  const outSizes = inSizes.map((n, i) => convOutputSize(n, kernel[i]!, attrs.stride[i]!, attrs.padBegin[i]!, attrs.padEnd[i]!, attrs.dilation[i]!));
  return single([x.shape[0]!, cout, ...outSizes], dtype);
}

function inferConvTranspose(metas: readonly TensorMeta[], attrs: ConvTransposeAttrs) {
  const dtype = checkDTypes("convTranspose", metas);
  const nd = checkCommon("convTranspose", metas, attrs);
  const [x, w, b] = metas as [TensorMeta, TensorMeta, TensorMeta | undefined];
  const { groups } = attrs;
  if (attrs.outputPadding.length !== nd || !attrs.outputPadding.every((p) => Number.isInteger(p) && p >= 0))
    throw new ValueError(`convTranspose: outputPadding must be ${nd} non-negative integers, got [${attrs.outputPadding.join(", ")}]`);
  const [cin, coutPerGroup] = w.shape as [number, number];
  if (x.shape[1] !== cin)
    throw new ShapeError(
      `convTranspose: given transposed=1, weight of size ${formatShape(w.shape)}, expected input${formatShape(x.shape)} to have ` +
        `${cin} channels, but got ${x.shape[1]} channels instead`,
    );
  if (cin < groups || cin % groups !== 0)
    throw new ShapeError(`convTranspose: given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${formatShape(w.shape)} instead`);
  checkBias("convTranspose", b, w, coutPerGroup * groups, true);
  const inSizes = spatial(x.shape);
  const kernel = spatial(w.shape);
  const outSizes = inSizes.map((n, i) =>
    convTransposeOutputSize(n, kernel[i]!, attrs.stride[i]!, attrs.padBegin[i]!, attrs.padEnd[i]!, attrs.dilation[i]!, attrs.outputPadding[i]!),
  );
  if (outSizes.some((n) => n <= 0))
    throw new ShapeError(`convTranspose: given input size per channel: ${timesList(inSizes)}. Calculated output size per channel: ${timesList(outSizes)}. Output size is too small`);
  return single([x.shape[0]!, coutPerGroup * groups, ...outSizes], dtype);
}

/**
 * `t` [N, G·C, ...] as [C, G·N, ...]: batch and channel axes swapped with the group kept
 * outermost on the new batch axis (see Note: conv gradients). A view when groups is 1.
 */
function swapBatchAndChannels(t: Tensor, groups: number): Tensor {
  if (groups === 1) return t.transpose(0, 1);
  const [n, c, ...rest] = t.shape as number[];
  const perGroup = c! / groups;
  const grouped = t.reshape([n!, groups, perGroup, ...rest]);
  return grouped.permute([2, 1, 0, ...rest.map((_, i) => i + 3)]).reshape([perGroup, groups * n!, ...rest]);
}

/**
 * The weight gradient of conv (input = x, other = g) or of convTranspose (input = g,
 * other = x), as one swapped convolution (see Note: conv gradients). `kernel` is the
 * weight's spatial size; `padBegin`, `padEnd` the forward op's padding.
 */
function weightGradient(input: Tensor, other: Tensor, kernel: readonly number[], attrs: ConvAttrs): Tensor {
  const swapped = apply1(convOps.conv, [swapBatchAndChannels(input, attrs.groups), other.transpose(0, 1)], {
    stride: attrs.dilation,
    padBegin: attrs.padBegin,
    padEnd: attrs.padEnd,
    dilation: attrs.stride,
    groups: attrs.groups,
  });
  // [C_in/G, G·C_other/G, K'...] -> [G·C_other/G, C_in/G, K...]
  let out = swapped.transpose(0, 1);
  kernel.forEach((k, i) => {
    if (out.shape[i + 2] !== k) out = out.narrow(i + 2, 0, k);
  });
  return out;
}

const spatialDims = (ndim: number) => Array.from({ length: ndim - 2 }, (_, i) => i + 2);

export const convOps = {
  /** N-d convolution, ONNX Conv: [N, G·Ci, ...] ⋆ [G·Co, Ci, K...] (+ bias [G·Co]) -> [N, G·Co, ...]. */
  conv: defineOp<ConvAttrs>({
    name: "conv",
    inputs: ["x", "weight", "bias"],
    infer: inferConv,
    vjp: ([g], { inputs, metas, attrs, needsGrad }): (Tensor | null)[] => {
      const x = metas[0]!;
      const w = metas[1]!;
      let dx: Tensor | null = null;
      if (needsGrad[0]) {
        // outputPadding = what floor division dropped, so dx has x's size (Note: conv gradients).
        const outputPadding = spatial(x.shape).map(
          (n, i) => (n + attrs.padBegin[i]! + attrs.padEnd[i]! - attrs.dilation[i]! * (w.shape[i + 2]! - 1) - 1) % attrs.stride[i]!,
        );
        dx = apply1(convOps.convTranspose, [g!, inputs[1]!], { ...attrs, outputPadding });
      }
      const dw = needsGrad[1] ? weightGradient(inputs[0]!, g!, spatial(w.shape), attrs) : null;
      const db = metas.length > 2 && needsGrad[2] ? g!.sum(spatialDims(g!.ndim).concat([0])) : null;
      return metas.length > 2 ? [dx, dw, db] : [dx, dw];
    },
    onnx: { type: "Conv", sinceOpset: 11 },
  }),
  /** N-d transposed convolution, ONNX ConvTranspose: [N, G·Ci, ...] with weight [G·Ci, Co, K...] -> [N, G·Co, ...]. */
  convTranspose: defineOp<ConvTransposeAttrs>({
    name: "convTranspose",
    inputs: ["x", "weight", "bias"],
    infer: inferConvTranspose,
    vjp: ([g], { inputs, metas, attrs, needsGrad }): (Tensor | null)[] => {
      const w = metas[1]!;
      const geometry: ConvAttrs = {
        stride: attrs.stride,
        padBegin: attrs.padBegin,
        // The outputPadding positions of the output are read as padding by the adjoint conv.
        padEnd: attrs.padEnd.map((p, i) => p - attrs.outputPadding[i]!),
        dilation: attrs.dilation,
        groups: attrs.groups,
      };
      const dx = needsGrad[0] ? apply1(convOps.conv, [g!, inputs[1]!], geometry) : null;
      const dw = needsGrad[1] ? weightGradient(g!, inputs[0]!, spatial(w.shape), geometry) : null;
      const db = metas.length > 2 && needsGrad[2] ? g!.sum(spatialDims(g!.ndim).concat([0])) : null;
      return metas.length > 2 ? [dx, dw, db] : [dx, dw];
    },
    onnx: { type: "ConvTranspose", sinceOpset: 11 },
  }),
};

// ---------------------------------------------------------------------------------------
// Public functions: torch.nn.functional's conv1d/2d/3d and conv_transpose1d/2d/3d
// ---------------------------------------------------------------------------------------

/** An int or one int per spatial dim, as PyTorch's `_single` / `_pair` / `_triple` expand it. */
export type SizeArg = number | readonly number[];

/** PyTorch's padding for conv: ints, or "valid" (none) or "same" (output size = input size, stride 1 only). */
export type ConvPadding = SizeArg | "same" | "valid";

function expandArg(op: string, name: string, value: SizeArg, nd: number): number[] {
  const list = typeof value === "number" ? new Array<number>(nd).fill(value) : [...value];
  if (list.length === 1 && nd > 1) return new Array<number>(nd).fill(list[0]!);
  if (list.length !== nd || !list.every(Number.isInteger))
    throw new ValueError(`${op}: expected ${name} to be a single integer value or a list of ${nd} values to match the convolution dimensions, but got ${name}=[${list.join(", ")}]`);
  return list;
}

/** Adds a batch dim to unbatched input (PyTorch's 1-sample convention), checking the rank. */
function batched(op: string, x: Tensor, nd: number): { x: Tensor; unbatched: boolean } {
  if (x.ndim === nd + 2) return { x, unbatched: false };
  if (x.ndim === nd + 1) return { x: x.unsqueeze(0), unbatched: true };
  throw new ShapeError(`Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${op}, but got input of size: ${formatShape(x.shape)}`);
}

function convNd(op: string, nd: number, input: Tensor, weight: Tensor, bias: Tensor | null, stride: SizeArg, padding: ConvPadding, dilation: SizeArg, groups: number): Tensor {
  const { x, unbatched } = batched(op, input, nd);
  const strides = expandArg(op, "stride", stride, nd);
  const dilations = expandArg(op, "dilation", dilation, nd);
  if (strides.some((s) => s <= 0)) throw new ValueError(`${op}: non-positive stride is not supported`);
  if (dilations.some((d) => d <= 0)) throw new ValueError(`${op}: dilation should be greater than zero, but got [${dilations.join(", ")}]`);
  let padBegin: number[];
  let padEnd: number[];
  if (padding === "valid") {
    padBegin = padEnd = new Array<number>(nd).fill(0);
  } else if (padding === "same") {
    if (strides.some((s) => s !== 1)) throw new ValueError(`${op}: padding='same' is not supported for strided convolutions`);
    if (weight.ndim !== nd + 2) throw new ShapeError(`${op}: weight should have ${nd + 2} dimensions, got ${formatShape(weight.shape)}`);
    // PyTorch's _convolution_same: the total d·(k−1) split with the odd position at the end.
    const total = spatial(weight.shape).map((k, i) => dilations[i]! * (k - 1));
    padBegin = total.map((t) => Math.floor(t / 2));
    padEnd = total.map((t, i) => t - padBegin[i]!);
  } else if (typeof padding === "string") {
    throw new ValueError(`${op}: invalid padding string: '${padding}'`);
  } else {
    padBegin = padEnd = expandArg(op, "padding", padding, nd);
    if (padBegin.some((p) => p < 0)) throw new ValueError(`${op}: negative padding is not supported`);
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const out = apply1(convOps.conv, inputs, { stride: strides, padBegin, padEnd, dilation: dilations, groups });
  return unbatched ? out.squeeze(0) : out;
}

/**
 * 1-D convolution over [N, C, L] (or unbatched [C, L]) with weight [Co, C/groups, K]:
 * out[n, co, o] = bias[co] + Σ_{ci, k} weight[co, ci, k] · x[n, ci, o·stride − padding + k·dilation].
 *
 * ```ts
 * conv1d(randn([1, 2, 10]), randn([4, 2, 3]), null, 1, "same").shape; // [1, 4, 10]
 * ```
 */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: SizeArg = 1, padding: ConvPadding = 0, dilation: SizeArg = 1, groups = 1): Tensor {
  return convNd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups);
}

/**
 * 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]) with weight [Co, C/groups, KH, KW],
 * as torch.nn.functional.conv2d (cross-correlation, no kernel flip). `groups` = C with
 * Co a multiple of C is a depthwise convolution.
 *
 * ```ts
 * conv2d(randn([8, 3, 32, 32]), randn([16, 3, 3, 3]), randn([16]), 2, 1).shape; // [8, 16, 16, 16]
 * ```
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: SizeArg = 1, padding: ConvPadding = 0, dilation: SizeArg = 1, groups = 1): Tensor {
  return convNd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups);
}

/** 3-D convolution over [N, C, D, H, W] (or unbatched [C, D, H, W]) with weight [Co, C/groups, KD, KH, KW]. */
export function conv3d(input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: SizeArg = 1, padding: ConvPadding = 0, dilation: SizeArg = 1, groups = 1): Tensor {
  return convNd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups);
}

function convTransposeNd(
  op: string, nd: number, input: Tensor, weight: Tensor, bias: Tensor | null, stride: SizeArg, padding: SizeArg, outputPadding: SizeArg, groups: number, dilation: SizeArg,
): Tensor {
  const { x, unbatched } = batched(op, input, nd);
  const strides = expandArg(op, "stride", stride, nd);
  const pads = expandArg(op, "padding", padding, nd);
  const dilations = expandArg(op, "dilation", dilation, nd);
  const extra = expandArg(op, "output_padding", outputPadding, nd);
  if (strides.some((s) => s <= 0)) throw new ValueError(`${op}: non-positive stride is not supported`);
  if (pads.some((p) => p < 0)) throw new ValueError(`${op}: negative padding is not supported`);
  if (dilations.some((d) => d <= 0)) throw new ValueError(`${op}: dilation should be greater than zero, but got [${dilations.join(", ")}]`);
  if (extra.some((p, i) => p < 0 || p >= Math.max(strides[i]!, dilations[i]!)))
    throw new ValueError(
      `${op}: output padding must be smaller than either stride or dilation, but got output_padding [${extra.join(", ")}], ` +
        `stride [${strides.join(", ")}], dilation [${dilations.join(", ")}]`,
    );
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const out = apply1(convOps.convTranspose, inputs, { stride: strides, padBegin: pads, padEnd: pads, dilation: dilations, groups, outputPadding: extra });
  return unbatched ? out.squeeze(0) : out;
}

/**
 * 1-D transposed convolution ("deconvolution") over [N, Ci, L] with weight [Ci, Co/groups, K]:
 * the adjoint of conv1d, output length (L−1)·stride − 2·padding + dilation·(K−1) + outputPadding + 1.
 * The argument order is PyTorch's: groups comes before dilation.
 */
export function convTranspose1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: SizeArg = 1, padding: SizeArg = 0, outputPadding: SizeArg = 0, groups = 1, dilation: SizeArg = 1): Tensor {
  return convTransposeNd("conv_transpose1d", 1, input, weight, bias, stride, padding, outputPadding, groups, dilation);
}

/**
 * 2-D transposed convolution over [N, Ci, H, W] with weight [Ci, Co/groups, KH, KW], as
 * torch.nn.functional.conv_transpose2d (groups before dilation, as there).
 *
 * ```ts
 * convTranspose2d(randn([1, 8, 7, 7]), randn([8, 4, 3, 3]), null, 2, 1, 1).shape; // [1, 4, 14, 14]
 * ```
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: SizeArg = 1, padding: SizeArg = 0, outputPadding: SizeArg = 0, groups = 1, dilation: SizeArg = 1): Tensor {
  return convTransposeNd("conv_transpose2d", 2, input, weight, bias, stride, padding, outputPadding, groups, dilation);
}

/** 3-D transposed convolution over [N, Ci, D, H, W] with weight [Ci, Co/groups, KD, KH, KW]. */
export function convTranspose3d(input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: SizeArg = 1, padding: SizeArg = 0, outputPadding: SizeArg = 0, groups = 1, dilation: SizeArg = 1): Tensor {
  return convTransposeNd("conv_transpose3d", 3, input, weight, bias, stride, padding, outputPadding, groups, dilation);
}
