/**
 * Casts and quantization: Cast and CastLike to and from every element type (the float8,
 * float4, 4- and 2-bit and unsigned types on the host), QuantizeLinear/DequantizeLinear
 * (per tensor, per axis, blocked), DynamicQuantizeLinear, MatMulInteger, ConvInteger,
 * QLinearMatMul and QLinearConv. Quantized arithmetic runs in float64, which holds every
 * int32 accumulation exactly.
 */
import { isDType, type DType } from "../../../core/dtype.ts";
import { Tensor } from "../../../core/tensor.ts";
import { elemTypeFromCode, type ElemType } from "../../../graph/elem-type.ts";
import { castValue, numbersOf, valueFromNumbers } from "../../../graph/host-values.ts";
import type { OpContext, OpImpl } from "../../../graph/interpreter.ts";
import { smallIntRange } from "../../../graph/small-floats.ts";
import { elemTypeOf, HostTensor, isTensorLike, type GraphValue } from "../../../graph/value.ts";
import { tensor } from "../../../ops/creation.ts";
import { clamp } from "../../../ops/defs/clamp.ts";
import { convOps } from "../../../ops/defs/conv.ts";
import { matmul } from "../../../ops/defs/linalg.ts";
import { amax, amin } from "../../../ops/defs/reduce.ts";
import { apply1 } from "../../../ops/apply.ts";
import { reshape, to } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { invalid, normAxis, unsupported, type Inputs } from "./util.ts";

function valueAt(inputs: Inputs, i: number, ctx: OpContext): Tensor | HostTensor {
  const v = inputs[i];
  if (!isTensorLike(v)) throw invalid(ctx, `input ${i} should be a tensor`);
  return v;
}

const optionalValue = (inputs: Inputs, i: number): Tensor | HostTensor | undefined => {
  const v = inputs[i];
  return isTensorLike(v) ? v : undefined;
};

/** Any tensor-like value as a float64 Tensor (decoding the host-only types). */
function asFloat64(v: Tensor | HostTensor): Tensor {
  return v instanceof Tensor ? to(v, "float64") : tensor(numbersOf(v), { shape: v.shape, dtype: "float64" });
}

function castTo(x: Tensor | HostTensor, target: ElemType, ctx: OpContext): GraphValue {
  const saturate = ctx.attrs.int("saturate", 1) === 1;
  const roundMode = ctx.attrs.string("round_mode", "up");
  if (x instanceof Tensor && isDType(target)) return to(x, target as DType);
  return castValue(x, target, { saturate, roundMode });
}

const cast: OpImpl = (inputs, ctx) => {
  const target = elemTypeFromCode(ctx.attrs.int("to", 0));
  if (!target) throw invalid(ctx, `unknown target type ${ctx.attrs.int("to", 0)}`);
  return [castTo(valueAt(inputs, 0, ctx), target, ctx)];
};

const castLike: OpImpl = (inputs, ctx) => [castTo(valueAt(inputs, 0, ctx), elemTypeOf(valueAt(inputs, 1, ctx)), ctx)];

/** Scale or zero point broadcast against x: scalar, 1-D along `axis`, or blocked along `axis`. */
function broadcastParam(p: Tensor, x: Tensor, axis: number, blockSize: number): Tensor {
  if (p.size === 1) return reshape(p, []);
  if (blockSize > 0) {
    const expanded = p.repeatInterleave(blockSize, axis).narrow(axis, 0, x.shape[axis]!);
    return expanded;
  }
  return reshape(p, x.shape.map((d, i) => (i === axis ? d : 1)));
}

/** The `axis` attribute of per-axis parameters (irrelevant, and unchecked, for a scalar scale on a low-rank x). */
function paramAxis(ctx: OpContext, x: Tensor): number {
  const axis = ctx.attrs.int("axis", 1);
  return x.ndim === 0 || (axis >= x.ndim && !ctx.attrs.has("axis")) ? 0 : normAxis(axis, x.ndim, ctx);
}

/** Round half to even, then saturate into the target type. */
function saturateInto(y: Tensor, target: ElemType, ctx: OpContext): GraphValue {
  const range = smallIntRange(target) ?? { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535], int32: [-2147483648, 2147483647] }[target as string];
  if (range) {
    const r = clamp(y.round(), range[0], range[1]);
    return isDType(target) ? to(r, target as DType) : valueFromNumbers(numbersOf(r), r.shape, target);
  }
  // Float targets (float8, float16, ...) take the value with the cast's saturation.
  return castValue(y, target, { saturate: ctx.attrs.int("saturate", 1) === 1 });
}

function quantizeLinear(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = asFloat64(valueAt(inputs, 0, ctx));
  const scaleValue = valueAt(inputs, 1, ctx);
  const zp = optionalValue(inputs, 2);
  const axis = paramAxis(ctx, x);
  const block = ctx.attrs.int("block_size", 0);
  const outCode = ctx.attrs.int("output_dtype", 0);
  const target: ElemType = zp ? elemTypeOf(zp) : outCode ? elemTypeFromCode(outCode) ?? "uint8" : "uint8";
  const scale = broadcastParam(asFloat64(scaleValue), x, axis, block);
  // The division happens in the scale's precision (float32 scales round x / scale to float32).
  let q = x.div(scale);
  if (elemTypeOf(scaleValue) === "float32") q = to(to(q, "float32"), "float64");
  if (smallIntRange(target) || ["int8", "uint8", "int16", "uint16", "int32"].includes(target)) q = q.round();
  if (zp) q = q.add(broadcastParam(asFloat64(zp), x, axis, block));
  return [saturateInto(q, target, ctx)];
}

