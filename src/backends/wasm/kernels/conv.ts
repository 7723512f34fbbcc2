/**
 * conv and convTranspose on the wasm backend (assembly/conv.ts): float32 operands in the
 * heap whose spatial dims are contiguous (batch and channel axes may have any strides, so
 * the transposed views the weight gradient convolves run in place). One input channel per
 * group (and few output channels per group) runs the direct depthwise kernel; 3×3 stride-1
 * convolutions with enough channels run Winograd F(2x2, 3x3); the rest runs as an implicit
 * GEMM whose output columns (image, position) are split between the threads. A stride-1
 * transposed convolution runs as a convolution with negated dilation and padding and the
 * weight's channel axes swapped (see Note: implicit GEMM); a strided one as sgemm columns
 * and a gather (col2im). Large kernels over short output rows (the weight gradient's
 * shape) run one sgemm per input channel (assembly/conv-channels.ts). Other dtypes and
 * layouts run on the js kernels.
 */
import type { Storage } from "../../../core/storage.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { Inference } from "../../../ops/define-op.ts";
import type { ConvAttrs, ConvTransposeAttrs } from "../../../ops/defs/conv.ts";
import { addressOf, heapView, wasmBackend, type WasmHandle, type WasmKernel } from "../index.ts";
import { wasmRuntime } from "../runtime.ts";
import { allocOutput } from "./elementwise.ts";

/** Slots of the descriptor block (assembly/conv.ts's field constants, in order). */
interface ConvDescriptor {
  x: number; xBatch: number; xChannel: number; inSize: number[];
  w: number; wGroup: number; wOut: number; wIn: number; kernel: number[];
  bias: number; out: number; outSize: number[];
  stride: number[]; padBegin: number[]; dilation: number[];
  groups: number; cinPerGroup: number; coutPerGroup: number; batch: number; packed: number; kOffsets: number;
}

function slots(d: ConvDescriptor): number[] {
  return [
    d.x, d.xBatch, d.xChannel, ...d.inSize,
    d.w, d.wGroup, d.wOut, d.wIn, ...d.kernel,
    d.bias, d.out, ...d.outSize,
    ...d.stride, ...d.padBegin, ...d.dilation,
    d.groups, d.cinPerGroup, d.coutPerGroup, d.batch, d.packed, d.kOffsets,
  ];
}

/** A float32 tensor in the heap whose dims from 2 on are contiguous. */
function usable(t: Tensor): boolean {
  if (t.dtype !== "float32" || t.storage.owner !== wasmBackend) return false;
  let expected = 1;
  for (let i = t.ndim - 1; i >= 2; i--) {
    if (t.shape[i] !== 1 && t.strides[i] !== expected) return false;
    expected *= t.shape[i]!;
  }
  return true;
}

/** Pads a per-spatial-dim list to three dims with `fill` in front. */
const three = (list: readonly number[], fill: number) => [...new Array<number>(3 - list.length).fill(fill), ...list];

const FLOPS_PER_THREAD = 4e6;

/** Column (or row) ranges [c0, c1) for up to `threads` threads, cut at multiples of 8 (one B strip, two A strips). */
function columnRanges(columns: number, threads: number): [number, number][] {
  const step = Math.ceil(columns / threads / 8) * 8;
  const ranges: [number, number][] = [];
  for (let c = 0; c < columns; c += step) ranges.push([c, Math.min(columns, c + step)]);
  return ranges;
}

