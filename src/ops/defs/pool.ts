/**
 * Pooling primitives over 1, 2 or 3 spatial dims of [N, C, ...] tensors, and the thin
 * torch.nn.functional-style functions over them:
 *   - `maxPool` (ONNX MaxPool) gives [values, indices], indices flat within each [N, C]
 *     plane as PyTorch's `return_indices`;
 *   - `avgPool` (ONNX AveragePool) with countIncludePad, ceilMode and divisorOverride;
 *   - `adaptiveAvgPool` / `adaptiveMaxPool`: PyTorch's adaptive windows (no ONNX operator
 *     but GlobalAveragePool / GlobalMaxPool for a 1-sized output).
 *
 * Note: pool windows. Along each spatial dim, output o of maxPool looks at input positions
 * o·stride − padBegin + j·dilation (j < kernel) that fall inside [0, L); padding never
 * wins a max. The number of outputs is PyTorch's pooling_output_shape: floor (or with
 * ceilMode, ceil) of (L + padBegin + padEnd − dilation·(kernel − 1) − 1) / stride, plus 1,
 * minus one when ceilMode would start the last window at or past L + padBegin. avgPool
 * (dilation 1) sums the window clipped to [0, L) and divides by the product over dims of
 * the window length clipped to [−padBegin, L + padEnd) (countIncludePad) or to [0, L)
 * (otherwise), or by divisorOverride. Adaptive pooling uses the window
 * [floor(o·L/out), ceil((o+1)·L/out)). Windows are products of per-dim intervals, which is
 * what the kernels tabulate.
 *
 * Note: pool gradients. Each pool's vjp is another primitive, and the pair are adjoint
 * linear maps, so double backward alternates between them: `maxPoolBackward(g, indices)`
 * adds each gradient into its plane at the saved index (ONNX ScatterElements), and its own
 * vjp gathers at the same indices; `avgPoolBackward` spreads g[o]/divisor[o] over window o,
 * and its vjp is avgPool itself (likewise `adaptiveAvgPoolBackward` and adaptiveAvgPool).
 * Ties in a max window go to the first position, and nan wins over every number (the last
 * nan if several), as in PyTorch's CPU kernels.
 */
import { isFloating, type DType } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply, apply1 } from "../apply.ts";
import { defineOp, single, type TensorMeta } from "../define-op.ts";
import type { SizeArg } from "./conv.ts";

/** The window geometry of maxPool and avgPool: one entry per spatial dim in each list. */
export interface PoolWindowAttrs {
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
  readonly ceilMode: boolean;
}

export interface MaxPoolAttrs extends PoolWindowAttrs {
  readonly dilation: readonly number[];
}

export interface AvgPoolAttrs extends PoolWindowAttrs {
  readonly countIncludePad: boolean;
  /** Divide every window sum by this instead of the window's size. */
  readonly divisorOverride: number | null;
}

export interface AdaptivePoolAttrs {
  readonly outputSize: readonly number[];
}

/** Attributes of the backward primitives: the forward op's plus the input's spatial size. */
export interface MaxPoolBackwardAttrs {
  readonly inputSize: readonly number[];
}
export interface AvgPoolBackwardAttrs extends AvgPoolAttrs {
  readonly inputSize: readonly number[];
}
export interface AdaptiveAvgPoolBackwardAttrs extends AdaptivePoolAttrs {
  readonly inputSize: readonly number[];
}

/** PyTorch's pooling_output_shape_pad_lr (see Note: pool windows). */
export function poolOutputSize(size: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number, ceilMode: boolean): number {
  const span = size + padBegin + padEnd - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + padBegin) out--;
  return out;
}

/** Pooling computes in the input's dtype; bool has no order or mean to pool. */
function poolDType(op: string, x: TensorMeta): DType {
  if (x.dtype === "bool") throw new DTypeError(`${op}: not implemented for bool tensors`);
  return x.dtype;
}

function checkRank(op: string, x: TensorMeta, nd: number): void {
  if (nd < 1 || nd > 3) throw new ValueError(`${op}: pooling takes 1 to 3 spatial dims, got ${nd}`);
  if (x.shape.length !== nd + 2) throw new ShapeError(`${op}: expected a ${nd + 2}-D [N, C, ...] input, got ${formatShape(x.shape)}`);
}

