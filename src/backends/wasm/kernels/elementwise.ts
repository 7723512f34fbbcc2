/**
 * What the elementwise kernels (unary.ts, binary.ts) share: reading operands as heap
 * addresses with strides broadcast to the output, folding the layout into the four dims
 * the assembly walks (see Note: strided walks, in assembly/elementwise.ts), and running
 * one kernel over the output split across the pool's threads.
 */
import { broadcastStrides, contiguousStrides, numel, type Shape } from "../../../core/shape.ts";
import { Storage } from "../../../core/storage.ts";
import type { Tensor } from "../../../core/tensor.ts";
import { DTYPES, type DType } from "../../../core/dtype.ts";
import { addressOf, wasmBackend, type WasmHandle } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { splitRange } from "./split.ts";

/** An operand as the assembly reads it: a byte address and element strides over the output. */
export interface Operand {
  readonly ptr: number;
  readonly strides: readonly number[];
}

/** Operands of one op call, and the heap blocks to free when it is done. */
export class Operands {
  readonly list: Operand[] = [];
  private readonly temporaries: number[] = [];

  /**
   * Adds `t` read as `dtype` (float32, or bool bytes for a condition) broadcast to `shape`:
   * in place when it lives in the heap in that dtype. A contiguous tensor of another real
   * dtype (a JS number such as the 2 in `x.mul(2)`, a bool mask in a gradient) is first
   * converted to float32 in a temporary block, exactly as the js kernels convert their
   * inputs (Math.fround of each value). Returns false for anything else.
   */
  add(t: Tensor, shape: Shape, dtype: "float32" | "bool"): boolean {
    if (t.storage.owner === wasmBackend && (t.dtype === dtype || (dtype === "bool" && t.dtype === "uint8"))) {
      this.list.push({ ptr: addressOf(t), strides: broadcastStrides(t.shape, t.strides, shape) });
      return true;
    }
    if (dtype !== "float32" || !t.isContiguous() || t.dtype === "float16" || t.dtype === "bfloat16") return false;
    const heap = wasmRuntime().heap;
    const ptr = heap.alloc(4 * t.size, false);
    this.temporaries.push(ptr);
    // Read the source after allocating: growing the heap may replace its buffer.
    const source = t.rawStorage().subarray(t.offset, t.offset + t.size);
    const target = new Float32Array(heap.buffer as ArrayBuffer, ptr, t.size);
    if (source instanceof BigInt64Array) for (let i = 0; i < source.length; i++) target[i] = Number(source[i]!);
    else target.set(source as Float64Array);
    this.list.push({ ptr, strides: broadcastStrides(t.shape, contiguousStrides(t.shape), shape) });
    return true;
  }

  release(): void {
    for (const ptr of this.temporaries) wasmRuntime().heap.free(ptr);
    this.temporaries.length = 0;
  }
}

/** The output's layout folded to four dims [n0, n1, n2, n3] and each operand's strides. */
export interface Walk {
  readonly dims: [number, number, number, number];
  readonly strides: [number, number, number, number][];
}

/**
 * Folds `shape` for the assembly walk: drops size-1 dims, merges neighbours that every
 * operand steps through contiguously (as PyTorch's TensorIterator coalesces dims), and pads
 * to four dims. Null when more than four dims remain (a layout too odd to be worth it).
 */
export function planWalk(shape: Shape, operands: readonly Operand[]): Walk | null {
  const dims: number[] = [];
  const strides: number[][] = operands.map(() => []);
  shape.forEach((d, i) => {
    if (d === 1) return;
    const last = dims.length - 1;
    const mergeable =
      last >= 0 && operands.every((op, j) => strides[j]![last] === op.strides[i]! * d);
    if (mergeable) {
      dims[last] = dims[last]! * d;
      operands.forEach((op, j) => (strides[j]![last] = op.strides[i]!));
    } else {
      dims.push(d);
      operands.forEach((op, j) => strides[j]!.push(op.strides[i]!));
    }
  });
  if (dims.length > 4) return null;
  while (dims.length < 4) {
    dims.unshift(1);
    strides.forEach((s) => s.unshift(0));
  }
  return { dims: dims as Walk["dims"], strides: strides as Walk["strides"] };
}

/**
 * A fresh heap storage for an op's output and its address; not zeroed unless asked (the
 * kernels write every element, and zeroing a reused 4 MB block costs more than adding two
 * such tensors).
 */
export function allocOutput(dtype: DType, n: number, zero = false): { storage: Storage; ptr: number } {
  const ptr = wasmRuntime().heap.alloc(n * DTYPES[dtype].itemsize, zero);
  const storage = new Storage(wasmBackend, { ptr, dtype, length: n } satisfies WasmHandle, dtype, n);
  return { storage, ptr };
}

/**
 * Elements per thread below which an op stays on one thread: waking a worker costs 10 µs
 * or more (much more when it has slept), about what a thread spends on this many
 * elements. Cheap ops (a load, one instruction, a store: memory-bound, ~1 ns per element)
 * need more elements to be worth it than transcendentals (~1.5 ns for exp); reductions,
 * which read at memory speed and write almost nothing, most (a second thread adds
 * bandwidth, not much more).
 */
export const GRAIN = { cheap: 65536, transcendental: 16384, reduction: 262144 } as const;

/**
 * Runs `fn(...before, n1, n2, n3, strides..., ...after, start, end)` over the `n` output
 * elements, split by `grain` across threads.
 */
export function runWalk(fn: string, before: readonly number[], walk: Walk, after: readonly number[], n: number, grain: number): void {
  const [, n1, n2, n3] = walk.dims;
  const head = [...before, n1, n2, n3, ...walk.strides.flat(), ...after];
  wasmRuntime().parallel(splitRange(n, grain).map(([s, e]) => ({ fn, args: [...head, s, e] })));
}

/**
 * The whole of an elementwise op: operands broadcast to `shape`, planned, the output
 * allocated and the kernel run. Null (js falls back) when an operand or the layout is not
 * one the assembly reads.
 */
export function elementwise(
  fn: string,
  inputs: readonly { tensor: Tensor; dtype: "float32" | "bool" }[],
  shape: Shape,
  outDtype: "float32" | "bool",
  grain: number,
  extra: readonly number[] = [],
): Storage[] | null {
  const operands = new Operands();
  try {
    for (const { tensor, dtype } of inputs) if (!operands.add(tensor, shape, dtype)) return null;
    const walk = planWalk(shape, operands.list);
    if (!walk) return null;
    const n = numel(shape);
    const out = allocOutput(outDtype, n);
    if (n > 0) runWalk(fn, [...operands.list.map((o) => o.ptr), out.ptr], walk, extra, n, grain);
    return [out.storage];
  } finally {
    operands.release();
  }
}