function run(inputs: readonly Tensor[], inference: Inference, attrs: ConvAttrs, transposed: boolean): Storage[] | null {
  const [x, w, bias] = inputs as [Tensor, Tensor, Tensor | undefined];
  const out = inference.outputs[0]!;
  if (out.dtype !== "float32" || !usable(x) || !usable(w) || (bias && (bias.dtype !== "float32" || bias.storage.owner !== wasmBackend || (bias.size > 1 && bias.strides[0] !== 1))))
    return null;
  if (transposed && attrs.stride.some((s) => s !== 1)) return stridedTranspose(x, w, bias, attrs as ConvTransposeAttrs, inference);
  const groups = attrs.groups;
  const cinPerGroup = x.shape[1]! / groups;
  const coutPerGroup = out.shape[1]! / groups;
  if (cinPerGroup === 0) return null;
  const rt = wasmRuntime();
  // Every path writes every output element: no need to zero the block.
  const { storage } = allocOutput("float32", out.shape.reduce((a, b) => a * b, 1));
  if (storage.length === 0) return [storage];
  const spatialOut = out.shape.slice(2);
  const descriptor: ConvDescriptor = {
    x: addressOf(x), xBatch: x.strides[0]!, xChannel: x.strides[1]!, inSize: three(x.shape.slice(2), 1),
    // conv weight [G·Co, Ci, K...]; convTranspose weight [G·Ci, Co, K...] (Note: conv taps).
    w: addressOf(w),
    wGroup: (transposed ? cinPerGroup : coutPerGroup) * w.strides[0]!,
    wOut: transposed ? w.strides[1]! : w.strides[0]!,
    wIn: transposed ? w.strides[0]! : w.strides[1]!,
    kernel: three(w.shape.slice(2), 1),
    bias: bias ? addressOf(bias) : 0,
    out: (storage.handle as WasmHandle).ptr,
    outSize: three(spatialOut, 1),
    // A stride-1 transposed convolution: output o reads input o + pb − k·d.
    stride: three(transposed ? spatialOut.map(() => 1) : attrs.stride, 1),
    padBegin: three(transposed ? attrs.padBegin.map((p) => -p) : attrs.padBegin, 0),
    dilation: three(transposed ? attrs.dilation.map((d) => -d) : attrs.dilation, 1),
    groups, cinPerGroup, coutPerGroup, batch: x.shape[0]!, packed: 0, kOffsets: 0,
  };
  const k = rt.kernels;
  const heap = rt.heap;
  const slotCount = Number(k.convDescriptorSlots!());
  const blocks: number[] = [];
  const descriptorBlock = (d: ConvDescriptor) => {
    const at = heap.alloc(slotCount * 4, false);
    blocks.push(at);
    new Int32Array(heap.buffer as ArrayBuffer, at, slotCount).set(slots(d));
    return at;
  };
  const planes = descriptor.batch * out.shape[1]!;
  const positions = spatialOut.reduce((a, b) => a * b, 1);
  const taps = descriptor.kernel.reduce((a, b) => a * b, 1);
  const flops = 2 * planes * positions * cinPerGroup * taps;
  const threads = Math.max(1, Math.min(rt.pool.threads, Math.floor(flops / FLOPS_PER_THREAD)));
  try {
    // One input channel and fewer output channels per group than a micro-kernel tile has
    // rows (depthwise): the direct kernel. More outputs (a first layer on one channel): GEMM.
    if (cinPerGroup === 1 && coutPerGroup < 4) {
      // A padded copy (with 16 floats of slack) leaves no edges to check tap by tap.
      const padded = padIfRead(descriptor, threads, descriptorBlock);
      if (padded !== 0) blocks.push(padded);
      descriptor.packed = padded === 0 ? 0 : 1;
      const desc = descriptorBlock(descriptor);
      const step = Math.ceil(planes / threads);
      const calls = [];
      for (let p = 0; p < planes; p += step) calls.push({ fn: "depthwiseConv", args: [desc, p, Math.min(planes, p + step)] });
      rt.parallel(calls);
      return [storage];
    }
    if (!transposed && groups === 1 && channelsApply(descriptor)) {
      channels(descriptor, threads, blocks, descriptorBlock);
      return [storage];
    }
    if (winogradApplies(descriptor) && finite(w)) {
      const done = winograd(descriptor, threads, storage, blocks, descriptorBlock);
      if (done) return done;
    }
    const padded = padIfRead(descriptor, threads, descriptorBlock);
    if (padded !== 0) blocks.push(padded);
    descriptor.kOffsets = tapOffsets(descriptor);
    blocks.push(descriptor.kOffsets);
    const sizing = descriptorBlock(descriptor);
    descriptor.packed = heap.alloc(Number(k.convPackedBytes!(sizing)), false);
    blocks.push(descriptor.packed);
    const desc = descriptorBlock(descriptor);
    const strips = Number(k.convWeightStrips!(desc));
    const packStep = Math.ceil(strips / threads);
    const packs = [];
    for (let st = 0; st < strips; st += packStep) packs.push({ fn: "convPackWeights", args: [desc, st, Math.min(strips, st + packStep)] });
    rt.parallel(packs);
    const columns = descriptor.batch * positions;
    const coutG = descriptor.coutPerGroup;
    // Few columns (a small output plane at batch 1) and many output channels: the threads
    // split the channels (each packs every column), else the columns.
    const byRows = threads > 1 && columns < 128 * threads && coutG >= 8 * threads;
    const ranges: [number, number, number, number][] = byRows
      ? columnRanges(coutG, threads).map(([r0, r1]) => [0, columns, r0, r1])
      : columnRanges(columns, Math.min(threads, Math.ceil(columns / 8))).map(([c0, c1]) => [c0, c1, 0, coutG]);
    const scratchBytes = Math.ceil(Number(k.convScratchBytes!()) / 64) * 64;
    const scratch = heap.alloc(scratchBytes * ranges.length, false);
    blocks.push(scratch);
    rt.parallel(ranges.map(([c0, c1, r0, r1], i) => ({ fn: "convGemm", args: [desc, c0, c1, scratch + i * scratchBytes, r0, r1] })));
    return [storage];
  } finally {
    for (const b of blocks) heap.free(b);
  }
}