function inferWindowPool(op: string, x: TensorMeta, attrs: PoolWindowAttrs, dilation: readonly number[]): number[] {
  const nd = attrs.kernelSize.length;
  checkRank(op, x, nd);
  for (const [key, list] of Object.entries({ stride: attrs.stride, padBegin: attrs.padBegin, padEnd: attrs.padEnd, dilation }))
    if (list.length !== nd || !list.every((v) => Number.isInteger(v) && Math.abs(v) < 2 ** 31))
      throw new ValueError(`${op}: ${key} must be ${nd} 32-bit integers, got [${list.join(", ")}]`);
  if (attrs.kernelSize.some((k) => !Number.isInteger(k) || k <= 0 || k >= 2 ** 31))
    throw new ValueError(`${op}: kernel size should be greater than zero, but got [${attrs.kernelSize.join(", ")}]`);
  if (attrs.stride.some((s) => s <= 0)) throw new ValueError(`${op}: stride should be greater than zero, but got [${attrs.stride.join(", ")}]`);
  if (dilation.some((d) => d <= 0)) throw new ValueError(`${op}: dilation should be greater than zero, but got [${dilation.join(", ")}]`);
  const half = attrs.kernelSize.map((k) => Math.floor(k / 2));
  if (attrs.padBegin.some((p, i) => p < 0 || p > half[i]!) || attrs.padEnd.some((p, i) => p < 0 || p > half[i]!))
    throw new ValueError(
      `${op}: pad should be at most half of kernel size, but got pad=[${attrs.padBegin.join(", ")}] / [${attrs.padEnd.join(", ")}] and kernel_size=[${attrs.kernelSize.join(", ")}]`,
    );
  const inSizes = x.shape.slice(2);
  const outSizes = inSizes.map((n, i) => poolOutputSize(n, attrs.kernelSize[i]!, attrs.stride[i]!, attrs.padBegin[i]!, attrs.padEnd[i]!, dilation[i]!, attrs.ceilMode));
  if (outSizes.some((n) => n <= 0))
    throw new ShapeError(
      `${op}: given input size: (${x.shape.slice(1).join("x")}). Calculated output size: (${[x.shape[1]!, ...outSizes].join("x")}). Output size is too small`,
    );
  return [x.shape[0]!, x.shape[1]!, ...outSizes];
}

function inferAdaptive(op: string, x: TensorMeta, attrs: AdaptivePoolAttrs): number[] {
  checkRank(op, x, attrs.outputSize.length);
  if (attrs.outputSize.some((n) => !Number.isInteger(n) || n < 0)) throw new ValueError(`${op}: output size must be non-negative integers, got [${attrs.outputSize.join(", ")}]`);
  const empty = x.shape.findIndex((n, i) => i > 0 && n === 0);
  if (empty >= 0)
    throw new ShapeError(`${op}: expected input to have non-zero size for non-batch dimensions, but input has sizes ${formatShape(x.shape)} with dimension ${empty} being empty`);
  return [x.shape[0]!, x.shape[1]!, ...attrs.outputSize];
}

function inferBackward(op: string, g: TensorMeta, inputSize: readonly number[]) {
  if (!isFloating(g.dtype)) throw new DTypeError(`${op}: gradients are floating point, got ${g.dtype}`);
  if (g.shape.length !== inputSize.length + 2) throw new ShapeError(`${op}: gradient ${formatShape(g.shape)} does not match ${inputSize.length} spatial dims`);
  return single([g.shape[0]!, g.shape[1]!, ...inputSize], g.dtype);
}

/** d maxPool / d x from the saved indices (see Note: pool gradients). */
function maxPoolVjp(g: Tensor, indices: Tensor, input: TensorMeta): Tensor {
  return apply1(poolOps.maxPoolBackward, [g, indices], { inputSize: input.shape.slice(2) });
}

