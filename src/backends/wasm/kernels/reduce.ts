/**
 * Reductions of contiguous float32 tensors (assembly/reduce.ts): sum, amax/amin and
 * argmax/argmin over any dims that fold to [M, K, N] with K reduced (the kept dims before
 * and after the reduced ones each contiguous), by rows (N = 1) or by column strips.
 * mean, var and the other reductions written with these get them for free.
 */
import { numel, type Shape } from "../../../core/shape.ts";
import type { Storage } from "../../../core/storage.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { Inference } from "../../../ops/define-op.ts";
import type { ArgAttrs, ReduceAttrs } from "../../../ops/defs/reduce.ts";
import { wasmBackend, addressOf, type WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { allocOutput, GRAIN } from "./elementwise.ts";

/** A reduction's input seen as [m, k, n] with k reduced. */
export interface ReductionLayout {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** Consecutive dims of one kind (reduced or kept), merged. */
interface Group {
  reduced: boolean;
  size: number;
}

/**
 * How to read `x` reduced over `dims` as one buffer: the dims in memory order (a
 * transposed view reads its base in order), size-1 dims dropped and neighbours of the same
 * kind merged. Null unless some order of the dims is contiguous and keeps the kept dims in
 * their order (so the output, contiguous in the kept dims, matches).
 */
function groupsOf(x: Tensor, dims: readonly number[]): Group[] | null {
  const order = x.shape.map((_, i) => i).filter((i) => x.shape[i] !== 1);
  order.sort((a, b) => x.strides[b]! - x.strides[a]! || a - b);
  let expected = 1;
  for (let j = order.length - 1; j >= 0; j--) {
    if (x.strides[order[j]!] !== expected) return null;
    expected *= x.shape[order[j]!]!;
  }
  const kept = order.filter((i) => !dims.includes(i));
  if (kept.some((d, j) => j > 0 && d < kept[j - 1]!)) return null;
  const groups: Group[] = [];
  for (const i of order) {
    const reduced = dims.includes(i);
    const last = groups[groups.length - 1];
    if (last && last.reduced === reduced) last.size *= x.shape[i]!;
    else groups.push({ reduced, size: x.shape[i]! });
  }
  return groups;
}

/** The product of the sizes of `groups`. */
const sizeOf = (groups: readonly Group[]) => groups.reduce((n, g) => n * g.size, 1);

/**
 * [m, k, n] of the pass that reduces the last reduced group (k), and the groups left
 * after it (its neighbours, both kept, merged).
 */
function lastPass(groups: readonly Group[]): { layout: ReductionLayout; rest: Group[] } {
  const r = groups.map((g) => g.reduced).lastIndexOf(true);
  const layout = { m: sizeOf(groups.slice(0, r)), k: groups[r]!.size, n: sizeOf(groups.slice(r + 1)) };
  const rest = [...groups.slice(0, r), ...groups.slice(r + 1)];
  const merged: Group[] = [];
  for (const g of rest) {
    const last = merged[merged.length - 1];
    if (last && last.reduced === g.reduced) last.size *= g.size;
    else merged.push({ ...g });
  }
  return { layout, rest: merged };
}

/**
 * Folds a contiguous `shape` reduced over `dims` to one [m, k, n] pass, or null when that
 * takes more than one pass (softmax needs one line per output line).
 */
export function reductionLayout(shape: Shape, dims: readonly number[]): ReductionLayout | null {
  const groups: Group[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const reduced = dims.includes(i);
    const last = groups[groups.length - 1];
    if (last && last.reduced === reduced) last.size *= d;
    else groups.push({ reduced, size: d });
  });
  if (groups.filter((g) => g.reduced).length > 1) return null;
  if (!groups.some((g) => g.reduced)) return { m: sizeOf(groups), k: 1, n: 1 };
  return lastPass(groups).layout;
}

/** A float32 tensor in the heap: its address, else null. */
export function inHeapF32(x: Tensor): number | null {
  return x.dtype === "float32" && x.storage.owner === wasmBackend ? addressOf(x) : null;
}

/** A contiguous float32 tensor in the heap: its address, else null. */
export function denseF32(x: Tensor): number | null {
  return x.isContiguous() ? inHeapF32(x) : null;
}

/**
 * [start, end) ranges of `units` work units of `perUnit` elements each, one per thread,
 * each thread getting at least `grain` elements' worth.
 */
export function splitUnits(units: number, perUnit: number, grain: number): [number, number][] {
  const threads = Math.max(1, Math.min(wasmRuntime().pool.threads, units, Math.floor((units * perUnit) / grain)));
  const step = Math.ceil(units / threads);
  const ranges: [number, number][] = [];
  for (let s = 0; s < units; s += step) ranges.push([s, Math.min(units, s + step)]);
  return ranges;
}

/** Runs `fn(...head, start, end)` over work units split across threads. */
export function runUnits(fn: string, head: readonly number[], units: number, perUnit: number, grain: number): void {
  if (units === 0) return;
  wasmRuntime().parallel(splitUnits(units, perUnit, grain).map(([s, e]) => ({ fn, args: [...head, s, e] })));
}

/** A long single row is summed in chunks this long (a fixed size: results never depend on the thread count). */
const CHUNK = 16384;

/** The total of a long row: float64 partials per chunk, added here in order. */
function sumLongRow(x: number, k: number, out: number): void {
  const rt = wasmRuntime();
  const chunks = Math.ceil(k / CHUNK);
  const partials = rt.heap.alloc(chunks * 8, false);
  try {
    runUnits("sumChunksF32", [x, k, CHUNK, partials], chunks, CHUNK, GRAIN.reduction);
    const values = new Float64Array(rt.heap.buffer as ArrayBuffer, partials, chunks);
    let total = 0;
    for (let i = 0; i < chunks; i++) total += values[i]!;
    new Float32Array(rt.heap.buffer as ArrayBuffer, out, 1)[0] = total;
  } finally {
    rt.heap.free(partials);
  }
}

type Family = "sum" | "amax" | "amin" | "argmax" | "argmin";

/** Runs the rows or columns kernel of `family` for `layout` into the output at `out`. */
function reduceInto(family: Family, x: number, layout: ReductionLayout, out: number): void {
  const { m, k, n } = layout;
  if (n === 1) {
    if (family === "sum" && m === 1 && k >= 2 * CHUNK) return sumLongRow(x, k, out);
    runUnits(`${family}RowsF32`, [x, k, out], m, k, GRAIN.reduction);
  } else {
    // A unit is a strip of 16 columns (a cache line per row), see assembly/reduce.ts.
    runUnits(`${family}ColsF32`, [x, k, n, out], m * Math.ceil(n / 16), 16 * k, GRAIN.reduction);
  }
}

/**
 * Reduces `groups` of the buffer at x into `out`, one pass per reduced group from the last
 * (a sum over dims 0, 2 and 3 of NCHW data sums rows, then columns), through temporary
 * float32 blocks.
 */
function reduceGroups(family: Family, x: number, groups: Group[], out: number): void {
  // Nothing reduced (only size-1 dims are): a copy.
  if (!groups.some((g) => g.reduced)) return runUnits(`${family}RowsF32`, [x, 1, out], sizeOf(groups), 1, GRAIN.cheap);
  const heap = wasmRuntime().heap;
  let source = x;
  let temporary: number | null = null;
  for (;;) {
    const { layout, rest } = lastPass(groups);
    const done = !rest.some((g) => g.reduced);
    const target = done ? out : heap.alloc(4 * layout.m * layout.n, false);
    reduceInto(family, source, layout, target);
    if (temporary !== null) heap.free(temporary);
    if (done) return;
    source = temporary = target;
    groups = rest;
  }
}

function reduction(family: Family, dimsOf: (x: Tensor, attrs: unknown) => number[]): WasmKernel {
  return (inputs: readonly Tensor[], attrs: unknown, inference: Inference): Storage[] | null => {
    const x = inputs[0]!;
    const out = inference.outputs[0]!;
    const arg = family.startsWith("arg");
    const ptr = inHeapF32(x);
    if (ptr === null || out.dtype !== (arg ? "int64" : "float32")) return null;
    const size = numel(out.shape);
    // An empty input: sums are zeros (a fresh block is zeroed); the others have no
    // elements to return (an empty reduced dim is an error raised by inference).
    if (x.size === 0) return [allocOutput(out.dtype, size, true).storage];
    // argmax/argmin without a dim index the tensor in row-major order: memory order only
    // when contiguous. They take one pass (the index counts along the whole reduced extent).
    if (arg && (attrs as ArgAttrs).dim === null && !x.isContiguous()) return null;
    const groups = groupsOf(x, dimsOf(x, attrs));
    if (!groups || (arg && groups.filter((g) => g.reduced).length > 1)) return null;
    const result = allocOutput(out.dtype, size);
    reduceGroups(family, ptr, groups, result.ptr);
    return [result.storage];
  };
}
const reduceDims = (_x: Tensor, attrs: unknown) => [...(attrs as ReduceAttrs).dims];
const argDims = (x: Tensor, attrs: unknown) => {
  const { dim } = attrs as ArgAttrs;
  return dim === null ? x.shape.map((_, i) => i) : [dim];
};

export const reduceKernels: Record<string, WasmKernel> = {
  sum: reduction("sum", reduceDims),
  amax: reduction("amax", reduceDims),
  amin: reduction("amin", reduceDims),
  argmax: reduction("argmax", argDims),
  argmin: reduction("argmin", argDims),
};
