/**
 * ONNX export by tracing: run the module (or function) once on example inputs, record
 * every op record applied (src/graph/trace.ts), and write each as ONNX nodes through the
 * rule table (rules.ts). Parameters and buffers become initializers named by their
 * state-dict keys; other tensors the call reads become constant initializers; inputs that
 * an op computes in another dtype get a Cast (PyTorch promotes, ONNX does not).
 */
import type { DType } from "../../../core/dtype.ts";
import { ValueError } from "../../../core/errors.ts";
import { Tensor } from "../../../core/tensor.ts";
import { elemTypeCode } from "../../../graph/elem-type.ts";
import type { Dim, Model, ValueInfo } from "../../../graph/ir.ts";
import { tensorDataFromValue } from "../../../graph/tensor-data.ts";
import { eliminateDeadCode } from "../../../graph/passes/dead-code.ts";
import { trace, type Trace, type TracedOp, type TracedValue } from "../../../graph/trace.ts";
import { Module } from "../../../nn/module.ts";
import { encodeModel } from "../codec.ts";
import { attr, GraphBuilder } from "./builder.ts";
import { assertValidModel } from "./check.ts";
import type { EmitContext, EmitValue } from "./emit.ts";
import { rules } from "./rules.ts";

export interface ExportOptions {
  /** The default-domain opset to write, 13 to 21 (default 17). */
  opset?: number;
  /** Graph input names (default "input", or "input_0", "input_1", ...). */
  inputNames?: readonly string[];
  /** Graph output names (default "output", or "output_0", ...). */
  outputNames?: readonly string[];
  /**
   * Axes whose size may change, by input or output name: axis -> symbolic name, or a list
   * of axes (named `<name>_dim<axis>`). As torch.onnx.export's `dynamic_axes`.
   */
  dynamicAxes?: Readonly<Record<string, Readonly<Record<number, string>> | readonly number[]>>;
  /** Written to the model's doc_string. */
  docString?: string;
}

export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
export const DEFAULT_OPSET = 17;