export const poolOps = {
  /** Max over each window (see Note: pool windows): [values, int64 per-plane indices]. */
  maxPool: defineOp<MaxPoolAttrs>({
    name: "maxPool",
    inputs: ["x"],
    infer: ([x], attrs) => {
      const shape = inferWindowPool("maxPool", x!, attrs, attrs.dilation);
      return { outputs: [{ shape, dtype: poolDType("maxPool", x!) }, { shape, dtype: "int64" }] };
    },
    vjp: ([g], { outputs, metas }): (Tensor | null)[] => [maxPoolVjp(g!, outputs[1]!, metas[0]!)],
    onnx: { type: "MaxPool", sinceOpset: 12, pattern: "MaxPool with both outputs; PyTorch's per-plane indices are ONNX's flat indices minus each plane's offset" },
  }),
  /** Adds g[o] into its plane of zeros at indices[o] (the vjp of maxPool and adaptiveMaxPool). */
  maxPoolBackward: defineOp<MaxPoolBackwardAttrs>({
    name: "maxPoolBackward",
    inputs: ["g", "indices"],
    infer: ([g, indices], { inputSize }) => {
      if (indices!.dtype !== "int64") throw new DTypeError(`maxPoolBackward: indices must be int64, got ${indices!.dtype}`);
      return inferBackward("maxPoolBackward", g!, inputSize);
    },
    // Its adjoint reads the same indices: a gather from each plane (Note: pool gradients).
    vjp: ([gg], { inputs, metas }): (Tensor | null)[] => [gg!.flatten(2).gather(2, inputs[1]!.flatten(2)).reshape(metas[0]!.shape), null],
    onnx: { type: "ScatterElements", sinceOpset: 16, pattern: "ScatterElements with reduction=add into zeros over planes flattened to [N, C, H·W]" },
  }),
  /** Mean over each window (see Note: pool windows); integers divide truncating toward zero. */
  avgPool: defineOp<AvgPoolAttrs>({
    name: "avgPool",
    inputs: ["x"],
    infer: ([x], attrs) => {
      if (attrs.divisorOverride !== null && (!Number.isInteger(attrs.divisorOverride) || attrs.divisorOverride === 0))
        throw new ValueError(`avgPool: divisor must be a non-zero integer, got ${attrs.divisorOverride}`);
      const dilation = attrs.kernelSize.map(() => 1);
      return single(inferWindowPool("avgPool", x!, attrs, dilation), poolDType("avgPool", x!));
    },
    vjp: ([g], { metas, attrs }): (Tensor | null)[] => [apply1(poolOps.avgPoolBackward, [g!], { ...attrs, inputSize: metas[0]!.shape.slice(2) })],
    onnx: { type: "AveragePool", sinceOpset: 11, pattern: "AveragePool; with divisorOverride, AveragePool count_include_pad=1 then Mul by window size / divisor" },
  }),
  /** Spreads g[o] / divisor[o] over window o (the vjp of avgPool). */
  avgPoolBackward: defineOp<AvgPoolBackwardAttrs>({
    name: "avgPoolBackward",
    inputs: ["g"],
    infer: ([g], { inputSize }) => inferBackward("avgPoolBackward", g!, inputSize),
    vjp: ([gg], { attrs }): (Tensor | null)[] => {
      const { inputSize: _, ...forward } = attrs;
      return [apply1(poolOps.avgPool, [gg!], forward)];
    },
    onnx: { type: "ConvTranspose", sinceOpset: 11, pattern: "depthwise ConvTranspose with a ones kernel of g divided by the window divisors" },
  }),
  /** Mean over PyTorch's adaptive windows [floor(o·L/out), ceil((o+1)·L/out)). */
  adaptiveAvgPool: defineOp<AdaptivePoolAttrs>({
    name: "adaptiveAvgPool",
    inputs: ["x"],
    infer: ([x], attrs) => single(inferAdaptive("adaptiveAvgPool", x!, attrs), poolDType("adaptiveAvgPool", x!)),
    vjp: ([g], { metas, attrs }): (Tensor | null)[] => [apply1(poolOps.adaptiveAvgPoolBackward, [g!], { ...attrs, inputSize: metas[0]!.shape.slice(2) })],
    onnx: { type: "GlobalAveragePool", sinceOpset: 1, pattern: "GlobalAveragePool for a 1-sized output, AveragePool when input sizes divide evenly" },
  }),
  /** Spreads g[o] / window size over adaptive window o (the vjp of adaptiveAvgPool). */
  adaptiveAvgPoolBackward: defineOp<AdaptiveAvgPoolBackwardAttrs>({
    name: "adaptiveAvgPoolBackward",
    inputs: ["g"],
    infer: ([g], { inputSize }) => inferBackward("adaptiveAvgPoolBackward", g!, inputSize),
    vjp: ([gg], { attrs }): (Tensor | null)[] => [apply1(poolOps.adaptiveAvgPool, [gg!], { outputSize: attrs.outputSize })],
    onnx: { type: "Resize", sinceOpset: 11, pattern: "for evenly dividing sizes, nearest Resize of g divided by the window size" },
  }),
  /** Max over adaptive windows: [values, int64 per-plane indices]. */
  adaptiveMaxPool: defineOp<AdaptivePoolAttrs>({
    name: "adaptiveMaxPool",
    inputs: ["x"],
    infer: ([x], attrs) => {
      const shape = inferAdaptive("adaptiveMaxPool", x!, attrs);
      return { outputs: [{ shape, dtype: poolDType("adaptiveMaxPool", x!) }, { shape, dtype: "int64" }] };
    },
    vjp: ([g], { outputs, metas }): (Tensor | null)[] => [maxPoolVjp(g!, outputs[1]!, metas[0]!)],
    onnx: { type: "GlobalMaxPool", sinceOpset: 1, pattern: "GlobalMaxPool for a 1-sized output, MaxPool when input sizes divide evenly" },
  }),
};

