/**
 * Elementwise loops shared by unary, binary and ternary kernels. Inputs are read through
 * their strides broadcast to the output shape, so broadcast and non-contiguous operands
 * are never copied; contiguous same-shape operands take a plain indexed loop.
 */
import { broadcastStrides, isContiguous, numel, type Shape } from "../../../core/shape.ts";
import { forEachOffset, offsetsOf } from "../../../core/strided.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";
import type { DType } from "../../../core/dtype.ts";

type Value = number | bigint;
type Writable = { [i: number]: Value; length: number };

function isDenseFor(v: JsView, shape: Shape): boolean {
  return v.offset === 0 && v.shape.length === shape.length && v.shape.every((d, i) => d === shape[i]) && isContiguous(v.shape, v.strides) && v.data.length === numel(shape);
}

/** Buffer offsets of `v`'s elements read as broadcast to `shape`, in row-major order. */
function broadcastOffsets(v: JsView, shape: Shape): Int32Array | Float64Array {
  return offsetsOf(shape, broadcastStrides(v.shape, v.strides, shape), v.offset);
}

/** out[i] = f(x[i]) over `shape`, into a new array of `dtype`'s compute form. */
export function map1(x: JsView, dtype: DType, f: (a: Value) => Value): ComputeArray {
  const shape = x.shape;
  const n = numel(shape);
  const out = allocCompute(dtype, n) as unknown as Writable;
  const xs = x.data as unknown as Writable;
  if (isDenseFor(x, shape)) for (let i = 0; i < n; i++) out[i] = f(xs[i]!);
  else forEachOffset(shape, x.strides, x.offset, (o, i) => (out[i] = f(xs[o]!)));
  return out as unknown as ComputeArray;
}

/** out[i] = f(a[i], b[i]) with both broadcast to `shape`. */
export function map2(a: JsView, b: JsView, shape: Shape, dtype: DType, f: (x: Value, y: Value) => Value): ComputeArray {
  const n = numel(shape);
  const out = allocCompute(dtype, n) as unknown as Writable;
  const as = a.data as unknown as Writable;
  const bs = b.data as unknown as Writable;
  if (isDenseFor(a, shape) && isDenseFor(b, shape)) {
    for (let i = 0; i < n; i++) out[i] = f(as[i]!, bs[i]!);
  } else if (isDenseFor(a, shape) && numel(b.shape) === 1) {
    const y = bs[b.offset]!;
    for (let i = 0; i < n; i++) out[i] = f(as[i]!, y);
  } else if (shape.length > 0) {
    // Walk both operands by their broadcast strides: an odometer over the outer dims and a
    // tight loop over the last one, with no per-element offset tables.
    const sa = broadcastStrides(a.shape, a.strides, shape);
    const sb = broadcastStrides(b.shape, b.strides, shape);
    const last = shape.length - 1;
    const inner = shape[last]!;
    const da = sa[last]!;
    const db = sb[last]!;
    const index = new Array<number>(shape.length).fill(0);
    let oa = a.offset;
    let ob = b.offset;
    let i = 0;
    while (i < n) {
      for (let j = 0, pa = oa, pb = ob; j < inner; j++, pa += da, pb += db) out[i++] = f(as[pa]!, bs[pb]!);
      for (let d = last - 1; d >= 0; d--) {
        oa += sa[d]!;
        ob += sb[d]!;
        if (++index[d]! < shape[d]!) break;
        oa -= sa[d]! * shape[d]!;
        ob -= sb[d]! * shape[d]!;
        index[d] = 0;
      }
    }
  }
  return out as unknown as ComputeArray;
}

/** out[i] = f(a[i], b[i], c[i]) with all three broadcast to `shape`. */
export function map3(a: JsView, b: JsView, c: JsView, shape: Shape, dtype: DType, f: (x: Value, y: Value, z: Value) => Value): ComputeArray {
  const n = numel(shape);
  const out = allocCompute(dtype, n) as unknown as Writable;
  const [as, bs, cs] = [a.data, b.data, c.data] as unknown as Writable[];
  const [ao, bo, co] = [a, b, c].map((v) => broadcastOffsets(v, shape));
  for (let i = 0; i < n; i++) out[i] = f(as![ao![i]!]!, bs![bo![i]!]!, cs![co![i]!]!);
  return out as unknown as ComputeArray;
}