/**
 * When the convolution reads outside its input (padding, or the taps of a transposed
 * convolution), copies the input into a zeroed buffer padded just enough, and points the
 * descriptor at it (Note: implicit GEMM: packing never checks bounds); returns the buffer,
 * or 0 when none was needed. Along each dim, output
 * o reads o·s − pb + k·d for k < K: from −pb + min(0, (K−1)·d) to (out−1)·s − pb + max(0, (K−1)·d).
 */
function padIfRead(d: ConvDescriptor, threads: number, descriptorBlock: (d: ConvDescriptor) => number): number {
  const low = d.inSize.map((_, i) => Math.max(0, d.padBegin[i]! - Math.min(0, (d.kernel[i]! - 1) * d.dilation[i]!)));
  const high = d.inSize.map((n, i) =>
    Math.max(0, (d.outSize[i]! - 1) * d.stride[i]! - d.padBegin[i]! + Math.max(0, (d.kernel[i]! - 1) * d.dilation[i]!) - (n - 1)),
  );
  if (low.every((p) => p === 0) && high.every((p) => p === 0)) return 0;
  const rt = wasmRuntime();
  const padded = d.inSize.map((n, i) => n + low[i]! + high[i]!);
  const plane = padded.reduce((a, b) => a * b, 1);
  const channels = d.groups * d.cinPerGroup;
  // convPadInput writes every element (and zeroes the slack the vector loads may touch).
  const buffer = rt.heap.alloc(d.batch * channels * plane * 4 + 64, false);
  // convPadInput reads the source through X and writes OUT, with sizes OUT_* and offsets P_*.
  const copy = descriptorBlock({ ...d, out: buffer, outSize: padded, padBegin: low });
  const planes = d.batch * channels;
  const step = Math.ceil(planes / threads);
  const calls = [];
  for (let p = 0; p < planes; p += step) calls.push({ fn: "convPadInput", args: [copy, p, Math.min(planes, p + step), 0] });
  rt.parallel(calls);
  Object.assign(d, { x: buffer, xBatch: channels * plane, xChannel: plane, inSize: padded, padBegin: d.padBegin.map((p, i) => p - low[i]!) });
  return buffer;
}

/** The element offset of each tap k = (ci, kd, kh, kw) from its column's first tap, in a new heap block. */
function tapOffsets(d: ConvDescriptor): number {
  const [kd, kh, kw] = d.kernel as [number, number, number];
  const [, inH, inW] = d.inSize as [number, number, number];
  const count = d.cinPerGroup * kd * kh * kw;
  const at = wasmRuntime().heap.alloc(count * 4, false);
  const offsets = new Int32Array(wasmRuntime().heap.buffer as ArrayBuffer, at, count);
  let i = 0;
  for (let ci = 0; ci < d.cinPerGroup; ci++)
    for (let a = 0; a < kd; a++)
      for (let b = 0; b < kh; b++)
        for (let c = 0; c < kw; c++) offsets[i++] = ci * d.xChannel + (a * d.dilation[0]! * inH + b * d.dilation[1]!) * inW + c * d.dilation[2]!;
  return at;
}

/**
 * Whether a convolution takes the per-input-channel sgemm of assembly/conv-channels.ts: a
 * large kernel over an output whose rows are shorter than a packing strip (8), where the
 * implicit GEMM would gather its columns value by value — the weight gradient's shape.
 */
function channelsApply(d: ConvDescriptor): boolean {
  const taps = d.kernel.reduce((a, b) => a * b, 1);
  return d.outSize[2]! < 8 && taps >= 64;
}