// ---------------------------------------------------------------------------------------
// Public functions: torch.nn.functional's max_poolNd, avg_poolNd, adaptive_*_poolNd
// ---------------------------------------------------------------------------------------

function expandPoolArg(op: string, name: string, value: SizeArg, nd: number): number[] {
  const list = typeof value === "number" ? new Array<number>(nd).fill(value) : [...value];
  if (list.length === 1 && nd > 1) return new Array<number>(nd).fill(list[0]!);
  if (list.length !== nd || !list.every(Number.isInteger))
    throw new ValueError(`${op}: ${name} must either be a single int, or a tuple of ${nd} ints, got [${list.join(", ")}]`);
  return list;
}

/** Adds a batch dim to an unbatched [C, ...] input; PyTorch accepts both ranks. */
function batchedPool(op: string, x: Tensor, nd: number): { x: Tensor; unbatched: boolean } {
  const ok = x.ndim === nd + 2 || x.ndim === nd + 1;
  // Only the batch dim may be empty.
  if (!ok || x.shape.slice(x.ndim - nd - 1).includes(0))
    throw new ShapeError(`${op}: expected ${nd + 1}D or ${nd + 2}D (batch mode) tensor with optional 0 dim batch size for input, but got: ${formatShape(x.shape)}`);
  return x.ndim === nd + 1 ? { x: x.unsqueeze(0), unbatched: true } : { x, unbatched: false };
}

function windowAttrs(op: string, nd: number, kernelSize: SizeArg, stride: SizeArg | null, padding: SizeArg, ceilMode: boolean): PoolWindowAttrs {
  const kernel = expandPoolArg(op, "kernel_size", kernelSize, nd);
  // PyTorch: stride defaults to the kernel size (an empty list means the same).
  const strides = stride === null || (Array.isArray(stride) && stride.length === 0) ? kernel : expandPoolArg(op, "stride", stride, nd);
  if (strides.some((s) => s === 0)) throw new ValueError(`${op}: stride should not be zero`);
  const pads = expandPoolArg(op, "padding", padding, nd);
  return { kernelSize: kernel, stride: strides, padBegin: pads, padEnd: pads, ceilMode };
}

function maxPoolNd(op: string, nd: number, input: Tensor, kernelSize: SizeArg, stride: SizeArg | null, padding: SizeArg, dilation: SizeArg, ceilMode: boolean, returnIndices: boolean): Tensor | [Tensor, Tensor] {
  const { x, unbatched } = batchedPool(op, input, nd);
  const attrs: MaxPoolAttrs = { ...windowAttrs(op, nd, kernelSize, stride, padding, ceilMode), dilation: expandPoolArg(op, "dilation", dilation, nd) };
  let [values, indices] = apply(poolOps.maxPool, [x], attrs) as [Tensor, Tensor];
  if (unbatched) [values, indices] = [values.squeeze(0), indices.squeeze(0)];
  return returnIndices ? [values, indices] : values;
}

/**
 * 1-D max pooling over [N, C, L] (or [C, L]): out[o] = max of x[o·stride − padding + j·dilation],
 * j < kernelSize. `stride` defaults to kernelSize; with `returnIndices`, also the int64
 * position of each max within its row (as torch.nn.functional.max_pool1d).
 */
