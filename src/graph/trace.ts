/**
 * Tracing: running an eager call once while recording every op record `apply` runs, with
 * its inputs, attributes and outputs. The result is a flat list of ops over numbered
 * values, which the ONNX exporter turns into a graph (src/formats/onnx/export/).
 *
 * Values come from four places: the call's inputs; named tensors (a module's parameters
 * and buffers, by state-dict key); tensors the call uses that no traced op made (numbers
 * wrapped into 0-d tensors, tensors built with `zeros`/`tensor`, ...), which become
 * constants holding the values they had when first used; and op outputs.
 *
 * Note: dynamic axes while tracing. An input axis named as dynamic gets a symbolic dim.
 * Each op's output dims are found by running its shape inference a second time with every
 * dynamic dim set to a different "probe" size (see trace-dims.ts): an output size that
 * moves with the probe is symbolic, one that does not is static. A size that depends on
 * a dynamic dim in a way inference cannot follow makes tracing fail with a clear error
 * rather than export a model that silently only works for the traced size.
 */
import { UnsupportedError, ValueError } from "../core/errors.ts";
import type { DType } from "../core/dtype.ts";
import { Tensor } from "../core/tensor.ts";
import { noGrad } from "../autograd/grad-mode.ts";
import type { OpDef } from "../ops/define-op.ts";
import { setOpObserver } from "../ops/trace-hook.ts";
import type { Dim } from "./ir.ts";
import { outputDims, type ProbedShape } from "./trace-dims.ts";

/** One value of a trace. */
export interface TracedValue {
  readonly id: number;
  readonly dtype: DType;
  /** The traced sizes. */
  readonly shape: readonly number[];
  /** Sizes with dynamic dims as names (or null when derived from one in a way not named). */
  readonly dims: readonly Dim[];
  /** The sizes shape inference saw with dynamic dims at their probe sizes. */
  readonly probe: readonly number[];
  readonly source: ValueSource;
  /** A 0-d tensor made from a JS number (it ranks below tensors in type promotion). */
  readonly wrappedNumber: boolean;
}

export type ValueSource =
  | { kind: "input"; index: number }
  | { kind: "named"; name: string; tensor: Tensor }
  /** A tensor no traced op made; `tensor` is a copy taken when it was first used. */
  | { kind: "constant"; tensor: Tensor }
  | { kind: "op"; op: number; index: number };

export interface TracedOp {
  readonly def: OpDef<unknown>;
  readonly attrs: unknown;
  readonly inputs: readonly TracedValue[];
  readonly outputs: readonly TracedValue[];
}

export interface Trace {
  readonly inputs: readonly TracedValue[];
  readonly outputs: readonly TracedValue[];
  readonly ops: readonly TracedOp[];
  /** Every value, by id. */
  readonly values: readonly TracedValue[];
}

export interface TraceOptions {
  /** Tensors to name (parameters and buffers by their state-dict keys). */
  named?: ReadonlyMap<Tensor, string>;
  /** For input i, axis -> symbolic dim name. */
  dynamicAxes?: readonly (Readonly<Record<number, string>> | undefined)[];
}

/** What a traced call may return: tensors, nested in arrays. */
export type TracedResult = Tensor | readonly TracedResult[];

function flattenResult(result: unknown, out: Tensor[]): Tensor[] {
  if (result instanceof Tensor) out.push(result);
  else if (Array.isArray(result)) for (const r of result) flattenResult(r, out);
  else throw new ValueError(`a traced call must return tensors or (nested) arrays of tensors, got ${result === null ? "null" : typeof result}`);
  return out;
}

/** Size given to a dynamic dim during the probe inference (anything but the traced size). */
function probeSize(size: number): number {
  return size + 7;
}

class Tracer {
  readonly values: TracedValue[] = [];
  readonly ops: TracedOp[] = [];
  private readonly byTensor = new Map<Tensor, TracedValue>();
  /** Tensors whose values an in-place write replaced while other tensors still view them. */
  private readonly stale = new Set<Tensor>();

  constructor(private readonly named: ReadonlyMap<Tensor, string>) {}

  add(dtype: DType, shape: readonly number[], dims: readonly Dim[], probe: readonly number[], source: ValueSource, wrappedNumber = false): TracedValue {
    const v: TracedValue = { id: this.values.length, dtype, shape: [...shape], dims: [...dims], probe: [...probe], source, wrappedNumber };
    this.values.push(v);
    return v;
  }

  bind(t: Tensor, v: TracedValue): void {
    this.byTensor.set(t, v);
  }