/** The per-input-channel sgemm (assembly/conv-channels.ts): input channels split between threads. */
function channels(d: ConvDescriptor, threads: number, blocks: number[], descriptorBlock: (d: ConvDescriptor) => number): void {
  const rt = wasmRuntime();
  const k = rt.kernels;
  const heap = rt.heap;
  const desc = descriptorBlock(d);
  const parts = Math.max(1, Math.min(threads, d.cinPerGroup));
  const gatherBytes = Number(k.convChannelsGatherBytes!(desc));
  const partialBytes = Math.ceil((d.coutPerGroup * d.batch * d.outSize.reduce((a, b) => a * b, 1) * 4) / 64) * 64;
  const scratchBytes = Math.ceil(Number(k.sgemmScratchBytes!()) / 64) * 64;
  const perThread = gatherBytes + partialBytes + scratchBytes;
  const area = heap.alloc(perThread * parts, false);
  blocks.push(area);
  const step = Math.ceil(d.cinPerGroup / parts);
  const calls = [];
  for (let c = 0, i = 0; c < d.cinPerGroup; c += step, i++) {
    const base = area + i * perThread;
    calls.push({ fn: "convChannels", args: [desc, c, Math.min(d.cinPerGroup, c + step), base + partialBytes, base, base + partialBytes + gatherBytes] });
  }
  rt.parallel(calls);
  // Partials sit perThread bytes apart, each at the start of its thread's area.
  k.convChannelsReduce!(desc, area, calls.length, perThread);
}

/**
 * Whether the Winograd F(2x2, 3x3) path takes a convolution: 2-d, one group, a 3×3 kernel
 * at stride 1 and dilation 1 (or −1: a stride-1 transposed convolution, whose taps are read
 * reversed), padding that keeps the patch inside the padded input, and enough channels for
 * the 16 products to outweigh the transforms.
 */
function winogradApplies(d: ConvDescriptor): boolean {
  const flat = d.kernel[0] === 1 && d.inSize[0] === 1 && d.outSize[0] === 1;
  const threeByThree = d.kernel[1] === 3 && d.kernel[2] === 3 && d.stride[1] === 1 && d.stride[2] === 1;
  const dilation = d.dilation[1] === d.dilation[2] && Math.abs(d.dilation[1]!) === 1;
  const pads = [1, 2].map((i) => (d.dilation[i] === -1 ? d.padBegin[i]! + 2 : d.padBegin[i]!));
  // Each block of tiles streams all 16 transformed weight matrices: with fewer tiles than
  // channels (a small plane at a small batch) the transform and that stream outweigh the
  // products saved, and the implicit GEMM is faster (ResNet-18's 7×7 and 14×14 layers at batch 1).
  const tiles = d.batch * Math.ceil(d.outSize[1]! / 2) * Math.ceil(d.outSize[2]! / 2);
  const enough = tiles >= Math.max(d.cinPerGroup, d.coutPerGroup);
  return flat && threeByThree && dilation && enough && d.groups === 1 && d.cinPerGroup >= 8 && d.coutPerGroup >= 8 && pads.every((p) => p >= 0 && p <= 2);
}

/**
 * The Winograd path (Note: Winograd F(2x2, 3x3) in assembly/conv.ts): the input copied into
 * a zeroed buffer covering every tile's 4×4 patch (plus one vector of slack for the
 * shuffled loads), the weights transformed and packed, then blocks of tiles per thread.
 * Null when the input holds an infinity (the caller then runs the implicit GEMM).
 */
