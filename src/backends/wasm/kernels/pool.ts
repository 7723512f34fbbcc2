/**
 * Pooling on the wasm backend (assembly/pool.ts): float32, spatial dims contiguous (batch
 * and channel axes may have any strides), split between threads by planes. The windows
 * come from the js kernels' tables (one definition of Note: pool windows), rewritten as
 * [first position, count] per output with the dim's step; gradients must be contiguous.
 * The kernels write every output element (the backward ones zero their planes before
 * scattering), so outputs are allocated without zeroing.
 */
import type { Storage } from "../../../core/storage.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { Inference } from "../../../ops/define-op.ts";
import type { AvgPoolAttrs, AvgPoolBackwardAttrs, MaxPoolAttrs, MaxPoolBackwardAttrs } from "../../../ops/defs/pool.ts";
import { adaptiveWindows, avgWindows, maxWindows, type Windows } from "../../js/kernels/pool.ts";
import { addressOf, wasmBackend, type WasmHandle, type WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { allocOutput } from "./elementwise.ts";

/** A float32 tensor in the heap whose dims from 2 on are contiguous (`dense`: all of it). */
function usable(t: Tensor, dense = false): boolean {
  if (t.storage.owner !== wasmBackend) return false;
  if (dense) return t.isContiguous();
  let expected = 1;
  for (let i = t.ndim - 1; i >= 2; i--) {
    if (t.shape[i] !== 1 && t.strides[i] !== expected) return false;
    expected *= t.shape[i]!;
  }
  return true;
}

const UNIT: Windows = { start: Int32Array.of(0, 1), pos: Int32Array.of(0), divisor: Float64Array.of(1) };

interface PoolCall {
  /** The pooled tensor's [N, C, ...] shape and spatial input sizes. */
  batch: number;
  channels: number;
  inSize: readonly number[];
  windows: readonly Windows[];
  steps: readonly number[];
  /** The tensor read (input, or gradient) and, when it is strided, its batch and channel strides. */
  read: Tensor;
  out: number;
  indices: number;
  divisorOverride: number | null;
}

/** Writes the descriptor and window tables of `call` into one heap block, runs `fn` by planes, frees the block. */
function runPool(fn: string, call: PoolCall): void {
  const rt = wasmRuntime();
  const pad = 3 - call.windows.length;
  const windows = [...new Array<Windows>(pad).fill(UNIT), ...call.windows];
  const steps = [...new Array<number>(pad).fill(1), ...call.steps];
  const inSize = [...new Array<number>(pad).fill(1), ...call.inSize];
  const outSize = windows.map((w) => w.divisor.length);
  const slots = Number(rt.kernels.poolDescriptorSlots!());
  // Layout: descriptor, then per dim an i32 [start, count] table and an f32 divisor table.
  const tableBytes = outSize.map((n) => n * 8 + n * 4);
  const block = rt.heap.alloc(slots * 4 + tableBytes.reduce((a, b) => a + b, 0), false);
  try {
    const buffer = rt.heap.buffer as ArrayBuffer;
    const fields = new Int32Array(buffer, block, slots);
    let at = block + slots * 4;
    const tables: number[] = [];
    const divisors: number[] = [];
    windows.forEach((w, d) => {
      const n = outSize[d]!;
      const table = new Int32Array(buffer, at, 2 * n);
      const share = new Float32Array(buffer, at + n * 8, n);
      for (let o = 0; o < n; o++) {
        const count = w.start[o + 1]! - w.start[o]!;
        table[2 * o] = count > 0 ? w.pos[w.start[o]!]! : 0;
        table[2 * o + 1] = count;
        share[o] = w.divisor[o]!;
      }
      tables.push(at);
      divisors.push(at + n * 8);
      at += tableBytes[d]!;
    });
    fields.set([
      addressOf(call.read), call.read.strides[0]!, call.read.strides[1]!, call.channels,
      ...inSize, ...outSize, call.out, call.indices, ...tables, ...steps, ...divisors, call.divisorOverride ?? 0,
    ]);
    const planes = call.batch * call.channels;
    const work = planes * Math.max(call.inSize.reduce((a, b) => a * b, 1), outSize.reduce((a, b) => a * b, 1));
    const threads = Math.max(1, Math.min(rt.pool.threads, planes, Math.floor(work / 65536)));
    const step = Math.ceil(planes / threads);
    const calls = [];
    for (let p = 0; p < planes; p += step) calls.push({ fn, args: [block, p, Math.min(planes, p + step)] });
    if (calls.length > 0) rt.parallel(calls);
  } finally {
    rt.heap.free(block);
  }
}

const spatial = (shape: readonly number[]) => shape.slice(2);
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const ptrOf = (s: Storage) => (s.handle as WasmHandle).ptr;

/** maxPool and adaptiveMaxPool: values and int64 indices. */
function maxKernel(windowsOf: (x: Tensor, out: readonly number[]) => { windows: Windows[]; steps: number[] }): WasmKernel {
  return (inputs, _attrs, inference) => {
    const x = inputs[0]!;
    if (x.dtype !== "float32" || !usable(x)) return null;
    const shape = inference.outputs[0]!.shape;
    const values = allocOutput("float32", count(shape)).storage;
    const indices = allocOutput("int64", count(shape)).storage;
    if (values.length > 0) {
      const { windows, steps } = windowsOf(x, spatial(shape));
      runPool("poolMax", { batch: x.shape[0]!, channels: x.shape[1]!, inSize: spatial(x.shape), windows, steps, read: x, out: ptrOf(values), indices: ptrOf(indices), divisorOverride: null });
    }
    return [values, indices];
  };
}

/** avgPool and adaptiveAvgPool. */
function meanKernel(windowsOf: (x: Tensor, out: readonly number[], attrs: unknown) => Windows[], override: (attrs: unknown) => number | null): WasmKernel {
  return (inputs, attrs, inference) => {
    const x = inputs[0]!;
    if (x.dtype !== "float32" || !usable(x)) return null;
    const shape = inference.outputs[0]!.shape;
    const result = allocOutput("float32", count(shape)).storage;
    if (result.length > 0) {
      const windows = windowsOf(x, spatial(shape), attrs);
      runPool("poolAvg", {
        batch: x.shape[0]!, channels: x.shape[1]!, inSize: spatial(x.shape), windows, steps: windows.map(() => 1),
        read: x, out: ptrOf(result), indices: 0, divisorOverride: override(attrs),
      });
    }
    return [result];
  };
}

/** avgPoolBackward and adaptiveAvgPoolBackward: g (contiguous) spread over the windows. */
function spreadKernel(windowsOf: (inSize: readonly number[], out: readonly number[], attrs: unknown) => Windows[], override: (attrs: unknown) => number | null): WasmKernel {
  return (inputs, attrs, inference: Inference) => {
    const g = inputs[0]!;
    if (g.dtype !== "float32" || !usable(g, true)) return null;
    const shape = inference.outputs[0]!.shape;
    // No gradient to spread (an empty output): the input gradient is zeros.
    if (g.size === 0) return [wasmBackend.alloc("float32", count(shape))];
    const result = allocOutput("float32", count(shape)).storage;
    {
      const inSize = spatial(shape);
      const windows = windowsOf(inSize, spatial(g.shape), attrs);
      runPool("poolAvgBackward", {
        batch: g.shape[0]!, channels: g.shape[1]!, inSize, windows, steps: windows.map(() => 1),
        read: g, out: ptrOf(result), indices: 0, divisorOverride: override(attrs),
      });
    }
    return [result];
  };
}

const maxPoolWindows = (attrs: MaxPoolAttrs) => (x: Tensor, out: readonly number[]) => ({
  windows: out.map((n, i) => maxWindows(n, x.shape[i + 2]!, attrs.kernelSize[i]!, attrs.stride[i]!, attrs.padBegin[i]!, attrs.dilation[i]!)),
  steps: [...attrs.dilation],
});

const avgWindowsOf = (inSize: readonly number[], out: readonly number[], attrs: unknown) => {
  const a = attrs as AvgPoolAttrs;
  return out.map((n, i) => avgWindows(n, inSize[i]!, a.kernelSize[i]!, a.stride[i]!, a.padBegin[i]!, a.padEnd[i]!, a.countIncludePad));
};

const adaptiveWindowsOf = (inSize: readonly number[], out: readonly number[]) => out.map((n, i) => adaptiveWindows(n, inSize[i]!));

export const poolKernels: Record<string, WasmKernel> = {
  maxPool: (inputs, attrs, inference) => maxKernel(maxPoolWindows(attrs as MaxPoolAttrs))(inputs, attrs, inference),
  adaptiveMaxPool: maxKernel((x, out) => ({ windows: adaptiveWindowsOf(spatial(x.shape), out), steps: out.map(() => 1) })),
  avgPool: meanKernel((x, out, attrs) => avgWindowsOf(spatial(x.shape), out, attrs), (attrs) => (attrs as AvgPoolAttrs).divisorOverride),
  adaptiveAvgPool: meanKernel((x, out) => adaptiveWindowsOf(spatial(x.shape), out), () => null),
  avgPoolBackward: spreadKernel(avgWindowsOf, (attrs) => (attrs as AvgPoolBackwardAttrs).divisorOverride),
  adaptiveAvgPoolBackward: spreadKernel((inSize, out) => adaptiveWindowsOf(inSize, out), () => null),
  maxPoolBackward: (inputs, attrs, inference) => {
    const [g, indices] = inputs as [Tensor, Tensor];
    if (g.dtype !== "float32" || !usable(g, true) || !usable(indices, true)) return null;
    const shape = inference.outputs[0]!.shape;
    if (g.size === 0) return [wasmBackend.alloc("float32", count(shape))];
    const result = allocOutput("float32", count(shape)).storage;
    {
      const inSize = (attrs as MaxPoolBackwardAttrs).inputSize;
      // Only the plane sizes matter: one window per output, read through the indices.
      const windows = spatial(g.shape).map((n) => adaptiveWindows(n, n));
      runPool("poolMaxBackward", {
        batch: g.shape[0]!, channels: g.shape[1]!, inSize, windows, steps: windows.map(() => 1),
        read: g, out: ptrOf(result), indices: addressOf(indices), divisorOverride: null,
      });
    }
    return [result];
  },
};

