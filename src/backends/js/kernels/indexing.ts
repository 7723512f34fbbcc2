/**
 * js kernels of the indexing primitives. Every index is read as a number (int64 indices
 * as bigint, converted once), checked against its dim (see Note: index checks, in
 * src/ops/defs/indexing.ts) and only then used. Scatters write into a dense copy of x.
 *
 * Combining values (scatterReduce, indexAdd, indexPut with accumulate) follows the dtype:
 * int64 in BigInt wrapped to 64 bits, int32 with 32-bit wrap-around, narrower ints wrap
 * when stored, bool as logical or/and, float16/bfloat16 rounded after every step as
 * PyTorch's CPU loops do.
 */
import type { DType } from "../../../core/dtype.ts";
import { ValueError } from "../../../core/errors.ts";
import { broadcastShapes, broadcastStrides, contiguousStrides, numel, type Shape } from "../../../core/shape.ts";
import { forEachOffset, offsetsOf } from "../../../core/strided.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { IndexPutAttrs } from "../../../ops/defs/advanced-index.ts";
import type { DimAttrs, ScatterReduceAttrs, ScatterReduction } from "../../../ops/defs/indexing.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";
import { castScalar } from "./cast.ts";
import { dense } from "./copy.ts";

type Value = number | bigint;
type Writable = { [i: number]: Value; length: number };
type Combine = (acc: Value, v: Value) => Value;

/** A 0-d view read as 1-d of size 1, as PyTorch's gather/scatter do. */
function atLeast1d(v: JsView): JsView {
  return v.shape.length > 0 ? v : { ...v, shape: [1], strides: [0] };
}

/** The index values of a view in row-major order, as numbers. */
function indexValues(index: JsView): number[] {
  const out: number[] = [];
  const data = index.data as unknown as Writable;
  forEachOffset(index.shape, index.strides, index.offset, (o) => out.push(Number(data[o]!)));
  return out;
}

/** `i` checked against a dim of size `n` (negative counts from the end when `wrap`). */
function checked(op: string, i: number, n: number, dim: number, wrap = false): number {
  const j = wrap && i < 0 ? i + n : i;
  if (!(j >= 0 && j < n)) throw new ValueError(`${op}: index ${i} is out of bounds for dimension ${dim} with size ${n}`);
  return j;
}

/** Calls visit(i, coord) for each position of `shape` in row-major order (`coord` is reused). */
function forEachCoord(shape: Shape, visit: (i: number, coord: readonly number[]) => void): void {
  const n = numel(shape);
  const coord = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    visit(i, coord);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coord[d]! < shape[d]!) break;
      coord[d] = 0;
    }
  }
}

function roundingFor(dtype: DType): (v: number) => number {
  return dtype === "float16" || dtype === "bfloat16" ? (v) => castScalar(v, "float64", dtype) as number : (v) => v;
}

/** How `reduce` folds a value into an accumulator of `dtype`. */
function combiner(reduce: Exclude<ScatterReduction, "mean"> | "mean", dtype: DType): Combine {
  const round = roundingFor(dtype);
  if (dtype === "int64") {
    const big: Record<ScatterReduction, (a: bigint, b: bigint) => bigint> = {
      sum: (a, b) => BigInt.asIntN(64, a + b),
      mean: (a, b) => BigInt.asIntN(64, a + b),
      prod: (a, b) => BigInt.asIntN(64, a * b),
      amax: (a, b) => (a < b ? b : a),
      amin: (a, b) => (b < a ? b : a),
    };
    return big[reduce] as Combine;
  }
  const num: Record<ScatterReduction, (a: number, b: number) => number> = {
    sum: dtype === "bool" ? (a, b) => (a || b ? 1 : 0) : dtype === "int32" ? (a, b) => (a + b) | 0 : (a, b) => round(a + b),
    mean: (a, b) => round(a + b),
    prod: dtype === "bool" ? (a, b) => (a && b ? 1 : 0) : dtype === "int32" ? Math.imul : (a, b) => round(a * b),
    // NaN propagates, from either side (PyTorch's `_isnan(src) ? src : std::max(self, src)`).
    amax: (a, b) => (Number.isNaN(b) ? b : a < b ? b : a),
    amin: (a, b) => (Number.isNaN(b) ? b : b < a ? b : a),
  };
  return num[reduce] as Combine;
}