function winograd(d: ConvDescriptor, threads: number, storage: Storage, blocks: number[], descriptorBlock: (d: ConvDescriptor) => number): Storage[] | null {
  const rt = wasmRuntime();
  const k = rt.kernels;
  const flip = d.dilation[1] === -1;
  // A flipped kernel reads o − P − k = o − (P + 2) + (2 − k): a convolution with padding P + 2.
  const pad = [0, flip ? d.padBegin[1]! + 2 : d.padBegin[1]!, flip ? d.padBegin[2]! + 2 : d.padBegin[2]!];
  const tilesH = Math.ceil(d.outSize[1]! / 2);
  const tilesW = Math.ceil(d.outSize[2]! / 2);
  const padded = [1, 2 * tilesH + 2, 2 * tilesW + 4];
  const channels = d.cinPerGroup;
  const plane = padded[1]! * padded[2]!;
  const buffer = rt.heap.alloc(d.batch * channels * plane * 4 + 64, false);
  blocks.push(buffer);
  const copy = descriptorBlock({ ...d, out: buffer, outSize: padded, padBegin: pad });
  const planes = d.batch * channels;
  const copyStep = Math.ceil(planes / threads);
  const copies = [];
  const infinities = rt.heap.alloc(4);
  blocks.push(infinities);
  for (let p = 0; p < planes; p += copyStep) copies.push({ fn: "convPadInput", args: [copy, p, Math.min(planes, p + copyStep), infinities] });
  rt.parallel(copies);
  // Infinities in the input: the implicit GEMM instead (Note: Winograd F(2x2, 3x3)).
  if (new Int32Array(rt.heap.buffer as ArrayBuffer, infinities, 1)[0] !== 0) return null;

  const block = Math.max(8, Math.min(64, Math.floor(4096 / Math.max(d.cinPerGroup, d.coutPerGroup) / 8) * 8));
  const wino = { ...d, x: buffer, xBatch: channels * plane, xChannel: plane, inSize: padded, padBegin: [0, 0, 0] };
  const slotCount = Number(k.winogradDescriptorSlots!());
  const desc = rt.heap.alloc(slotCount * 4, false);
  blocks.push(desc);
  const write = () =>
    new Int32Array(rt.heap.buffer as ArrayBuffer, desc, slotCount).set([...slots(wino), tilesH, tilesW, block, flip ? 1 : 0]);
  write();
  wino.packed = rt.heap.alloc(Number(k.winogradPackedBytes!(desc)), false);
  blocks.push(wino.packed);
  write();
  k.winogradPackWeights!(desc);
  const tiles = d.batch * tilesH * tilesW;
  const parts = Math.max(1, Math.min(threads, Math.ceil(tiles / block)));
  const step = Math.ceil(tiles / parts / 4) * 4;
  const scratchBytes = Math.ceil(Number(k.winogradScratchBytes!(desc)) / 64) * 64;
  const scratch = rt.heap.alloc(scratchBytes * parts, false);
  blocks.push(scratch);
  const calls = [];
  for (let t = 0, i = 0; t < tiles; t += step, i++) calls.push({ fn: "winogradConv", args: [desc, t, Math.min(tiles, t + step), scratch + i * scratchBytes] });
  rt.parallel(calls);
  return [storage];
}

/** Whether a float32 weight holds no ±inf (Note: Winograd F(2x2, 3x3)); weights are small, so JS reads them. */
function finite(w: Tensor): boolean {
  const data = heapView(w.storage.handle as WasmHandle) as Float32Array;
  const [s0, s1] = [w.strides[0]!, w.strides[1]!];
  const taps = w.shape.slice(2).reduce((a, b) => a * b, 1);
  for (let i = 0; i < w.shape[0]!; i++)
    for (let j = 0; j < w.shape[1]!; j++) {
      const at = w.offset + i * s0 + j * s1;
      for (let t = 0; t < taps; t++) if (Math.abs(data[at + t]!) === Infinity) return false;
    }
  return true;
}

/**
 * A transposed convolution with stride > 1 (see col2im in assembly/conv.ts): per image and
 * group, columns = Wᵀ·x by gemm.ts's sgemm (W's rows are input channels, read transposed;
 * its rows split between threads), then the gather into the output. The weight must be
 * contiguous past its first dim (so each input channel's row of (out channel, tap) is).
 */
