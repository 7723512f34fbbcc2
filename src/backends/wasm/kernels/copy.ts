/**
 * Copies within the heap: `clone` of a tensor of any dtype (one memory move when it is
 * contiguous, a strided walk otherwise), and the copy behind in-place ops.
 */
import { DTYPES } from "../../../core/dtype.ts";
import { shapesEqual } from "../../../core/shape.ts";
import type { Tensor } from "../../../core/tensor.ts";
import { heapView, addressOf, wasmBackend, type WasmHandle, type WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { allocOutput, GRAIN, planWalk, runWalk } from "./elementwise.ts";
import { splitUnits } from "./reduce.ts";

/**
 * Copies the strided view `src` (shape, strides, offset in elements of `from`) into `to`
 * densely from element `at`: an odometer over the outer dims and a tight inner loop.
 */
function gatherInto(from: ArrayLike<number> & { [i: number]: number }, shape: readonly number[], strides: readonly number[], offset: number, to: { [i: number]: number }, at: number): void {
  const ndim = shape.length;
  if (ndim === 0) {
    to[at] = from[offset]!;
    return;
  }
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const last = ndim - 1;
  const inner = shape[last]!;
  const step = strides[last]!;
  const index = new Array<number>(ndim).fill(0);
  let base = offset;
  let i = at;
  const end = at + total;
  for (;;) {
    for (let j = 0, o = base; j < inner; j++, o += step) to[i++] = from[o]!;
    if (i >= end) return;
    for (let d = last - 1; d >= 0; d--) {
      base += strides[d]!;
      if (++index[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}

/**
 * Copies the float32 view `src` densely to address `dst` with the assembly's strided walk
 * (copyF32), split across threads; false when its layout does not fold to four dims.
 */
function copyStridedF32(src: Tensor, dst: number): boolean {
  const operand = { ptr: addressOf(src), strides: src.strides };
  const walk = planWalk(src.shape, [operand]);
  if (!walk) return false;
  if (src.size === 0) return true;
  const [n0, n1, rows, cols] = walk.dims;
  const [s0, s1, si, sj] = walk.strides[0]!;
  if (si === 1 && sj !== 1 && rows >= 16 && cols >= 16) {
    // Transposed matrices (weight gradients): tiles, rows split between threads.
    const rt = wasmRuntime();
    for (let a = 0; a < n0; a++)
      for (let b = 0; b < n1; b++) {
        const x = operand.ptr + (a * s0 + b * s1) * 4;
        const out = dst + (a * n1 + b) * rows * cols * 4;
        const parts = splitUnits(Math.ceil(rows / 16), 16 * cols, GRAIN.cheap);
        rt.parallel(parts.map(([u0, u1]) => ({ fn: "transposeF32", args: [x, sj, cols, out, u0 * 16, Math.min(rows, u1 * 16)] })));
      }
    return true;
  }
  runWalk("copyF32", [operand.ptr, dst], walk, [], src.size, GRAIN.cheap);
  return true;
}

const clone: WasmKernel = (inputs: readonly Tensor[]) => {
  const x = inputs[0]!;
  if (x.storage.owner !== wasmBackend || x.dtype === "int64") return null;
  // Every element is written below: no need to zero the block.
  const { storage, ptr: dst } = allocOutput(x.dtype, x.size);
  if (x.isContiguous()) {
    const bytes = x.size * DTYPES[x.dtype].itemsize;
    const heap = new Uint8Array(wasmRuntime().heap.buffer);
    heap.copyWithin(dst, addressOf(x), addressOf(x) + bytes);
  } else if (x.dtype === "float32" && copyStridedF32(x, dst)) {
    // copied by the walk
  } else {
    const from = heapView(x.storage.handle as WasmHandle) as Float32Array;
    gatherInto(from, x.shape, x.strides, x.offset, heapView(storage.handle as WasmHandle) as Float32Array, 0);
  }
  return [storage];
};

/**
 * The copy of an in-place op: the result (same dtype, same shape) into dst's strided view.
 * Returns false when the js path must handle it (dtype conversion, broadcasting, int64).
 */
export function assignFast(dst: Tensor, src: Tensor): boolean {
  if (src.dtype !== dst.dtype || dst.dtype === "int64" || !shapesEqual(src.shape, dst.shape)) return false;
  if (src.storage.owner !== wasmBackend || dst.storage.owner !== wasmBackend) return false;
  if (dst.isContiguous() && src.isContiguous()) {
    const bytes = dst.size * DTYPES[dst.dtype].itemsize;
    const heap = new Uint8Array(wasmRuntime().heap.buffer);
    heap.copyWithin(addressOf(dst), addressOf(src), addressOf(src) + bytes);
    return true;
  }
  if (!dst.isContiguous()) return false;
  if (src.dtype === "float32" && copyStridedF32(src, addressOf(dst))) return true;
  gatherInto(heapView(src.storage.handle as WasmHandle) as Float32Array, src.shape, src.strides, src.offset, heapView(dst.storage.handle as WasmHandle) as Float32Array, dst.offset);
  return true;
}

export const copyKernels: Record<string, WasmKernel> = { clone };