/** The IR version each opset came with (onnx/helper.py VERSION_TABLE). */
function irVersionFor(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

type Target = Module | ((...inputs: Tensor[]) => unknown);

function namesFor(given: readonly string[] | undefined, count: number, base: string, what: string): string[] {
  if (given && given.length !== count) throw new ValueError(`export: ${given.length} ${what} names given for ${count} ${what}s`);
  const names = given ? [...given] : count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}_${i}`);
  if (new Set(names).size !== names.length) throw new ValueError(`export: ${what} names must be unique, got ${names.join(", ")}`);
  return names;
}

function axesOf(name: string, spec: Readonly<Record<number, string>> | readonly number[] | undefined): Record<number, string> {
  if (spec === undefined) return {};
  if (Array.isArray(spec)) return Object.fromEntries((spec as readonly number[]).map((a) => [a, `${name}_dim${a}`]));
  return { ...(spec as Record<number, string>) };
}

/** Runs `fn` with the module and all its children in eval mode, restoring their modes after. */
function inEvalMode<T>(target: Target, fn: () => T): T {
  if (!(target instanceof Module)) return fn();
  const modes = [...target.modules()].map((m) => [m, m.training] as const);
  target.eval();
  try {
    return fn();
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
}

/** Values read by the ops that lead to an output, and those ops. */
function liveness(tr: Trace): { live: Set<number>; ops: Set<TracedOp> } {
  const live = new Set(tr.outputs.map((v) => v.id));
  const ops = new Set<TracedOp>();
  for (let i = tr.ops.length - 1; i >= 0; i--) {
    const op = tr.ops[i]!;
    if (!op.outputs.some((o) => live.has(o.id))) continue;
    ops.add(op);
    for (const v of op.inputs) live.add(v.id);
  }
  return { live, ops };
}

class Exporter {
  readonly b = new GraphBuilder();
  private readonly names = new Map<number, string>();
  private readonly converted = new Map<string, string>();

  constructor(
    private readonly tr: Trace,
    private readonly opset: number,
  ) {}

  setName(v: TracedValue, name: string): void {
    this.names.set(v.id, name);
  }

  /** The name of a value, creating the initializer of a named tensor or constant on first use. */
  nameOf(v: TracedValue): string {
    const known = this.names.get(v.id);
    if (known !== undefined) return known;
    const src = v.source;
    let name: string;
    if (src.kind === "named") {
      if (this.b.isTaken(src.name)) throw new ValueError(`export: the state-dict key ${src.name} is also a graph input or output name`);
      name = this.b.initializer(this.b.reserve(src.name), tensorDataFromValue(src.tensor));
    } else if (src.kind === "constant") {
      name = src.tensor.ndim === 0 ? this.b.constant([Number(src.tensor.item())], src.tensor.dtype, []) : this.b.tensor("const", src.tensor);
    } else throw new ValueError(`export: value ${v.id} is read before it is computed`);
    this.names.set(v.id, name);
    return name;
  }

  /** `v` as `dtype`: the value itself, a converted constant, or a Cast node. */
  asDType(v: TracedValue, dtype: DType): string {
    if (v.dtype === dtype) return this.nameOf(v);
    const key = `${v.id}:${dtype}`;
    const known = this.converted.get(key);
    if (known) return known;
    let name: string;
    if (v.source.kind === "constant") {
      const t = v.source.tensor.to(dtype);
      name = t.ndim === 0 ? this.b.constant([Number(t.item())], dtype, []) : this.b.tensor("const", t);
    } else {
      name = this.b.fresh(`${this.nameOf(v)}_as_${dtype}`);
      this.b.type(name, dtype, v.dims);
      this.b.node("Cast", [this.nameOf(v)], [name], [attr.int("to", elemTypeCode(dtype))]);
    }
    this.converted.set(key, name);
    return name;
  }

  emit(op: TracedOp, live: ReadonlySet<number>): void {
    const { def, attrs } = op;
    const inputDtypes =
      def.kind === "kernel"
        ? def.infer(op.inputs.map((v) => ({ shape: v.shape, dtype: v.dtype, wrappedNumber: v.wrappedNumber })), attrs).inputDtypes ?? []
        : [];
    const inputs: EmitValue[] = op.inputs.map((v, i) => {
      const dtype = inputDtypes[i] ?? v.dtype;
      return { ...v, dtype, name: this.asDType(v, dtype) };
    });
    const outputs: EmitValue[] = op.outputs.map((v) => {
      let name = this.names.get(v.id);
      if (name === undefined) {
        name = this.b.fresh(def.name);
        this.names.set(v.id, name);
      }
      this.b.type(name, v.dtype, v.dims);
      return { ...v, name };
    });
    const b = this.b;
    const ctx: EmitContext<unknown> = {
      op: def.name,
      attrs,
      opset: this.opset,
      inputs,
      outputs,
      used: (i) => live.has(op.outputs[i]!.id),
      node: (type, ins, outs, attributes = [], domain = "") => b.node(type, ins, outs, attributes, domain),
      tmp: (hint, dtype, dims) => {
        const name = b.fresh(`${def.name}_${hint}`);
        b.type(name, dtype, dims);
        return name;
      },
      ints: (values) => b.ints(values),
      scalar: (value, dtype) => b.constant([value], dtype, []),
      constant: (values, dtype, dims) => b.constant(values, dtype, dims),
      apply: (type, ins, dtype, dims, attributes = []) => {
        const name = ctx.tmp(type.toLowerCase(), dtype, dims);
        b.node(type, ins, [name], attributes);
        return name;
      },
    };
    (rules[def.name as keyof typeof rules] as (c: EmitContext<unknown>) => void)(ctx);
  }
}

/**
 * Traces `target` on `exampleInputs` and returns the ONNX model as concord's IR.
 *
 * ```ts
 * const model = exportModel(net, [randn([1, 3, 32, 32])], { dynamicAxes: { input: { 0: "batch" } } });
 * ```
 */
export function exportModel(target: Target, exampleInputs: Tensor | readonly Tensor[], options: ExportOptions = {}): Model {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET)
    throw new ValueError(`export: opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  const inputs = exampleInputs instanceof Tensor ? [exampleInputs] : [...exampleInputs];
  const inputNames = namesFor(options.inputNames, inputs.length, "input", "input");
  const dynamic = options.dynamicAxes ?? {};
  const named = new Map<Tensor, string>();
  if (target instanceof Module) {
    for (const [key, p] of target.namedParameters()) named.set(p, key);
    for (const [key, t] of target.namedBuffers()) named.set(t, key);
  }
  const fn = target instanceof Module ? (...xs: Tensor[]) => target.forward(...xs) : target;
  const tr = inEvalMode(target, () => trace(fn, inputs, { named, dynamicAxes: inputNames.map((n) => axesOf(n, dynamic[n])) }));
  const outputNames = namesFor(options.outputNames, tr.outputs.length, "output", "output");
  for (const key of Object.keys(dynamic))
    if (!inputNames.includes(key) && !outputNames.includes(key)) throw new ValueError(`export: dynamicAxes names ${key}, which is neither an input nor an output`);

  const ex = new Exporter(tr, opset);
  const b = ex.b;
  inputNames.forEach((n) => b.reserve(n));
  outputNames.forEach((n) => b.reserve(n));
  tr.inputs.forEach((v, i) => ex.setName(v, inputNames[i]!));
  // An output computed by an op takes the output's name; the rest get an Identity.
  const identities: [TracedValue, string][] = [];
  const claimed = new Set<number>();
  tr.outputs.forEach((v, i) => {
    if (v.source.kind === "op" && !claimed.has(v.id)) {
      claimed.add(v.id);
      ex.setName(v, outputNames[i]!);
    } else identities.push([v, outputNames[i]!]);
  });

  const { live, ops } = liveness(tr);
  for (const op of tr.ops) if (ops.has(op)) ex.emit(op, live);
  for (const [v, name] of identities) b.node("Identity", [ex.nameOf(v)], [name]);

  const valueInfo = (name: string, v: TracedValue, dims: readonly Dim[]): ValueInfo => ({
    name,
    type: { kind: "tensor", elemType: v.dtype, shape: [...dims] },
  });
  const graphInputs = tr.inputs.map((v, i) => valueInfo(inputNames[i]!, v, v.dims));
  const graphOutputs = tr.outputs.map((v, i) => {
    const axes = axesOf(outputNames[i]!, dynamic[outputNames[i]!]);
    return valueInfo(outputNames[i]!, v, v.dims.map((d, a) => axes[a] ?? d));
  });
  const boundary = new Set([...inputNames, ...outputNames, ...b.initializers.map((t) => t.name!)]);
  const model: Model = {
    irVersion: irVersionFor(opset),
    opsetImports: [{ domain: "", version: opset }],
    producerName: "concord",
    producerVersion: "0.1.0",
    ...(options.docString !== undefined ? { docString: options.docString } : {}),
    graph: {
      name: target instanceof Module ? target.constructor.name : "concord",
      nodes: b.nodes,
      inputs: graphInputs,
      outputs: graphOutputs,
      valueInfo: b.valueInfos(boundary),
      initializers: b.initializers,
      sparseInitializers: [],
    },
    functions: [],
  };
  const cleaned = eliminateDeadCode(model);
  assertValidModel(cleaned);
  return cleaned;
}

/**
 * Traces `target` on `exampleInputs` and returns the bytes of an .onnx file.
 *
 * ```ts
 * const bytes = onnx.export(net, [randn([1, 784])], { inputNames: ["x"], dynamicAxes: { x: [0] } });
 * ```
 */
export function exportOnnx(target: Target, exampleInputs: Tensor | readonly Tensor[], options: ExportOptions = {}): Uint8Array {
  return encodeModel(exportModel(target, exampleInputs, options));
}
