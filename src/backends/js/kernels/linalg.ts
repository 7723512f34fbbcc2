/**
 * js kernels of the linear-algebra primitives: batched matmul and the triangles tril/triu.
 *
 * Note: matmul loops. Each output row is accumulated as Σ_p a[i][p] · b[p][:] (i-k-j
 * order), so the innermost loop walks one row of b and one row of the accumulator with
 * stride 1; floats do four rows at a time, so each element of b loaded serves four. When b's
 * rows are not contiguous, floats switch to dot products along k if b's columns and a's rows
 * are contiguous (b transposed, as in x·Wᵀ), and otherwise b is packed into a dense copy
 * once per distinct batch matrix. Floats accumulate in float64 and round once when stored,
 * so float32 results are at least as accurate as PyTorch's float32 accumulation (they
 * differ by a few ulp; float16/bfloat16 arrive as float64 and likewise round once).
 * Integers wrap modulo their width like PyTorch's; since wrapping commutes with + and ·,
 * int8..int32 accumulate in int32 with Math.imul and int64 exactly in BigInt, both wrapped
 * when stored.
 */
import { broadcastStrides, numel, type Shape } from "../../../core/shape.ts";
import { offsetsOf } from "../../../core/strided.ts";
import type { TensorMeta } from "../../../ops/define-op.ts";
import type { TriangleAttrs } from "../../../ops/defs/linalg.ts";
import { allocCompute, type ComputeArray, type JsView } from "../compute.ts";

type FloatArray = Float32Array | Float64Array;
type IntArray = Int8Array | Uint8Array | Int16Array | Int32Array;
type Writable = { [i: number]: number | bigint };

/** One matrix of a batch: where it starts and how rows and columns step. */
interface Matrix<T> {
  readonly data: T;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** Buffer offsets of each batch matrix of `v` with its batch dims broadcast to `batch`. */
function batchOffsets(v: JsView, batch: Shape): Int32Array | Float64Array {
  const lead = v.shape.length - 2;
  const strides = broadcastStrides(v.shape.slice(0, lead), v.strides.slice(0, lead), batch);
  return offsetsOf(batch, strides, v.offset);
}

/** A dense row-major copy of a k×m matrix, in an array made by `make`. */
function pack<T extends Writable>(src: Matrix<T>, k: number, m: number, make: (n: number) => T): Matrix<T> {
  const out = make(k * m);
  for (let p = 0; p < k; p++) {
    let s = src.offset + p * src.rowStride;
    for (let j = 0; j < m; j++, s += src.colStride) out[p * m + j] = src.data[s]!;
  }
  return { data: out, offset: 0, rowStride: m, colStride: 1 };
}

/**
 * out[o .. o + n·m) = a · b for floats (see Note: matmul loops): with `byColumns`, dot
 * products along k (a's rows and b's columns contiguous), else i-k-j over b's contiguous rows.
 */
function gemmFloat(a: Matrix<FloatArray>, b: Matrix<FloatArray>, out: FloatArray, o: number, n: number, k: number, m: number, byColumns: boolean): void {
  if (byColumns) gemmByColumns(a, b, out, o, n, k, m);
  else gemmByRows(a, b, out, o, n, k, m);
}

/**
 * i-k-j, four output rows at a time: each element of b read from memory serves four rows,
 * which about halves the time of a one-row loop. The rows accumulate in float64.
 */
function gemmByRows(a: Matrix<FloatArray>, b: Matrix<FloatArray>, out: FloatArray, o: number, n: number, k: number, m: number): void {
  const ad = a.data;
  const bd = b.data;
  const { rowStride: ars, colStride: acs } = a;
  const acc = new Float64Array(4 * m);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    acc.fill(0);
    const a0 = a.offset + i * ars;
    for (let p = 0; p < k; p++) {
      const ap = a0 + p * acs;
      const x0 = ad[ap]!;
      const x1 = ad[ap + ars]!;
      const x2 = ad[ap + 2 * ars]!;
      const x3 = ad[ap + 3 * ars]!;
      const bp = b.offset + p * b.rowStride;
      for (let j = 0; j < m; j++) {
        const y = bd[bp + j]!;
        acc[j] += x0 * y;
        acc[m + j] += x1 * y;
        acc[2 * m + j] += x2 * y;
        acc[3 * m + j] += x3 * y;
      }
    }
    out.set(acc, o + i * m);
  }
  for (; i < n; i++) {
    acc.fill(0, 0, m);
    for (let p = 0; p < k; p++) {
      const x = ad[a.offset + i * ars + p * acs]!;
      const bp = b.offset + p * b.rowStride;
      for (let j = 0; j < m; j++) acc[j] += x * bd[bp + j]!;
    }
    out.set(acc.subarray(0, m), o + i * m);
  }
}

