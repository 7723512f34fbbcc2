/**
 * Control flow and containers: If, Loop, Scan (opset 8's batched form and 9+), the
 * sequence operators and Optional. Subgraphs run through the interpreter with the outer
 * values in scope.
 */
import { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import type { GraphValue } from "../../../graph/value.ts";
import { tensor } from "../../../ops/creation.ts";
import { split as splitSizes, stack } from "../../../ops/composite/shape.ts";
import { cat, flip } from "../../../ops/defs/shape.ts";
import { select, squeeze } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { intValues, invalid, movedim, normAxis, numberValues, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

function truthy(v: GraphValue | undefined, ctx: OpContext): boolean {
  if (!(v instanceof Tensor) || v.size !== 1) throw invalid(ctx, "condition must be a one-element tensor");
  return Boolean(Number(v.reshape([]).item()));
}

function ifOp(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const branch = ctx.attrs.graph(truthy(inputs[0], ctx) ? "then_branch" : "else_branch");
  if (!branch) throw invalid(ctx, "missing branch graph");
  return ctx.runSubgraph(branch, []);
}

/** Stacks per-iteration scan outputs along a new axis 0 (an empty [0] float tensor when there were none). */
function stackOutputs(list: GraphValue[], ctx: OpContext): GraphValue {
  if (list.length === 0) return tensor(new Float32Array(0));
  if (list.every((v) => v instanceof Tensor)) return stack(list as Tensor[], 0);
  throw invalid(ctx, "scan outputs must be tensors");
}

function loop(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const body = ctx.attrs.graph("body");
  if (!body) throw invalid(ctx, "missing body graph");
  const maxTrip = optionalTensorAt(inputs, 0, ctx, true);
  const condIn = optionalTensorAt(inputs, 1, ctx, true);
  const trips = maxTrip ? numberValues(maxTrip)[0]! : Infinity;
  let cond = condIn ? truthy(condIn, ctx) : true;
  let carried: GraphValue[] = inputs.slice(2).map((v) => v ?? null);
  const nCarried = carried.length;
  const scans: GraphValue[][] = [];
  let i = 0;
  for (; i < trips && cond; i++) {
    const out = ctx.runSubgraph(body, [tensor(BigInt64Array.of(BigInt(i))).reshape([]), tensor([cond]).reshape([]), ...carried]);
    cond = truthy(out[0], ctx);
    carried = out.slice(1, 1 + nCarried);
    out.slice(1 + nCarried).forEach((v, k) => (scans[k] ??= []).push(v));
  }
  const nScan = body.outputs.length - 1 - nCarried;
  return [...carried, ...Array.from({ length: nScan }, (_, k) => stackOutputs(scans[k] ?? [], ctx))];
}

/** Scan over `scanInputs` (already in [T, ...] order along their axes). */
function scanCore(ctx: OpContext, states: GraphValue[], scanInputs: Tensor[]): GraphValue[] {
  const body = ctx.attrs.graph("body")!;
  const m = scanInputs.length;
  const inAxes = ctx.attrs.ints("scan_input_axes") ?? new Array<number>(m).fill(0);
  const inDirs = ctx.attrs.ints("scan_input_directions") ?? new Array<number>(m).fill(0);
  const seqs = scanInputs.map((x, j) => {
    const axis = normAxis(inAxes[j]!, x.ndim, ctx);
    return inDirs[j] === 1 ? movedim(flip(x, axis), axis, 0) : movedim(x, axis, 0);
  });
  const steps = seqs.length ? seqs[0]!.shape[0]! : 0;
  const k = body.outputs.length - states.length;
  const outs: GraphValue[][] = Array.from({ length: k }, () => []);
  for (let t = 0; t < steps; t++) {
    const res = ctx.runSubgraph(body, [...states, ...seqs.map((s) => select(s, 0, t))]);
    states = res.slice(0, states.length);
    res.slice(states.length).forEach((v, j) => outs[j]!.push(v));
  }
  const outAxes = ctx.attrs.ints("scan_output_axes") ?? new Array<number>(k).fill(0);
  const outDirs = ctx.attrs.ints("scan_output_directions") ?? new Array<number>(k).fill(0);
  const scanned = outs.map((list, j) => {
    let y = stackOutputs(list, ctx) as Tensor;
    if (outDirs[j] === 1) y = flip(y, 0);
    const axis = normAxis(outAxes[j]!, y.ndim, ctx);
    return axis === 0 ? y : movedim(y, 0, axis);
  });
  return [...states, ...scanned];
}

function scan(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const m = ctx.attrs.int("num_scan_inputs", 0);
  if (ctx.opset >= 9) {
    const states = inputs.slice(0, inputs.length - m).map((v) => v ?? null);
    const scans = inputs.slice(inputs.length - m).map((_, j) => tensorAt(inputs, inputs.length - m + j, ctx));
    return scanCore(ctx, states, scans);
  }
  // Opset 8: input 0 is sequence_lens, and every input has a leading batch axis.
  if (inputs[0] !== undefined && inputs[0] !== null) throw invalid(ctx, "sequence_lens is not supported");
  const rest = inputs.slice(1).map((_, j) => tensorAt(inputs, j + 1, ctx));
  const nStates = rest.length - m;
  const batch = rest[0]!.shape[0]!;
  const perBatch: GraphValue[][] = [];
  for (let b = 0; b < batch; b++) {
    const slice = rest.map((t) => select(t, 0, b));
    const dirs = ctx.attrs.ints("directions");
    const scans = slice.slice(nStates).map((t, j) => (dirs?.[j] === 1 ? flip(t, 0) : t));
    perBatch.push(scanCore(ctx, slice.slice(0, nStates), scans));
  }
  return perBatch[0]!.map((_, j) => stack(perBatch.map((r) => r[j] as Tensor), 0));
}

function sequenceOf(v: GraphValue | undefined, ctx: OpContext): GraphValue[] {
  if (!Array.isArray(v)) throw invalid(ctx, "input 0 should be a sequence");
  return v;
}

function position(inputs: Inputs, i: number, length: number, ctx: OpContext, fallback: number, inclusiveEnd: boolean): number {
  const t = optionalTensorAt(inputs, i, ctx);
  const p = t ? intValues(t)[0]! : fallback;
  const norm = p < 0 ? p + length : p;
  if (norm < 0 || norm > length || (!inclusiveEnd && norm === length)) throw invalid(ctx, `position ${p} is out of range for a sequence of ${length}`);
  return norm;
}

function splitToSequence(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const axis = normAxis(ctx.attrs.int("axis", 0), x.ndim, ctx);
  const s = optionalTensorAt(inputs, 1, ctx);
  if (!s) {
    const parts = splitSizes(x, 1, axis);
    return [ctx.attrs.int("keepdims", 1) === 1 ? parts : parts.map((p) => squeeze(p, axis))];
  }
  const sizes = intValues(s);
  return [splitSizes(x, s.ndim === 0 ? sizes[0]! : sizes, axis)];
}

function concatFromSequence(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const seq = sequenceOf(inputs[0], ctx).map((_, i, all) => tensorAt(all, i, ctx));
  if (seq.length === 0) throw invalid(ctx, "cannot concatenate an empty sequence");
  const newAxis = ctx.attrs.int("new_axis", 0) === 1;
  const axis = normAxis(ctx.attrs.int("axis", 0), seq[0]!.ndim + (newAxis ? 1 : 0), ctx);
  return [newAxis ? stack(seq, axis) : cat(seq, axis)];
}

function sequenceMap(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const body = ctx.attrs.graph("body");
  if (!body) throw invalid(ctx, "missing body graph");
  const n = sequenceOf(inputs[0], ctx).length;
  const outs: GraphValue[][] = body.outputs.map(() => []);
  for (let i = 0; i < n; i++) {
    const args = inputs.map((v) => (Array.isArray(v) ? v[i] ?? null : v ?? null));
    ctx.runSubgraph(body, args).forEach((v, k) => outs[k]!.push(v));
  }
  return outs;
}

const int64Scalar = (n: number) => tensor(BigInt64Array.of(BigInt(n))).reshape([]);

export const controlOps: OpFamily = {
  If: ifOp,
  Loop: loop,
  Scan: scan,
  SequenceEmpty: () => [[]],
  SequenceConstruct: (inputs) => [inputs.map((v) => v ?? null)],
  SequenceLength: (inputs, ctx) => [int64Scalar(sequenceOf(inputs[0], ctx).length)],
  SequenceAt: (inputs, ctx) => {
    const seq = sequenceOf(inputs[0], ctx);
    return [seq[position(inputs, 1, seq.length, ctx, 0, false)]!];
  },
  SequenceInsert: (inputs, ctx) => {
    const seq = sequenceOf(inputs[0], ctx).slice();
    const value = inputs[1];
    if (value === undefined) throw invalid(ctx, "input 1 is required");
    seq.splice(position(inputs, 2, seq.length, ctx, seq.length, true), 0, value);
    return [seq];
  },
  SequenceErase: (inputs, ctx) => {
    const seq = sequenceOf(inputs[0], ctx).slice();
    seq.splice(position(inputs, 1, seq.length, ctx, seq.length - 1, false), 1);
    return [seq];
  },
  SplitToSequence: splitToSequence,
  ConcatFromSequence: concatFromSequence,
  SequenceMap: sequenceMap,
  Optional: (inputs) => [inputs[0] ?? null],
  OptionalHasElement: (inputs) => [tensor([inputs[0] !== undefined && inputs[0] !== null]).reshape([])],
  OptionalGetElement: (inputs, ctx) => {
    const v = inputs[0];
    if (v === undefined || v === null) throw invalid(ctx, "the optional is empty");
    return [v];
  },
};