export function maxPool1d(input: Tensor, kernelSize: SizeArg, stride?: SizeArg | null, padding?: SizeArg, dilation?: SizeArg, ceilMode?: boolean, returnIndices?: false): Tensor;
export function maxPool1d(input: Tensor, kernelSize: SizeArg, stride: SizeArg | null | undefined, padding: SizeArg | undefined, dilation: SizeArg | undefined, ceilMode: boolean | undefined, returnIndices: true): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: SizeArg, stride: SizeArg | null = null, padding: SizeArg = 0, dilation: SizeArg = 1, ceilMode = false, returnIndices = false): Tensor | [Tensor, Tensor] {
  return maxPoolNd("max_pool1d", 1, input, kernelSize, stride, padding, dilation, ceilMode, returnIndices);
}

/**
 * 2-D max pooling over [N, C, H, W] (or [C, H, W]), as torch.nn.functional.max_pool2d; with
 * `returnIndices` also the int64 flat index h·W + w of each max within its plane.
 *
 * ```ts
 * maxPool2d(randn([1, 3, 8, 8]), 2).shape; // [1, 3, 4, 4]
 * const [values, indices] = maxPool2d(x, 3, 2, 1, 1, true, true);
 * ```
 */
export function maxPool2d(input: Tensor, kernelSize: SizeArg, stride?: SizeArg | null, padding?: SizeArg, dilation?: SizeArg, ceilMode?: boolean, returnIndices?: false): Tensor;
export function maxPool2d(input: Tensor, kernelSize: SizeArg, stride: SizeArg | null | undefined, padding: SizeArg | undefined, dilation: SizeArg | undefined, ceilMode: boolean | undefined, returnIndices: true): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: SizeArg, stride: SizeArg | null = null, padding: SizeArg = 0, dilation: SizeArg = 1, ceilMode = false, returnIndices = false): Tensor | [Tensor, Tensor] {
  return maxPoolNd("max_pool2d", 2, input, kernelSize, stride, padding, dilation, ceilMode, returnIndices);
}

/** 3-D max pooling over [N, C, D, H, W] (or [C, D, H, W]); indices are flat d·H·W + h·W + w. */
export function maxPool3d(input: Tensor, kernelSize: SizeArg, stride?: SizeArg | null, padding?: SizeArg, dilation?: SizeArg, ceilMode?: boolean, returnIndices?: false): Tensor;
export function maxPool3d(input: Tensor, kernelSize: SizeArg, stride: SizeArg | null | undefined, padding: SizeArg | undefined, dilation: SizeArg | undefined, ceilMode: boolean | undefined, returnIndices: true): [Tensor, Tensor];
export function maxPool3d(input: Tensor, kernelSize: SizeArg, stride: SizeArg | null = null, padding: SizeArg = 0, dilation: SizeArg = 1, ceilMode = false, returnIndices = false): Tensor | [Tensor, Tensor] {
  return maxPoolNd("max_pool3d", 3, input, kernelSize, stride, padding, dilation, ceilMode, returnIndices);
}

function avgPoolNd(op: string, nd: number, input: Tensor, kernelSize: SizeArg, stride: SizeArg | null, padding: SizeArg, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null): Tensor {
  const { x, unbatched } = batchedPool(op, input, nd);
  if (divisorOverride === 0) throw new ValueError(`${op}: divisor must be not zero`);
  const attrs: AvgPoolAttrs = { ...windowAttrs(op, nd, kernelSize, stride, padding, ceilMode), countIncludePad, divisorOverride };
  const out = apply1(poolOps.avgPool, [x], attrs);
  return unbatched ? out.squeeze(0) : out;
}

/**
 * 1-D average pooling over [N, C, L] (or [C, L]), as torch.nn.functional.avg_pool1d: the
 * mean of each window; padded positions count toward the divisor unless `countIncludePad`
 * is false.
 */
export function avgPool1d(input: Tensor, kernelSize: SizeArg, stride: SizeArg | null = null, padding: SizeArg = 0, ceilMode = false, countIncludePad = true): Tensor {
  return avgPoolNd("avg_pool1d", 1, input, kernelSize, stride, padding, ceilMode, countIncludePad, null);
}

/**
 * 2-D average pooling over [N, C, H, W] (or [C, H, W]), as torch.nn.functional.avg_pool2d;
 * `divisorOverride` replaces every window's divisor.
 *
 * ```ts
 * avgPool2d(randn([1, 3, 8, 8]), 3, 2, 1, false, false).shape; // [1, 3, 4, 4]
 * ```
 */