/** Dot products along k, four columns of b at a time (each element of a serves four). */
function gemmByColumns(a: Matrix<FloatArray>, b: Matrix<FloatArray>, out: FloatArray, o: number, n: number, k: number, m: number): void {
  const ad = a.data;
  const bd = b.data;
  const bcs = b.colStride;
  for (let i = 0; i < n; i++) {
    const ai = a.offset + i * a.rowStride;
    const row = o + i * m;
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const b0 = b.offset + j * bcs;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = ad[ai + p]!;
        s0 += x * bd[b0 + p]!;
        s1 += x * bd[b0 + bcs + p]!;
        s2 += x * bd[b0 + 2 * bcs + p]!;
        s3 += x * bd[b0 + 3 * bcs + p]!;
      }
      out[row + j] = s0;
      out[row + j + 1] = s1;
      out[row + j + 2] = s2;
      out[row + j + 3] = s3;
    }
    for (; j < m; j++) {
      const bj = b.offset + j * bcs;
      let s = 0;
      for (let p = 0; p < k; p++) s += ad[ai + p]! * bd[bj + p]!;
      out[row + j] = s;
    }
  }
}

/** out[o .. o + n·m) = a · b for int8..int32 (b's rows contiguous), wrapping like the dtype. */
function gemmInt(a: Matrix<IntArray>, b: Matrix<IntArray>, out: IntArray, o: number, n: number, k: number, m: number): void {
  const ad = a.data;
  const bd = b.data;
  const acc = new Int32Array(m);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    let ap = a.offset + i * a.rowStride;
    for (let p = 0; p < k; p++, ap += a.colStride) {
      const aip = ad[ap]!;
      const bp = b.offset + p * b.rowStride;
      // The sum of two int32 values is exact in a double; storing into Int32Array wraps it.
      for (let j = 0; j < m; j++) acc[j] += Math.imul(aip, bd[bp + j]!);
    }
    // Storing into the output's typed array wraps int32 to int8/uint8/int16.
    out.set(acc, o + i * m);
  }
}

/** out[o .. o + n·m) = a · b for int64 (b's rows contiguous), exact in BigInt, wrapped when stored. */
function gemmBigInt(a: Matrix<BigInt64Array>, b: Matrix<BigInt64Array>, out: BigInt64Array, o: number, n: number, k: number, m: number): void {
  const ad = a.data;
  const bd = b.data;
  const acc = new Array<bigint>(m);
  for (let i = 0; i < n; i++) {
    acc.fill(0n);
    let ap = a.offset + i * a.rowStride;
    for (let p = 0; p < k; p++, ap += a.colStride) {
      const aip = ad[ap]!;
      const bp = b.offset + p * b.rowStride;
      for (let j = 0; j < m; j++) acc[j] = acc[j]! + aip * bd[bp + j]!;
    }
    for (let j = 0; j < m; j++) out[o + i * m + j] = acc[j]!;
  }
}