/** Floor division of an accumulated sum by a count, in the dtype's arithmetic. */
function divideMean(sum: Value, count: number, dtype: DType): Value {
  if (typeof sum === "bigint") {
    const c = BigInt(count);
    const q = sum / c;
    return q * c !== sum && sum < 0n ? q - 1n : q;
  }
  if (dtype === "float16" || dtype === "bfloat16" || dtype === "float32" || dtype === "float64") return roundingFor(dtype)(sum / count);
  return Math.floor(sum / count);
}

/**
 * The shared loop of gather and scatter: for each position of `index`, the offset in x
 * (through `xStrides`) of the element it addresses along `dim`, and its own row-major number.
 */
function forEachAddressed(
  op: string,
  index: JsView,
  dim: number,
  xShape: Shape,
  xStrides: readonly number[],
  xOffset: number,
  visit: (i: number, target: number, coord: readonly number[]) => void,
): void {
  const values = indexValues(index);
  forEachCoord(index.shape, (i, coord) => {
    const j = checked(op, values[i]!, xShape[dim]!, dim);
    let o = xOffset;
    for (let d = 0; d < coord.length; d++) o += (d === dim ? j : coord[d]!) * xStrides[d]!;
    visit(i, o, coord);
  });
}

function scatterInto(op: string, [x, index, src]: JsView[], dim: number, out: TensorMeta, reduce: ScatterReduction | null, includeSelf: boolean): ComputeArray {
  const self = atLeast1d(x!);
  const idx = atLeast1d(index!);
  const source = atLeast1d(src!);
  const result = dense(self) as unknown as Writable;
  const data = source.data as unknown as Writable;
  const strides = contiguousStrides(self.shape);
  const srcAt = (coord: readonly number[]) => {
    let o = source.offset;
    for (let d = 0; d < coord.length; d++) o += coord[d]! * source.strides[d]!;
    return data[o]!;
  };
  if (reduce === null) {
    forEachAddressed(op, idx, dim, self.shape, strides, 0, (_, target, coord) => {
      result[target] = srcAt(coord);
    });
    return result as unknown as ComputeArray;
  }
  const combine = combiner(reduce, out.dtype);
  const counts = new Float64Array(result.length).fill(includeSelf ? 1 : 0);
  const touched = new Uint8Array(result.length);
  forEachAddressed(op, idx, dim, self.shape, strides, 0, (_, target, coord) => {
    const v = srcAt(coord);
    result[target] = includeSelf || touched[target] ? combine(result[target]!, v) : v;
    touched[target] = 1;
    counts[target]!++;
  });
  if (reduce === "mean")
    for (let t = 0; t < result.length; t++) if (touched[t]) result[t] = divideMean(result[t]!, counts[t]!, out.dtype);
  return result as unknown as ComputeArray;
}

/** The offsets of each index tensor's elements, broadcast to `shape`, with values checked. */
function advancedBases(op: string, x: JsView, xStrides: readonly number[], indices: readonly JsView[]): { broadcast: number[]; bases: Float64Array } {
  const broadcast = broadcastShapes(...indices.map((t) => t.shape));
  const bases = new Float64Array(numel(broadcast));
  indices.forEach((t, j) => {
    const data = t.data as unknown as Writable;
    const offsets = offsetsOf(broadcast, broadcastStrides(t.shape, t.strides, broadcast), t.offset);
    for (let b = 0; b < offsets.length; b++) bases[b]! += checked(op, Number(data[offsets[b]!]!), x.shape[j]!, j, true) * xStrides[j]!;
  });
  return { broadcast, bases };
}

