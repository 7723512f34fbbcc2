/**
 * Export rules of reductions, scans, softmax, sorting, matmul, convolution and
 * normalization. Opset differences handled here: Reduce* take their axes as an input from
 * opset 18 (ReduceSum from 13); LayerNormalization exists from 17 and is written out as
 * ReduceMean/Sub/Sqrt/... before that.
 */
import type { DType } from "../../../core/dtype.ts";
import type { Dim } from "../../../graph/ir.ts";
import type { ConvAttrs, ConvTransposeAttrs } from "../../../ops/defs/conv.ts";
import type { BatchNormAttrs, LayerNormAttrs } from "../../../ops/defs/norm.ts";
import type { ArgAttrs, ReduceAttrs } from "../../../ops/defs/reduce.ts";
import type { ScanAttrs } from "../../../ops/defs/scan.ts";
import type { SortAttrs, TopkAttrs } from "../../../ops/defs/sort.ts";
import type { UpsampleAttrs } from "../../../ops/defs/upsample.ts";
import { attr } from "./builder.ts";
import { fail, simple, unsupported, type EmitContext, type EmitValue, type Rule } from "./emit.ts";

type Any = EmitContext<unknown>;
const out = (c: Any) => c.outputs[0]!;
const x = (c: Any) => c.inputs[0]!;
const isStatic = (d: Dim): d is number => typeof d === "number";
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Output names for the used outputs; unused trailing optional outputs are left out. */
function usedOutputs(c: Any): string[] {
  const names = c.outputs.map((o, i) => (i === 0 || c.used(i) ? o.name : ""));
  while (names.length > 1 && names[names.length - 1] === "") names.pop();
  return names;
}

/** A Reduce* node: axes as an input from opset 18 (ReduceSum: 13), an attribute before. */
export function reduceNode(c: Any, type: string, input: string, axes: readonly number[], keepdims: boolean, output: string): void {
  const axesAsInput = type === "ReduceSum" || c.opset >= 18;
  const keep = attr.int("keepdims", keepdims);
  if (axesAsInput) c.node(type, [input, c.ints(axes)], [output], [keep]);
  else c.node(type, [input], [output], [attr.ints("axes", axes), keep]);
}

function reduce(type: string): Rule<ReduceAttrs> {
  return (c) => {
    const v = x(c);
    if (v.shape.length === 0) return c.node("Identity", [v.name], [out(c).name]);
    reduceNode(c, type, v.name, c.attrs.dims, c.attrs.keepdim, out(c).name);
  };
}

function argExtremum(type: string): Rule<ArgAttrs> {
  return (c) => {
    const v = x(c);
    const { dim, keepdim } = c.attrs;
    const attrs = (axis: number, keep: boolean) => [attr.int("axis", axis), attr.int("keepdims", keep), attr.int("select_last_index", 0)];
    if (dim !== null && v.shape.length > 0) return c.node(type, [v.name], [out(c).name], attrs(dim, keepdim));
    // Over the flattened tensor: Reshape to 1-D, then back to the all-ones or 0-d shape.
    const flat = c.apply("Reshape", [v.name, c.ints([-1])], v.dtype, [null]);
    const index = c.apply(type, [flat], "int64", [1], attrs(0, true));
    c.node("Reshape", [index, c.ints(out(c).shape)], [out(c).name]);
  };
}

const cumsum: Rule<ScanAttrs> = (c) => {
  const v = x(c);
  if (v.shape.length === 0) return c.node("Identity", [v.name], [out(c).name]);
  c.node("CumSum", [v.name, c.constant([c.attrs.dim], "int64", [])], [out(c).name], [attr.int("reverse", c.attrs.reverse)]);
};

function topkNode(c: Any, k: number, dim: number, largest: boolean): void {
  const v = x(c);
  if (v.shape.length === 0) {
    c.node("Identity", [v.name], [c.outputs[0]!.name]);
    return c.node("Constant", [], [c.outputs[1]!.name], [attr.tensor("value", { elemType: "int64", dims: [], data: new BigInt64Array(1) })]);
  }
  c.node("TopK", [v.name, c.ints([k])], [c.outputs[0]!.name, c.outputs[1]!.name], [attr.int("axis", dim), attr.int("largest", largest), attr.int("sorted", 1)]);
}

const sort: Rule<SortAttrs> = (c) => {
  const v = x(c);
  if (v.shape.length > 0 && !isStatic(v.dims[c.attrs.dim]!)) throw fail(c.op, "sorting along a dynamic dim");
  topkNode(c, v.shape[c.attrs.dim] ?? 1, c.attrs.dim, c.attrs.descending);
};

const topk: Rule<TopkAttrs> = (c) => topkNode(c, c.attrs.k, c.attrs.dim, c.attrs.largest);

const softmaxAttrs = (a: { dim: number }, c: EmitContext<{ dim: number }>) => [attr.int("axis", c.inputs[0]!.shape.length === 0 ? 0 : a.dim)];