function stridedTranspose(x: Tensor, w: Tensor, bias: Tensor | undefined, attrs: ConvTransposeAttrs, inference: Inference): Storage[] | null {
  const out = inference.outputs[0]!;
  const taps = w.shape.slice(2).reduce((a, b) => a * b, 1);
  const coutPerGroup = w.shape[1]!;
  if (w.strides[1] !== taps && coutPerGroup > 1) return null;
  const rt = wasmRuntime();
  const k = rt.kernels;
  const { storage } = allocOutput("float32", out.shape.reduce((a, b) => a * b, 1));
  if (storage.length === 0) return [storage];
  const batch = x.shape[0]!;
  const groups = attrs.groups;
  const cinPerGroup = x.shape[1]! / groups;
  const inSize = x.shape.slice(2);
  const positions = inSize.reduce((a, b) => a * b, 1);
  const rows = coutPerGroup * taps; // of one group's columns
  const blocks: number[] = [];
  const heap = rt.heap;
  try {
    const cols = heap.alloc(batch * groups * rows * positions * 4, false);
    blocks.push(cols);
    // columns[b, g] (rows × P) = W_gᵀ (rows × Ci/G) · x[b, g] (Ci/G × P), rows split between threads.
    const parts = Math.max(1, Math.min(rt.pool.threads, Math.floor((2 * rows * positions * cinPerGroup) / FLOPS_PER_THREAD), Math.ceil(rows / 4)));
    const scratchBytes = Math.ceil(Number(k.sgemmScratchBytes!()) / 64) * 64;
    const scratch = heap.alloc(scratchBytes * parts, false);
    blocks.push(scratch);
    const step = Math.ceil(rows / parts / 4) * 4;
    for (let b = 0; b < batch; b++) {
      for (let g = 0; g < groups; g++) {
        const a = addressOf(w) + g * cinPerGroup * w.strides[0]! * 4;
        const src = addressOf(x) + (b * x.strides[0]! + g * cinPerGroup * x.strides[1]!) * 4;
        const c = cols + (b * groups + g) * rows * positions * 4;
        const calls = [];
        for (let m = 0, i = 0; m < rows; m += step, i++) {
          // sgemm(transA, transB, m0, m1, n0, n1, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, activation, scratch)
          calls.push({ fn: "sgemm", args: [1, 0, m, Math.min(rows, m + step), 0, positions, cinPerGroup, 1, a, w.strides[0]!, src, x.strides[1]!, 0, c, positions, 0, 0, scratch + i * scratchBytes] });
        }
        rt.parallel(calls);
      }
    }
    // The gather tables (see col2im): per dim, per output position, the offsets of its pairs.
    const outSize = out.shape.slice(2);
    const kernel = w.shape.slice(2);
    const tables = outSize.map((n, i) => {
      const tapsAfter = kernel.slice(i + 1).reduce((a, b) => a * b, 1);
      const positionsAfter = inSize.slice(i + 1).reduce((a, b) => a * b, 1);
      const start: number[] = [];
      const offsets: number[] = [];
      for (let o = 0; o < n; o++) {
        start.push(offsets.length);
        for (let t = 0; t < kernel[i]!; t++) {
          const num = o + attrs.padBegin[i]! - t * attrs.dilation[i]!;
          if (num >= 0 && num % attrs.stride[i]! === 0 && num / attrs.stride[i]! < inSize[i]!)
            offsets.push(t * tapsAfter * positions + (num / attrs.stride[i]!) * positionsAfter);
        }
      }
      start.push(offsets.length);
      return { start, offsets };
    });
    while (tables.length < 3) tables.unshift({ start: [0, 1], offsets: [0] });
    const out3 = [...new Array<number>(3 - outSize.length).fill(1), ...outSize];
    const slotCount = Number(k.col2imDescriptorSlots!());
    const tableInts = tables.reduce((n, t) => n + t.start.length + t.offsets.length, 0);
    const desc = heap.alloc((slotCount + tableInts) * 4, false);
    blocks.push(desc);
    const ints = new Int32Array(heap.buffer as ArrayBuffer, desc, slotCount + tableInts);
    let at = slotCount;
    const where: number[] = [];
    for (const list of [...tables.map((t) => t.start), ...tables.map((t) => t.offsets)]) {
      where.push(desc + at * 4);
      ints.set(list, at);
      at += list.length;
    }
    ints.set([cols, taps * positions, out.shape[1]!, (storage.handle as WasmHandle).ptr, ...out3, bias ? addressOf(bias) : 0, ...where]);
    const planes = batch * out.shape[1]!;
    const threads = Math.max(1, Math.min(rt.pool.threads, Math.floor(storage.length * taps / 65536)));
    const planeStep = Math.ceil(planes / threads);
    const calls = [];
    for (let p = 0; p < planes; p += planeStep) calls.push({ fn: "col2im", args: [desc, p, Math.min(planes, p + planeStep)] });
    rt.parallel(calls);
    return [storage];
  } finally {
    for (const b of blocks) heap.free(b);
  }
}

export const convKernels: Record<string, WasmKernel> = {
  conv: (inputs, attrs, inference) => run(inputs, inference, attrs as ConvAttrs, false),
  convTranspose: (inputs, attrs, inference) => run(inputs, inference, attrs as ConvTransposeAttrs, true),
};