function matmulKernel([a, b]: JsView[], _attrs: unknown, [out]: readonly TensorMeta[]): ComputeArray[] {
  const shape = out!.shape;
  const nd = shape.length;
  const [n, m] = [shape[nd - 2]!, shape[nd - 1]!];
  const k = a!.shape[a!.shape.length - 1]!;
  const batch = shape.slice(0, -2);
  const result = allocCompute(out!.dtype, numel(shape));
  const isFloat = result instanceof Float32Array || result instanceof Float64Array;
  const matrix = (v: JsView, offset: number): Matrix<ComputeArray> => ({
    data: v.data,
    offset,
    rowStride: v.strides[v.shape.length - 2]!,
    colStride: v.strides[v.shape.length - 1]!,
  });
  const aOffsets = batchOffsets(a!, batch);
  const bOffsets = batchOffsets(b!, batch);
  // The loops want b's rows contiguous, or for floats b's columns with a's rows contiguous;
  // anything else is packed, once per distinct matrix (a broadcast b is packed once).
  // (A stride along a dim of size 1 is never used, whatever it is.)
  const bRowsDense = m === 1 || b!.strides[b!.shape.length - 1] === 1;
  const byColumns = isFloat && !bRowsDense && (k === 1 || (b!.strides[b!.shape.length - 2] === 1 && a!.strides[a!.shape.length - 1] === 1));
  const needsPack = !bRowsDense && !byColumns;
  const makePacked = (len: number): ComputeArray =>
    result instanceof BigInt64Array ? new BigInt64Array(len) : isFloat ? new Float64Array(len) : new Int32Array(len);
  let packedAt = -1;
  let packed: Matrix<ComputeArray> | null = null;
  for (let bi = 0; bi < aOffsets.length; bi++) {
    const am = matrix(a!, aOffsets[bi]!);
    let bm = matrix(b!, bOffsets[bi]!);
    if (needsPack) {
      if (packed === null || packedAt !== bm.offset) {
        packed = pack(bm as Matrix<Writable>, k, m, makePacked as (len: number) => Writable) as Matrix<ComputeArray>;
        packedAt = bm.offset;
      }
      bm = packed;
    }
    const o = bi * n * m;
    if (result instanceof BigInt64Array) gemmBigInt(am as Matrix<BigInt64Array>, bm as Matrix<BigInt64Array>, result, o, n, k, m);
    else if (isFloat) gemmFloat(am as Matrix<FloatArray>, bm as Matrix<FloatArray>, result as FloatArray, o, n, k, m, byColumns);
    else gemmInt(am as Matrix<IntArray>, bm as Matrix<IntArray>, result as IntArray, o, n, k, m);
  }
  return [result];
}

/**
 * Copies the kept triangle of each matrix into a zeroed output: in row i, columns
 * [from(i), to(i)) are kept.
 */
function triangle(x: JsView, out: TensorMeta, from: (i: number) => number, to: (i: number, m: number) => number): ComputeArray {
  const shape = x.shape;
  const nd = shape.length;
  const [n, m] = [shape[nd - 2]!, shape[nd - 1]!];
  const [rs, cs] = [x.strides[nd - 2]!, x.strides[nd - 1]!];
  const bases = offsetsOf(shape.slice(0, -2), x.strides.slice(0, -2), x.offset);
  const result = allocCompute(out.dtype, numel(shape));
  const dst = result as unknown as Writable;
  const src = x.data as unknown as Writable;
  for (let bi = 0; bi < bases.length; bi++) {
    for (let i = 0; i < n; i++) {
      const row = bi * n * m + i * m;
      const start = Math.max(0, from(i));
      const end = Math.min(m, to(i, m));
      for (let j = start; j < end; j++) dst[row + j] = src[bases[bi]! + i * rs + j * cs]!;
    }
  }
  return result;
}

export const linalgKernels = {
  matmul: matmulKernel,
  // tril keeps column j of row i when j − i ≤ diagonal; triu when j − i ≥ diagonal.
  tril: ([x]: JsView[], { diagonal }: TriangleAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    triangle(x!, out!, () => 0, (i) => i + diagonal + 1),
  ],
  triu: ([x]: JsView[], { diagonal }: TriangleAttrs, [out]: readonly TensorMeta[]): ComputeArray[] => [
    triangle(x!, out!, (i) => i + diagonal, (_i, m) => m),
  ],
};