function convAttributes(a: ConvAttrs, weight: EmitValue) {
  return [
    attr.ints("kernel_shape", weight.shape.slice(2)),
    attr.ints("strides", a.stride),
    attr.ints("pads", [...a.padBegin, ...a.padEnd]),
    attr.ints("dilations", a.dilation),
    attr.int("group", a.groups),
  ];
}

const conv: Rule<ConvAttrs> = (c) => {
  if ([...c.attrs.padBegin, ...c.attrs.padEnd].some((p) => p < 0)) throw fail(c.op, "negative padding");
  c.node("Conv", c.inputs.map((v) => v.name), [out(c).name], convAttributes(c.attrs, c.inputs[1]!));
};

const convTranspose: Rule<ConvTransposeAttrs> = (c) => {
  if ([...c.attrs.padBegin, ...c.attrs.padEnd].some((p) => p < 0)) throw fail(c.op, "negative padding");
  c.node("ConvTranspose", c.inputs.map((v) => v.name), [out(c).name], [...convAttributes(c.attrs, c.inputs[1]!), attr.ints("output_padding", c.attrs.outputPadding)]);
};

/** [C] -> [C, 1, ..., 1] so that it broadcasts over a channels-first [N, C, ...] tensor. */
function perChannel(c: Any, v: string, dtype: DType, channels: number, rank: number): string {
  const shape = [channels, ...range(rank - 2).map(() => 1)];
  return c.apply("Reshape", [v, c.ints(shape)], dtype, shape);
}

function affineInputs(c: Any, first: number, hasWeight: boolean, hasBias: boolean): { weight?: EmitValue; bias?: EmitValue } {
  const rest = c.inputs.slice(first);
  return { ...(hasWeight ? { weight: rest[0]! } : {}), ...(hasBias ? { bias: rest[hasWeight ? 1 : 0]! } : {}) };
}

const layerNorm: Rule<LayerNormAttrs> = (c) => {
  const v = x(c);
  const { axis, eps, hasWeight, hasBias } = c.attrs;
  const { weight, bias } = affineInputs(c, 1, hasWeight, hasBias);
  const normalized = v.shape.slice(axis);
  const dtype = v.dtype;
  if (c.opset >= 17) {
    const scale = weight?.name ?? c.constant(Array<number>(normalized.reduce((a, b) => a * b, 1)).fill(1), dtype, normalized);
    const inputs = bias ? [v.name, scale, bias.name] : [v.name, scale];
    return c.node("LayerNormalization", inputs, usedOutputs(c), [attr.int("axis", axis), attr.float("epsilon", eps)]);
  }
  const axes = range(v.shape.length).slice(axis);
  const statDims = v.dims.map((d, i) => (i < axis ? d : 1));
  const mean = c.used(1) ? c.outputs[1]!.name : c.tmp("ln_mean", dtype, statDims);
  reduceNode(c, "ReduceMean", v.name, axes, true, mean);
  const centered = c.apply("Sub", [v.name, mean], dtype, v.dims);
  const variance = c.tmp("ln_var", dtype, statDims);
  reduceNode(c, "ReduceMean", c.apply("Mul", [centered, centered], dtype, v.dims), axes, true, variance);
  const rstd = c.used(2) ? c.outputs[2]!.name : c.tmp("ln_rstd", dtype, statDims);
  c.node("Reciprocal", [c.apply("Sqrt", [c.apply("Add", [variance, c.scalar(eps, dtype)], dtype, statDims)], dtype, statDims)], [rstd]);
  let y = c.apply("Mul", [centered, rstd], dtype, v.dims);
  if (weight) y = c.apply("Mul", [y, weight.name], dtype, v.dims);
  if (bias) y = c.apply("Add", [y, bias.name], dtype, v.dims);
  c.node("Identity", [y], [out(c).name]);
};

const batchNormInference: Rule<BatchNormAttrs> = (c) => {
  const [v, mean, variance] = c.inputs as [EmitValue, EmitValue, EmitValue];
  const { weight, bias } = affineInputs(c, 3, c.attrs.hasWeight, c.attrs.hasBias);
  const channels = v.shape[1]!;
  const scale = weight?.name ?? c.constant(Array(channels).fill(1), mean.dtype, [channels]);
  const shift = bias?.name ?? c.constant(Array(channels).fill(0), mean.dtype, [channels]);
  c.node("BatchNormalization", [v.name, scale, shift, mean.name, variance.name], [out(c).name], [attr.float("epsilon", c.attrs.eps)]);
};

