/**
 * A loaded ONNX model: its IR, its inputs and outputs, and `run`, which executes the graph
 * with concord's ops.
 */
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { Interpreter, type RunLimits } from "../../graph/interpreter.ts";
import type { Model, ValueInfo } from "../../graph/ir.ts";
import { asModule, type OnnxModule } from "./as-module.ts";
import { elemTypeOf, isTensorLike, type GraphValue } from "../../graph/value.ts";
import { encodeModel } from "./codec.ts";
import { resolveOp } from "./ops/index.ts";

/** Named outputs of a run. */
export type RunOutputs = Record<string, GraphValue>;

/**
 * Options of a run. `maxSubgraphRuns` (default 100000) bounds the Loop iterations, Scan
 * steps and If branches one run makes, nested ones included: past it the run fails with a
 * ValueError instead of going on as long as the model's trip counts say.
 */
export type RunOptions = RunLimits;

export class OnnxModel {
  private readonly interpreter: Interpreter;

  constructor(readonly model: Model) {
    this.interpreter = new Interpreter({ resolve: resolveOp, opsetImports: model.opsetImports, functions: model.functions });
  }

  /** Graph inputs a caller feeds (inputs that also have an initializer are optional). */
  get inputs(): ValueInfo[] {
    return this.model.graph.inputs;
  }
  get outputs(): ValueInfo[] {
    return this.model.graph.outputs;
  }
  get inputNames(): string[] {
    return this.inputs.map((v) => v.name);
  }
  get outputNames(): string[] {
    return this.outputs.map((v) => v.name);
  }

  /**
   * Runs the graph. `feeds` maps input names to values (Tensors; HostTensors for element
   * types concord lacks; arrays for sequences; null for an empty optional). Inputs backed
   * by an initializer may be left out. Ops are recorded by autograd when a feed requires grad.
   *
   * ```ts
   * const model = await onnx.load("model.onnx");
   * const { y } = await model.run({ x: randn([1, 3, 224, 224]) });
   * ```
   */
  async run(feeds: Record<string, GraphValue>, options: RunOptions = {}): Promise<RunOutputs> {
    return this.runSync(feeds, options);
  }

  /** `run`, synchronously. */
  runSync(feeds: Record<string, GraphValue>, options: RunOptions = {}): RunOutputs {
    const g = this.model.graph;
    const initialized = new Set([...g.initializers.map((t) => t.name), ...g.sparseInitializers.map((s) => s.values.name)]);
    const map = new Map<string, GraphValue>();
    for (const input of this.inputs) {
      if (Object.prototype.hasOwnProperty.call(feeds, input.name)) map.set(input.name, feeds[input.name]!);
      else if (!initialized.has(input.name)) throw new ValueError(`no value given for model input ${input.name}`);
    }
    for (const input of this.inputs) if (map.has(input.name)) checkFeed(input, map.get(input.name)!);
    for (const name of Object.keys(feeds))
      if (!this.inputs.some((v) => v.name === name)) throw new ValueError(`${name} is not an input of the model (inputs: ${this.inputNames.join(", ")})`);
    const values = this.interpreter.run(this.model.graph, map, options);
    const out: RunOutputs = {};
    this.outputs.forEach((o, i) => (out[o.name] = values[i]!));
    return out;
  }

  /** The model as a trainable nn.Module whose float initializers are Parameters (see as-module.ts). */
  asModule(): OnnxModule {
    return asModule(this);
  }

  /** The model as .onnx bytes. */
  toBytes(): Uint8Array {
    return encodeModel(this.model);
  }
}

/** A feed must have the declared element type, rank and fixed sizes of its graph input. */
function checkFeed(input: ValueInfo, v: GraphValue): void {
  const t = input.type;
  if (t?.kind !== "tensor" || !isTensorLike(v)) return;
  const actual = elemTypeOf(v);
  if (t.elemType !== undefined && actual !== t.elemType) throw new DTypeError(`input ${input.name} should be ${t.elemType}, got ${actual}`);
  if (!t.shape) return;
  const dims = t.shape;
  const fits = v.shape.length === dims.length && dims.every((d, i) => typeof d !== "number" || d === v.shape[i]);
  if (!fits) throw new ShapeError(`input ${input.name} should have shape [${dims.map((d) => d ?? "?").join(", ")}], got [${v.shape.join(", ")}]`);
}
