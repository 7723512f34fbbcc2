/**
 * js kernels of the shape primitives. `flip`, `repeat` and `pad` are one loop,
 * `gatherByDim`, reading through a per-dim index map (see Note: index maps, in
 * src/ops/defs/shape.ts); `cat` copies blocks and `unbind` copies slices.
 */
import { numel, type Shape } from "../../../core/shape.ts";
import { forEachOffset } from "../../../core/strided.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import { padSourceIndex, type PadAttrs } from "../../../ops/defs/shape.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";
import { castScalar } from "./cast.ts";

type Writable = { [i: number]: number | bigint; length: number };

/**
 * out[o] = x[maps[0][o_0], ..., maps[n-1][o_n-1]] over `shape`, or `fill` where a map
 * gives -1. Each map lists, for every output coordinate along its dim, the input coordinate.
 */
function gatherByDim(x: JsView, shape: Shape, maps: readonly ArrayLike<number>[], fill: number | bigint, out: TensorMeta): ComputeArray {
  const n = numel(shape);
  const result = allocCompute(out.dtype, n) as unknown as Writable;
  const data = x.data as unknown as Writable;
  // Buffer offset contributed by each dim's coordinate; NaN marks a filled position.
  const parts = maps.map((m, d) => Float64Array.from(m, (i) => (i < 0 ? NaN : i * x.strides[d]!)));
  const ndim = shape.length;
  const coord = new Array<number>(ndim).fill(0);
  for (let i = 0; i < n; i++) {
    let o = x.offset;
    for (let d = 0; d < ndim; d++) o += parts[d]![coord[d]!]!;
    result[i] = Number.isNaN(o) ? fill : data[o]!;
    for (let d = ndim - 1; d >= 0; d--) {
      if (++coord[d]! < shape[d]!) break;
      coord[d] = 0;
    }
  }
  return result as unknown as ComputeArray;
}

const range = (n: number, f: (o: number) => number): Int32Array => Int32Array.from({ length: n }, (_, o) => f(o));

export const shapeKernels = {
  // Inputs arrive converted to the output dtype; each is copied as `outer` blocks of its
  // size along `dim` times the inner size, at its running position in the output.
  cat: (inputs: JsView[], { dim }: { dim: number }, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const shape = out!.shape;
    const result = allocCompute(out!.dtype, numel(shape)) as unknown as Writable;
    const inner = numel(shape.slice(dim + 1));
    const rowLength = shape[dim]! * inner;
    let start = 0;
    for (const x of inputs) {
      if (x.shape.length === 1 && x.shape[0] === 0) continue;
      const block = x.shape[dim]! * inner;
      const data = x.data as unknown as Writable;
      forEachOffset(x.shape, x.strides, x.offset, (o, i) => {
        result[Math.floor(i / block) * rowLength + start + (i % block)] = data[o]!;
      });
      start += block;
    }
    return [result as unknown as ComputeArray];
  },
  unbind: ([x]: JsView[], { dim }: { dim: number }, outs: readonly TensorMeta[]): ComputeArray[] => {
    const data = x!.data as unknown as Writable;
    const strides = x!.strides.filter((_, d) => d !== dim);
    return outs.map((out, i) => {
      const result = allocCompute(out.dtype, numel(out.shape)) as unknown as Writable;
      forEachOffset(out.shape, strides, x!.offset + i * x!.strides[dim]!, (o, j) => {
        result[j] = data[o]!;
      });
      return result as unknown as ComputeArray;
    });
  },
  flip: ([x]: JsView[], { dims }: { dims: readonly number[] }, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const maps = x!.shape.map((n, d) => range(n, (o) => (dims.includes(d) ? n - 1 - o : o)));
    return [gatherByDim(x!, x!.shape, maps, 0, out!)];
  },
  repeat: ([x]: JsView[], { repeats }: { repeats: readonly number[] }, [out]: readonly TensorMeta[]): ComputeArray[] => {
    // Read x as if it had leading size-1 dims, one per extra repeat.
    const lead = repeats.length - x!.shape.length;
    const shape = [...Array<number>(lead).fill(1), ...x!.shape];
    const padded: JsView = { ...x!, shape, strides: [...Array<number>(lead).fill(0), ...x!.strides] };
    const maps = out!.shape.map((n, d) => range(n, (o) => o % shape[d]!));
    return [gatherByDim(padded, out!.shape, maps, 0, out!)];
  },
  pad: ([x]: JsView[], { pads, mode, value }: PadAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const maps = out!.shape.map((n, d) => range(n, (o) => padSourceIndex(mode, x!.shape[d]!, pads[d]!, o)));
    return [gatherByDim(x!, out!.shape, maps, castScalar(value, "float64", out!.dtype), out!)];
  },
};