// Training mode: the batch's statistics over every dim but 1, written out (outputs y, mean, biased var).
const batchNormTraining: Rule<BatchNormAttrs> = (c) => {
  const v = x(c);
  const { weight, bias } = affineInputs(c, 1, c.attrs.hasWeight, c.attrs.hasBias);
  const rank = v.shape.length;
  const channels = v.shape[1]!;
  const axes = range(rank).filter((d) => d !== 1);
  const statDims = v.dims.map((d, i) => (i === 1 ? d : 1));
  const dtype = v.dtype;
  const mean = c.tmp("bn_mean", dtype, statDims);
  reduceNode(c, "ReduceMean", v.name, axes, true, mean);
  const centered = c.apply("Sub", [v.name, mean], dtype, v.dims);
  const variance = c.tmp("bn_var", dtype, statDims);
  reduceNode(c, "ReduceMean", c.apply("Mul", [centered, centered], dtype, v.dims), axes, true, variance);
  const std = c.apply("Sqrt", [c.apply("Add", [variance, c.scalar(c.attrs.eps, dtype)], dtype, statDims)], dtype, statDims);
  let y = c.apply("Div", [centered, std], dtype, v.dims);
  if (weight) y = c.apply("Mul", [y, perChannel(c, weight.name, dtype, channels, rank)], dtype, v.dims);
  if (bias) y = c.apply("Add", [y, perChannel(c, bias.name, dtype, channels, rank)], dtype, v.dims);
  c.node("Identity", [y], [out(c).name]);
  if (c.used(1)) c.node("Reshape", [mean, c.ints([channels])], [c.outputs[1]!.name]);
  if (c.used(2)) c.node("Reshape", [variance, c.ints([channels])], [c.outputs[2]!.name]);
};

export const GRADIENT = "a gradient op; export the forward computation (gradients are not part of an ONNX inference graph)";

export const nnRules = {
  sum: reduce("ReduceSum"),
  prod: reduce("ReduceProd"),
  amax: reduce("ReduceMax"),
  amin: reduce("ReduceMin"),
  argmax: argExtremum("ArgMax"),
  argmin: argExtremum("ArgMin"),
  cumsum,
  cumprod: unsupported("ONNX has no cumulative product (only a Loop could express it)"),
  softmax: simple("Softmax", softmaxAttrs),
  logSoftmax: simple("LogSoftmax", softmaxAttrs),
  sort,
  topk,
  matmul: simple("MatMul"),
  conv,
  convTranspose,
  layerNorm,
  layerNormBackward: unsupported(GRADIENT),
  batchNormTraining,
  batchNormInference,
};

const RESIZE_MODES = {
  nearest: { mode: "nearest", coordinates: "asymmetric", nearest: "floor" },
  "nearest-exact": { mode: "nearest", coordinates: "half_pixel", nearest: "round_prefer_ceil" },
  linear: { mode: "linear", coordinates: "pytorch_half_pixel", nearest: undefined },
  cubic: { mode: "cubic", coordinates: "pytorch_half_pixel", nearest: undefined },
} as const;

/**
 * Resize with PyTorch's source positions (see Note: upsample taps): the user's scales when
 * every dim has one (ONNX then divides by the same scale), else the output sizes.
 */
const upsample: Rule<UpsampleAttrs> = (c) => {
  const v = x(c);
  const { mode, alignCorners, outputSize, scales } = c.attrs;
  const form = RESIZE_MODES[mode];
  const coordinates = alignCorners && (mode === "linear" || mode === "cubic") ? "align_corners" : form.coordinates;
  const attrs = [attr.string("mode", form.mode), attr.string("coordinate_transformation_mode", coordinates)];
  if (form.nearest) attrs.push(attr.string("nearest_mode", form.nearest));
  if (mode === "cubic") attrs.push(attr.float("cubic_coeff_a", -0.75));
  if (scales.every((s) => s !== null)) {
    const all = c.constant([1, 1, ...(scales as number[])], "float32", [scales.length + 2]);
    return c.node("Resize", [v.name, "", all], [out(c).name], attrs);
  }
  if (c.opset >= 18) return c.node("Resize", [v.name, "", "", c.ints(outputSize)], [out(c).name], [...attrs, attr.ints("axes", range(outputSize.length).map((i) => i + 2))]);
  if (isStatic(v.dims[0]!) && isStatic(v.dims[1]!)) return c.node("Resize", [v.name, "", "", c.ints([v.shape[0]!, v.shape[1]!, ...outputSize])], [out(c).name], attrs);
  // Before Resize's axes (opset 18), dynamic [N, C] sizes come from the input's shape.
  const leading = c.apply("Slice", [c.apply("Shape", [v.name], "int64", [v.shape.length]), c.ints([0]), c.ints([2])], "int64", [2]);
  const sizes = c.apply("Concat", [leading, c.ints(outputSize)], "int64", [outputSize.length + 2], [attr.int("axis", 0)]);
  c.node("Resize", [v.name, "", "", sizes], [out(c).name], attrs);
};

export const resampleRules = {
  upsample,
  upsampleBackward: unsupported(GRADIENT),
};
