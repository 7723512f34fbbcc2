/** Kernels that copy: cast, clone (contiguous), sliceScatter, and clamp's bounded copy. */
import { numel } from "../../../core/shape.ts";
import { forEachOffset } from "../../../core/strided.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { ClampAttrs } from "../../../ops/defs/clamp.ts";
import type { DType } from "../../../core/dtype.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";
import { castArray } from "./cast.ts";
import { map1 } from "./elementwise.ts";

/** A dense copy of a view, in its own compute form. */
export function dense(x: JsView): ComputeArray {
  const out = allocCompute(x.dtype, numel(x.shape));
  const src = x.data as Float64Array;
  forEachOffset(x.shape, x.strides, x.offset, (o, i) => {
    (out as Float64Array)[i] = src[o]!;
  });
  return out;
}

export const copyKernels = {
  clone: ([x]: JsView[]): ComputeArray[] => [dense(x!)],
  cast: ([x]: JsView[], { dtype }: { dtype: DType }): ComputeArray[] => [castArray(dense(x!), x!.dtype, dtype)],
  sliceScatter: ([base, src]: JsView[], { dim, start, step }: { dim: number; start: number; end: number; step: number }, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const result = dense(base!);
    const strides = out!.shape.map((_, i) => out!.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const targetStrides = strides.map((s, i) => (i === dim ? s * step : s));
    const offsets: number[] = [];
    forEachOffset(src!.shape, targetStrides, start * strides[dim]!, (o) => offsets.push(o));
    const values = src!.data as Float64Array;
    let k = 0;
    forEachOffset(src!.shape, src!.strides, src!.offset, (o) => {
      (result as Float64Array)[offsets[k++]!] = values[o]!;
    });
    return [result];
  },
  clamp: ([x]: JsView[], { min, max }: ClampAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => {
    const dtype = out!.dtype;
    const r = dtype === "float32" ? Math.fround : (v: number) => v;
    const lo = min === null ? null : r(min);
    const hi = max === null ? null : r(max);
    if (x!.data instanceof BigInt64Array) {
      const blo = lo === null ? null : BigInt(Math.ceil(lo));
      const bhi = hi === null ? null : BigInt(Math.floor(hi));
      return [
        map1(x!, dtype, (v) => {
          let y = v as bigint;
          if (blo !== null && y < blo) y = blo;
          if (bhi !== null && y > bhi) y = bhi;
          return y;
        }),
      ];
    }
    // min(max(x, lo), hi): nan stays nan; lo > hi gives hi.
    return [
      map1(x!, dtype, (v) => {
        let y = v as number;
        if (Number.isNaN(y)) return y;
        if (lo !== null && y < lo) y = lo;
        if (hi !== null && y > hi) y = hi;
        return y;
      }),
    ];
  },
};