function dequantizeLinear(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const xv = valueAt(inputs, 0, ctx);
  const x = asFloat64(xv);
  const scaleValue = valueAt(inputs, 1, ctx);
  const zp = optionalValue(inputs, 2);
  const axis = paramAxis(ctx, x);
  const block = ctx.attrs.int("block_size", 0);
  let y = x;
  if (zp) y = y.sub(broadcastParam(asFloat64(zp), x, axis, block));
  const scale = broadcastParam(asFloat64(scaleValue), x, axis, block);
  const outCode = ctx.attrs.int("output_dtype", 0);
  const target = outCode ? elemTypeFromCode(outCode)! : elemTypeOf(scaleValue);
  // ONNX's reference computes (x - zero_point) in float32, then multiplies in the scale's type.
  y = to(to(y, "float32"), "float64").mul(scale);
  if (!isDType(target)) throw unsupported(ctx, `output element type ${target}`);
  return [to(y, target as DType)];
}

function dynamicQuantizeLinear(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = asFloat64(valueAt(inputs, 0, ctx));
  const max = Math.max(0, Number(amax(x).item()));
  const min = Math.min(0, Number(amin(x).item()));
  const scale = Math.fround((max - min) / 255);
  const zp = Math.min(Math.max(roundEven(0 - min / scale), 0), 255);
  // x / scale in float32, as the reference computes it.
  const y = clamp(to(to(x, "float32").div(scale), "float64").round().add(zp), 0, 255);
  return [to(y, "uint8"), tensor([scale], { dtype: "float32" }).reshape([]), tensor([zp], { dtype: "uint8" }).reshape([])];
}

function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** x - zero_point in float64; a 1-D zero point applies along `axis` (rows of A, channels of W...). */
function centered(x: Tensor | HostTensor, zp: Tensor | HostTensor | undefined, axis: number): Tensor {
  const v = asFloat64(x);
  if (!zp) return v;
  const z = asFloat64(zp);
  if (z.size === 1) return v.sub(reshape(z, []));
  return v.sub(reshape(z, v.shape.map((d, i) => (i === axis ? d : 1))));
}

function matMulInteger(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const a = valueAt(inputs, 0, ctx);
  const b = valueAt(inputs, 1, ctx);
  const ca = centered(a, optionalValue(inputs, 2), a.shape.length - 2);
  const cb = centered(b, optionalValue(inputs, 3), b.shape.length - 1);
  return [to(matmul(ca, cb), "int32")];
}

function convAttrs(ctx: OpContext, x: Tensor, w: Tensor) {
  const nd = x.ndim - 2;
  const pads = ctx.attrs.ints("pads") ?? new Array<number>(2 * nd).fill(0);
  return {
    stride: ctx.attrs.ints("strides") ?? new Array<number>(nd).fill(1),
    padBegin: pads.slice(0, nd),
    padEnd: pads.slice(nd),
    dilation: ctx.attrs.ints("dilations") ?? new Array<number>(nd).fill(1),
    groups: ctx.attrs.int("group", 1),
    kernel: w.shape.slice(2),
  };
}

function convInteger(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = centered(valueAt(inputs, 0, ctx), optionalValue(inputs, 2), 1);
  const w = centered(valueAt(inputs, 1, ctx), optionalValue(inputs, 3), 0);
  const { kernel: _, ...attrs } = convAttrs(ctx, x, w);
  return [to(apply1(convOps.conv, [x, w], attrs), "int32")];
}

function qlinearMatMul(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const [a, as, az, b, bs, bz, ys, yz] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => valueAt(inputs, i, ctx));
  const acc = matmul(centered(a!, az, a!.shape.length - 2), centered(b!, bz, b!.shape.length - 1));
  const scale = asFloat64(as!).mul(asFloat64(bs!)).div(asFloat64(ys!));
  const y = acc.mul(reshape(scale, scale.size === 1 ? [] : [1, scale.size])).round().add(asFloat64(yz!));
  return [saturateInto(y, elemTypeOf(yz!), ctx)];
}

function qlinearConv(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const [x, xs, xz, w, ws, wz, ys, yz] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => valueAt(inputs, i, ctx));
  const bias = optionalValue(inputs, 8);
  const cx = centered(x!, xz, 1);
  const cw = centered(w!, wz, 0);
  const { kernel: _, ...attrs } = convAttrs(ctx, cx, cw);
  let acc = apply1(convOps.conv, [cx, cw], attrs);
  if (bias) acc = acc.add(reshape(asFloat64(bias), [bias.shape[0]!, ...acc.shape.slice(2).map(() => 1)]));
  const wScale = asFloat64(ws!);
  const scale = asFloat64(xs!).mul(wScale.size === 1 ? reshape(wScale, []) : reshape(wScale, [wScale.size, ...acc.shape.slice(2).map(() => 1)])).div(asFloat64(ys!));
  return [saturateInto(acc.mul(scale).round().add(asFloat64(yz!)), elemTypeOf(yz!), ctx)];
}

export const quantizeOps: OpFamily = {
  Cast: cast,
  CastLike: castLike,
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  DynamicQuantizeLinear: dynamicQuantizeLinear,
  MatMulInteger: matMulInteger,
  ConvInteger: convInteger,
  QLinearMatMul: qlinearMatMul,
  QLinearConv: qlinearConv,
};
