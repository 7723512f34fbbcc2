/**
 * Following dynamic dims through a trace (see Note: dynamic axes while tracing, in
 * trace.ts). Kernel ops: their shape inference is run again at the probe sizes. Views
 * carry their target sizes as attributes, so each has a rule here; `reshapeSpec` is also
 * what the exporter writes as Reshape's shape (0 copies an input dim, -1 is inferred).
 */
import { UnsupportedError } from "../core/errors.ts";
import { numel } from "../core/shape.ts";
import type { DType } from "../core/dtype.ts";
import type { OpDef } from "../ops/define-op.ts";
import type { Dim } from "./ir.ts";

/** What the rules read of a value. */
export interface DimsOf {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly dims: readonly Dim[];
  readonly probe: readonly number[];
  readonly wrappedNumber: boolean;
}

export interface ProbedShape {
  dims: Dim[];
  probe: number[];
}

const isStatic = (d: Dim): d is number => typeof d === "number";

/** True when every dim of the value is a known size. */
export function isStaticValue(v: Pick<DimsOf, "dims">): boolean {
  return v.dims.every(isStatic);
}

function dynamicError(op: string, why: string): UnsupportedError {
  return new UnsupportedError(`tracing ${op} with dynamic axes: ${why}; export with static sizes for this axis`);
}

/**
 * Reshape of `input` to `target` (the traced sizes) as ONNX Reshape's shape: a dynamic
 * input dim kept at the same position is 0 (copied), at most one other dim that absorbs
 * dynamic sizes is -1, the rest are the traced sizes.
 */
export function reshapeSpec(input: DimsOf, target: readonly number[]): { spec: number[]; out: ProbedShape } {
  const spec: number[] = [];
  const dims: Dim[] = [];
  const probe: number[] = [];
  target.forEach((n, i) => {
    const d = input.dims[i];
    if (i < input.dims.length && d !== undefined && !isStatic(d) && input.shape[i] === n) {
      spec.push(0);
      dims.push(d);
      probe.push(input.probe[i]!);
    } else {
      spec.push(n);
      dims.push(n);
      probe.push(n);
    }
  });
  const total = numel(input.probe);
  if (numel(probe) !== total) {
    const fit = spec.findIndex((s, i) => {
      if (s === 0) return false;
      const others = numel(probe.filter((_, j) => j !== i));
      return others > 0 && total % others === 0 && total / others !== target[i];
    });
    if (fit < 0) throw dynamicError("a reshape", `no single dim of [${target.join(", ")}] follows the dynamic sizes`);
    spec[fit] = -1;
    probe[fit] = total / numel(probe.filter((_, j) => j !== fit));
    dims[fit] = null;
  }
  return { spec, out: { dims, probe } };
}

interface SliceAttrs {
  dim: number;
  start: number;
  end: number;
  step: number;
}

function viewDims(name: string, x: DimsOf, attrs: unknown, outShape: readonly number[]): ProbedShape {
  switch (name) {
    case "view":
      return reshapeSpec(x, (attrs as { shape: readonly number[] }).shape).out;
    case "permute": {
      const order = (attrs as { dims: readonly number[] }).dims;
      return { dims: order.map((d) => x.dims[d]!), probe: order.map((d) => x.probe[d]!) };
    }
    case "expand": {
      const target = (attrs as { shape: readonly number[] }).shape;
      const lead = target.length - x.shape.length;
      const dims: Dim[] = [];
      const probe: number[] = [];
      target.forEach((n, i) => {
        const j = i - lead;
        if (j >= 0 && !isStatic(x.dims[j]!) && (n === -1 || n === x.shape[j])) {
          dims.push(x.dims[j]!);
          probe.push(x.probe[j]!);
        } else {
          dims.push(outShape[i]!);
          probe.push(outShape[i]!);
        }
      });
      return { dims, probe };
    }
    case "slice": {
      const { dim, start, end, step } = attrs as SliceAttrs;
      const dims = [...x.dims];
      const probe = [...x.probe];
      if (!isStatic(x.dims[dim]!)) {
        if (start === 0 && end === x.shape[dim] && step === 1) return { dims, probe };
        if (end === x.shape[dim]) {
          dims[dim] = null;
          probe[dim] = Math.max(0, Math.ceil((x.probe[dim]! - start) / step));
          return { dims, probe };
        }
      }
      dims[dim] = outShape[dim]!;
      probe[dim] = outShape[dim]!;
      return { dims, probe };
    }
    case "unfold": {
      const { dim, size, step } = attrs as { dim: number; size: number; step: number };
      if (x.shape.length === 0) return { dims: [size], probe: [size] };
      const dims: Dim[] = [...x.dims, size];
      const probe = [...x.probe, size];
      if (!isStatic(x.dims[dim]!)) {
        dims[dim] = null;
        probe[dim] = Math.floor((x.probe[dim]! - size) / step) + 1;
      }
      return { dims, probe };
    }
    default:
      throw dynamicError(name, "the view has no rule for dynamic dims");
  }
}

/** The dims of each output of `def` applied to `inputs` whose traced output shapes are `shapes`. */
export function outputDims(def: OpDef<unknown>, inputs: readonly DimsOf[], attrs: unknown, shapes: readonly (readonly number[])[]): ProbedShape[] {
  if (inputs.every(isStaticValue)) return shapes.map((s) => ({ dims: [...s], probe: [...s] }));
  if (def.kind === "view") return [viewDims(def.name, inputs[0]!, attrs, shapes[0]!)];
  let probed: readonly (readonly number[])[];
  try {
    probed = def.infer(
      inputs.map((v) => ({ shape: v.probe, dtype: v.dtype, wrappedNumber: v.wrappedNumber })),
      attrs,
    ).outputs.map((m) => m.shape);
  } catch (e) {
    throw dynamicError(def.name, `its inputs do not agree at another size of the dynamic dims (${(e as Error).message})`);
  }
  // Symbolic dims of the inputs by their (traced, probe) size pair.
  const symbols = new Map<string, Dim>();
  for (const v of inputs) v.dims.forEach((d, i) => !isStatic(d) && symbols.set(`${v.shape[i]}:${v.probe[i]}`, d));
  return shapes.map((shape, k) => {
    const p = probed[k]!;
    // A data-dependent size (-1) stays unknown.
    const dims: Dim[] = shape.map((n, i) => (p[i] === n ? n : (symbols.get(`${n}:${p[i]}`) ?? null)));
    return { dims, probe: shape.map((n, i) => (p[i] === -1 ? n : p[i]!)) };
  });
}