export const indexingKernels = {
  gather: ([x, index]: JsView[], { dim }: DimAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const self = atLeast1d(x!);
    const result = allocCompute(out!.dtype, numel(out!.shape)) as unknown as Writable;
    const data = self.data as unknown as Writable;
    forEachAddressed("gather", atLeast1d(index!), dim, self.shape, self.strides, self.offset, (i, o) => {
      result[i] = data[o]!;
    });
    return [result as unknown as ComputeArray];
  },
  scatter: (inputs: JsView[], { dim }: DimAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    scatterInto("scatter", inputs, dim, out!, null, true),
  ],
  scatterReduce: (inputs: JsView[], { dim, reduce, includeSelf }: ScatterReduceAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    scatterInto("scatter_reduce", inputs, dim, out!, reduce, includeSelf),
  ],
  indexSelect: ([x, index]: JsView[], { dim }: DimAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const self = atLeast1d(x!);
    const rows = indexValues(index!).map((i) => checked("index_select", i, self.shape[dim]!, dim));
    const shape = self.shape.map((n, d) => (d === dim ? rows.length : n));
    const result = allocCompute(out!.dtype, numel(shape)) as unknown as Writable;
    const data = self.data as unknown as Writable;
    forEachCoord(shape, (i, coord) => {
      let o = self.offset;
      for (let d = 0; d < coord.length; d++) o += (d === dim ? rows[coord[d]!]! : coord[d]!) * self.strides[d]!;
      result[i] = data[o]!;
    });
    return [result as unknown as ComputeArray];
  },
  indexAdd: ([x, index, source]: JsView[], { dim }: DimAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const self = atLeast1d(x!);
    const rows = indexValues(index!).map((i) => checked("index_add", i, self.shape[dim]!, dim));
    const result = dense(self) as unknown as Writable;
    const strides = contiguousStrides(self.shape);
    const combine = combiner("sum", out!.dtype);
    const src = source!.shape.length === 0 ? { ...source!, shape: [1], strides: [0] } : source!;
    const data = src.data as unknown as Writable;
    forEachCoord(src.shape, (_, coord) => {
      let target = 0;
      let o = src.offset;
      for (let d = 0; d < coord.length; d++) {
        target += (d === dim ? rows[coord[d]!]! : coord[d]!) * strides[d]!;
        o += coord[d]! * src.strides[d]!;
      }
      result[target] = combine(result[target]!, data[o]!);
    });
    return [result as unknown as ComputeArray];
  },
  advancedIndex: ([x, ...indices]: JsView[], _attrs: Record<string, never>, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const { bases } = advancedBases("index", x!, x!.strides, indices);
    const k = indices.length;
    const rest = offsetsOf(x!.shape.slice(k), x!.strides.slice(k), 0);
    const result = allocCompute(out!.dtype, numel(out!.shape)) as unknown as Writable;
    const data = x!.data as unknown as Writable;
    let i = 0;
    for (let b = 0; b < bases.length; b++) for (let r = 0; r < rest.length; r++) result[i++] = data[x!.offset + bases[b]! + rest[r]!]!;
    return [result as unknown as ComputeArray];
  },
  indexPut: ([x, values, ...indices]: JsView[], { accumulate }: IndexPutAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const result = dense(x!) as unknown as Writable;
    const strides = contiguousStrides(x!.shape);
    const { broadcast, bases } = advancedBases("index_put", x!, strides, indices);
    const restSize = numel(x!.shape.slice(indices.length));
    const target = [...broadcast, ...x!.shape.slice(indices.length)];
    const valueOffsets = offsetsOf(target, broadcastStrides(values!.shape, values!.strides, target), values!.offset);
    const data = values!.data as unknown as Writable;
    const combine = combiner("sum", out!.dtype);
    let i = 0;
    for (let b = 0; b < bases.length; b++) {
      for (let r = 0; r < restSize; r++, i++) {
        const t = bases[b]! + r;
        const v = data[valueOffsets[i]!]!;
        result[t] = accumulate ? combine(result[t]!, v) : v;
      }
    }
    return [result as unknown as ComputeArray];
  },
  nonzero: ([x]: JsView[]): ComputeArray[] => {
    const coords: bigint[] = [];
    const data = x!.data as unknown as Writable;
    const offsets = offsetsOf(x!.shape, x!.strides, x!.offset);
    forEachCoord(x!.shape, (i, coord) => {
      const v = data[offsets[i]!]!;
      if (v !== 0 && v !== 0n) for (const c of coord) coords.push(BigInt(c));
    });
    return [BigInt64Array.from(coords)];
  },
};