  /** The value a tensor holds: traced, a view of a traced tensor with the same layout, named, or a new constant. */
  valueOf(t: Tensor): TracedValue {
    if (this.stale.has(t)) throw new UnsupportedError("tracing: a tensor was read after an in-place write to a tensor it views; export an out-of-place version");
    const known = this.byTensor.get(t);
    if (known) return known;
    // detach(), Parameter(...) and the like make a new Tensor object over the same layout.
    for (const [other, v] of this.byTensor)
      if (other.storage === t.storage && other.offset === t.offset && sameList(other.shape, t.shape) && sameList(other.strides, t.strides) && !this.stale.has(other)) {
        this.byTensor.set(t, v);
        return v;
      }
    const name = this.named.get(t) ?? (t.base ? this.namedView(t) : undefined);
    const source: ValueSource = name !== undefined ? { kind: "named", name, tensor: t } : { kind: "constant", tensor: untraced(() => t.clone()) };
    const v = this.add(t.dtype, t.shape, t.shape, t.shape, source, t.wrappedNumber);
    this.byTensor.set(t, v);
    return v;
  }

  private namedView(t: Tensor): string | undefined {
    for (const [named, name] of this.named)
      if (named.storage === t.storage && named.offset === t.offset && sameList(named.shape, t.shape) && sameList(named.strides, t.strides)) return name;
    return undefined;
  }

  op(def: OpDef<unknown>, inputs: readonly Tensor[], attrs: unknown, outputs: readonly Tensor[]): void {
    const ins = inputs.map((t) => this.valueOf(t));
    const probed: ProbedShape[] = outputDims(def, ins, attrs, outputs.map((t) => t.shape));
    const index = this.ops.length;
    const outs = outputs.map((t, i) => this.add(t.dtype, t.shape, probed[i]!.dims, probed[i]!.probe, { kind: "op", op: index, index: i }));
    this.ops.push({ def, attrs, inputs: ins, outputs: outs });
    outputs.forEach((t, i) => this.byTensor.set(t, outs[i]!));
  }

  assign(target: Tensor, source: Tensor): void {
    if (target.base !== null) throw new UnsupportedError("tracing: in-place writes into a view are not supported; use an out-of-place op (e.g. sliceScatter)");
    const v = this.valueOf(source);
    for (const other of this.byTensor.keys()) if (other !== target && other.storage === target.storage) this.stale.add(other);
    this.byTensor.set(target, v);
  }
}

/** Runs `fn` with no observer, so the tracer's own copies are not recorded. */
function untraced<T>(fn: () => T): T {
  const previous = setOpObserver(null);
  try {
    return fn();
  } finally {
    setOpObserver(previous);
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Runs `fn(...inputs)` once, without autograd, recording each op it applies.
 *
 * ```ts
 * const tr = trace((x) => x.mul(2).relu(), [randn([3, 4])]);
 * tr.ops.map((o) => o.def.name); // ["mul", "relu"]
 * ```
 */
export function trace(fn: (...inputs: Tensor[]) => unknown, inputs: readonly Tensor[], options: TraceOptions = {}): Trace {
  const tracer = new Tracer(options.named ?? new Map());
  const traced = inputs.map((t, index) => {
    if (!(t instanceof Tensor)) throw new ValueError(`tracing: input ${index} is not a Tensor`);
    const axes = options.dynamicAxes?.[index] ?? {};
    for (const axis of Object.keys(axes).map(Number))
      if (!Number.isInteger(axis) || axis < 0 || axis >= t.ndim) throw new ValueError(`tracing: dynamic axis ${axis} of input ${index} is outside its ${t.ndim} dims`);
      else if (t.shape[axis]! < 2)
        throw new ValueError(`tracing: dynamic axis ${axis} of input ${index} has size ${t.shape[axis]} in the example; give it a size of at least 2 (a size of 0 or 1 cannot be told apart from a broadcast or a constant size)`);
    const dims = t.shape.map((n, i) => axes[i] ?? n);
    const probe = t.shape.map((n, i) => (axes[i] !== undefined ? probeSize(n) : n));
    const v = tracer.add(t.dtype, t.shape, dims, probe, { kind: "input", index });
    tracer.bind(t, v);
    return v;
  });
  const previous = setOpObserver(tracer);
  let result: unknown;
  try {
    result = noGrad(() => fn(...inputs));
  } finally {
    setOpObserver(previous);
  }
  const outputs = flattenResult(result, []).map((t) => tracer.valueOf(t));
  return { inputs: traced, outputs, ops: tracer.ops, values: tracer.values };
}
