/**
 * An imported ONNX model as an nn.Module: its floating-point initializers become
 * Parameters and `forward` runs the graph through concord's ops, so autograd, optimizers,
 * `stateDict`/`loadStateDict` and export by tracing all work on it.
 *
 * Note: parameter keys of an imported model. A float initializer's state-dict key is its
 * ONNX name: "fc.weight" is registered as parameter "weight" of a child module "fc", so
 * the keys of a model exported from PyTorch are PyTorch's own. A name that cannot be a
 * dotted path — an empty segment ("a..b", ".x", "x."), or a path below a shorter name
 * that is a parameter itself ("a.b" when "a" exists) — is registered flat with its dots
 * replaced by "_" (and "_1", "_2"... appended if that key is taken); `parameterNames`
 * maps each key back to its initializer. Other names ("onnx::Conv_17", "/fc/Gemm") are
 * kept as they are. Integer and bool initializers (shapes, indices) stay constants of the
 * graph and are not in the state dict.
 */
import { isFloating } from "../../core/dtype.ts";
import { UnsupportedError, ValueError } from "../../core/errors.ts";
import { Tensor } from "../../core/tensor.ts";
import { Interpreter } from "../../graph/interpreter.ts";
import type { Graph, Model } from "../../graph/ir.ts";
import { isTensorElemType } from "../../graph/elem-type.ts";
import { valueFromTensorData } from "../../graph/tensor-data.ts";
import type { GraphValue } from "../../graph/value.ts";
import { Module } from "../../nn/module.ts";
import { Parameter } from "../../nn/parameter.ts";
import type { OnnxModel } from "./model.ts";
import { resolveOp } from "./ops/index.ts";

/**
 * The names that cannot be dotted paths: an empty segment, or a path below a shorter name
 * that is itself a parameter ("a.b" when "a" exists). Shorter names win, whatever the order.
 */
function flatNames(names: readonly string[]): Set<string> {
  const flat = new Set<string>();
  const params = new Set<string>();
  const modules = new Set<string>();
  const bySegments = [...names].sort((a, b) => a.split(".").length - b.split(".").length);
  for (const name of bySegments) {
    const parts = name.split(".");
    const prefixes = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("."));
    if (parts.includes("") || modules.has(name) || prefixes.some((p) => params.has(p))) {
      flat.add(name);
      continue;
    }
    params.add(name);
    for (const p of prefixes) modules.add(p);
  }
  return flat;
}

/** A node of the module tree that only holds parameters (one segment of a dotted name). */
class ParameterGroup extends Module {
  override forward(): never {
    throw new UnsupportedError("this module only groups parameters of an imported ONNX model; call the model's module instead");
  }
}

/** An ONNX graph run as a Module; build one with `asModule(model)`. */
export class OnnxModule extends Module {
  /** State-dict key -> initializer name, for every parameter. */
  readonly parameterNames: ReadonlyMap<string, string>;
  readonly #graph: Graph;
  readonly #interpreter: Interpreter;
  readonly #params = new Map<string, Parameter>();
  readonly #inputNames: string[];

  constructor(model: Model) {
    super();
    const g = model.graph;
    this.#interpreter = new Interpreter({ resolve: resolveOp, opsetImports: model.opsetImports, functions: model.functions });
    const floats = g.initializers.filter((t) => t.name && isTensorElemType(t.elemType) && isFloating(t.elemType));
    const byName = new Set(floats.map((t) => t.name!));
    // The graph keeps the other initializers; the parameters are fed at each call.
    this.#graph = { ...g, initializers: g.initializers.filter((t) => !byName.has(t.name ?? "")) };
    const initialized = new Set(g.initializers.map((t) => t.name));
    this.#inputNames = g.inputs.map((v) => v.name).filter((n) => !initialized.has(n));
    const keys = new Map<string, string>();
    const used = new Set<string>();
    const flat = flatNames(floats.map((t) => t.name!));
    for (const t of floats) {
      const name = t.name!;
      const param = new Parameter(valueFromTensorData(t) as Tensor);
      let key = name;
      if (flat.has(name) || !this.#register(name.split("."), param)) {
        const base = name.replaceAll(".", "_") || "_";
        key = base;
        for (let k = 1; used.has(key) || byName.has(key); k++) key = `${base}_${k}`;
        this.registerParameter(key, param);
      }
      used.add(key);
      keys.set(key, name);
      this.#params.set(name, param);
    }
    this.parameterNames = keys;
  }

  /** Registers `param` under the dotted path `parts`, creating the groups on the way; false on a clash. */
  #register(parts: string[], param: Parameter): boolean {
    let owner: Module = this;
    for (const part of parts.slice(0, -1)) {
      const existing = [...owner.namedChildren()].find(([n]) => n === part)?.[1];
      if (existing) {
        owner = existing;
        continue;
      }
      if ([...owner.namedParameters("", false)].some(([n]) => n === part)) return false;
      owner = owner.registerModule(part, new ParameterGroup());
    }
    const last = parts[parts.length - 1]!;
    if ([...owner.namedChildren()].some(([n]) => n === last) || [...owner.namedParameters("", false)].some(([n]) => n === last)) return false;
    owner.registerParameter(last, param);
    return true;
  }

  /** The graph inputs `forward` takes, in order (inputs backed by an initializer are left out). */
  get inputNames(): string[] {
    return [...this.#inputNames];
  }

  get outputNames(): string[] {
    return this.#graph.outputs.map((v) => v.name);
  }

  /** Runs the graph on `inputs` (one per graph input); one output is returned as is, several as an array. */
  override forward(...inputs: Tensor[]): Tensor | Tensor[] {
    if (inputs.length !== this.#inputNames.length)
      throw new ValueError(`the ONNX model takes ${this.#inputNames.length} inputs (${this.#inputNames.join(", ")}), got ${inputs.length}`);
    const feeds = new Map<string, GraphValue>();
    this.#inputNames.forEach((n, i) => {
      if (!(inputs[i] instanceof Tensor)) throw new ValueError(`input ${n} is not a Tensor`);
      feeds.set(n, inputs[i]!);
    });
    for (const [name, p] of this.#params) feeds.set(name, p);
    const outputs = this.#interpreter.run(this.#graph, feeds).map((v, i) => {
      if (!(v instanceof Tensor)) throw new UnsupportedError(`output ${this.outputNames[i]} is not a tensor; asModule supports tensor outputs only`);
      return v;
    });
    return outputs.length === 1 ? outputs[0]! : outputs;
  }
}

/**
 * The model as a trainable nn.Module (see Note: parameter keys of an imported model).
 *
 * ```ts
 * const net = onnx.asModule(await onnx.load("mlp.onnx"));
 * const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
 * const loss = nn.functional.mseLoss(net.forward(x) as Tensor, y);
 * loss.backward(); opt.step();
 * ```
 */
export function asModule(model: OnnxModel | Model): OnnxModule {
  return new OnnxModule("graph" in model && "irVersion" in model ? model : model.model);
}