export function avgPool2d(input: Tensor, kernelSize: SizeArg, stride: SizeArg | null = null, padding: SizeArg = 0, ceilMode = false, countIncludePad = true, divisorOverride: number | null = null): Tensor {
  return avgPoolNd("avg_pool2d", 2, input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
}

/** 3-D average pooling over [N, C, D, H, W] (or [C, D, H, W]), as torch.nn.functional.avg_pool3d. */
export function avgPool3d(input: Tensor, kernelSize: SizeArg, stride: SizeArg | null = null, padding: SizeArg = 0, ceilMode = false, countIncludePad = true, divisorOverride: number | null = null): Tensor {
  return avgPoolNd("avg_pool3d", 3, input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
}

/** An adaptive output size: an int, or one entry per dim where null keeps the input's size. */
export type AdaptiveSize = number | readonly (number | null)[];

function adaptiveAttrs(op: string, x: Tensor, nd: number, outputSize: AdaptiveSize): AdaptivePoolAttrs {
  const list = typeof outputSize === "number" ? new Array<number>(nd).fill(outputSize) : [...outputSize];
  if (list.length !== nd) throw new ValueError(`${op}: output_size must be ${nd} integers, got [${list.join(", ")}]`);
  return { outputSize: list.map((n, i) => n ?? x.shape[x.ndim - nd + i]!) };
}

function adaptiveInput(op: string, input: Tensor, nd: number): { x: Tensor; unbatched: boolean } {
  if (input.ndim !== nd + 1 && input.ndim !== nd + 2)
    throw new ShapeError(`${op}(): Expected ${nd + 1}D or ${nd + 2}D tensor, but got ${formatShape(input.shape)}`);
  return input.ndim === nd + 1 ? { x: input.unsqueeze(0), unbatched: true } : { x: input, unbatched: false };
}

function adaptiveAvgPoolNd(op: string, nd: number, input: Tensor, outputSize: AdaptiveSize): Tensor {
  const { x, unbatched } = adaptiveInput(op, input, nd);
  const out = apply1(poolOps.adaptiveAvgPool, [x], adaptiveAttrs(op, x, nd, outputSize));
  return unbatched ? out.squeeze(0) : out;
}

function adaptiveMaxPoolNd(op: string, nd: number, input: Tensor, outputSize: AdaptiveSize, returnIndices: boolean): Tensor | [Tensor, Tensor] {
  const { x, unbatched } = adaptiveInput(op, input, nd);
  let [values, indices] = apply(poolOps.adaptiveMaxPool, [x], adaptiveAttrs(op, x, nd, outputSize)) as [Tensor, Tensor];
  if (unbatched) [values, indices] = [values.squeeze(0), indices.squeeze(0)];
  return returnIndices ? [values, indices] : values;
}

/** Adaptive 1-D average pooling to `outputSize` positions: window o is [floor(o·L/out), ceil((o+1)·L/out)). */
export function adaptiveAvgPool1d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPoolNd("adaptive_avg_pool1d", 1, input, outputSize);
}

/**
 * Adaptive 2-D average pooling to `outputSize` ([oh, ow], an int for both, null to keep a
 * size), as torch.nn.functional.adaptive_avg_pool2d; `adaptiveAvgPool2d(x, 1)` is global
 * average pooling.
 *
 * ```ts
 * adaptiveAvgPool2d(randn([2, 512, 7, 7]), 1).shape; // [2, 512, 1, 1]
 * ```
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPoolNd("adaptive_avg_pool2d", 2, input, outputSize);
}

/** Adaptive 3-D average pooling to `outputSize`. */
export function adaptiveAvgPool3d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPoolNd("adaptive_avg_pool3d", 3, input, outputSize);
}

/** Adaptive 1-D max pooling; with `returnIndices`, also the int64 position of each max. */
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: false): Tensor;
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize, returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize, returnIndices = false): Tensor | [Tensor, Tensor] {
  return adaptiveMaxPoolNd("adaptive_max_pool1d", 1, input, outputSize, returnIndices);
}

/** Adaptive 2-D max pooling; with `returnIndices`, also the int64 flat index of each max in its plane. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: false): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices = false): Tensor | [Tensor, Tensor] {
  return adaptiveMaxPoolNd("adaptive_max_pool2d", 2, input, outputSize, returnIndices);
}

/** Adaptive 3-D max pooling; with `returnIndices`, also the int64 flat index of each max in its volume. */
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: false): Tensor;
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize, returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize, returnIndices = false): Tensor | [Tensor, Tensor] {
  return adaptiveMaxPoolNd("adaptive_max_pool3d", 3, input, outputSize, returnIndices);
}
