/**
 * Running a graph: nodes in dependency order, each through the implementation an op table gives for
 * its (domain, op type, opset version). Values are dropped after their last use so the
 * garbage collector can free them. Model-local functions are run by inlining their body.
 * Ops run through concord's op layer, so a run with tensors that require grad records
 * the autograd graph.
 */
import { UnsupportedError, ValueError } from "../core/errors.ts";
import { Attributes } from "./attributes.ts";
import type { Attribute, FunctionDef, Graph, Node, OpsetImport, SparseTensorData, TensorData } from "./ir.ts";
import { opsetVersion } from "./ir.ts";
import { denseFromSparse, valueFromTensorData } from "./tensor-data.ts";
import { HostTensor, type GraphValue } from "./value.ts";
import { Tensor } from "../core/tensor.ts";
import { isGradEnabled } from "../autograd/grad-mode.ts";

/** What an op implementation sees besides its inputs. */
export interface OpContext {
  readonly node: Node;
  readonly attrs: Attributes;
  /** The version of the node's domain the model imports. */
  readonly opset: number;
  /** Runs a subgraph (an If branch, a Loop body) with outer values in scope. */
  runSubgraph(graph: Graph, inputs: readonly GraphValue[]): GraphValue[];
  /**
   * Recomputes values of the graph this node belongs to with some values replaced
   * (`overrides`): the nodes `targets` depend on run again, reading everything else from
   * the current scope. Used by the training domain's Gradient operator.
   */
  recompute(targets: readonly string[], overrides: ReadonlyMap<string, GraphValue>): GraphValue[];
}

/** An op: inputs (undefined where an optional input is omitted) -> outputs. */
export type OpImpl = (inputs: readonly (GraphValue | undefined)[], ctx: OpContext) => GraphValue[];

/** Finds the implementation of an op for the version of its domain a model imports. */
export type OpResolver = (domain: string, opType: string, version: number) => OpImpl | undefined;

/** Limits of one run. */
export interface RunLimits {
  /**
   * Most subgraph runs (Loop, Scan and SequenceMap iterations, If branches; nested ones
   * included) one run may make before it fails with a ValueError. A model decides its own
   * trip counts, so this bounds the work a hostile or broken one can ask for. Default 100000.
   */
  maxSubgraphRuns?: number;
}

export const DEFAULT_MAX_SUBGRAPH_RUNS = 100_000;

/** What one run has used of its limits. */
interface RunState {
  subgraphRuns: number;
  readonly maxSubgraphRuns: number;
}

export interface InterpreterOptions {
  resolve: OpResolver;
  opsetImports: readonly OpsetImport[];
  functions?: readonly FunctionDef[];
}

/** Names a graph reads from outside itself (inputs of its nodes or of nested subgraphs). */
const freeNamesCache = new WeakMap<Graph, Set<string>>();
function freeNames(graph: Graph): Set<string> {
  let free = freeNamesCache.get(graph);
  if (free) return free;
  free = new Set();
  const defined = new Set<string>([
    ...graph.inputs.map((v) => v.name),
    ...graph.initializers.map((t) => t.name ?? ""),
    ...graph.sparseInitializers.map((s) => s.values.name ?? ""),
  ]);
  for (const node of graph.nodes) {
    for (const name of nodeReads(node)) if (!defined.has(name)) free.add(name);
    for (const o of node.outputs) defined.add(o);
  }
  for (const o of graph.outputs) if (!defined.has(o.name)) free.add(o.name);
  freeNamesCache.set(graph, free);
  return free;
}

function subgraphs(a: Attribute): Graph[] {
  return a.type === "graph" ? [a.value] : a.type === "graphs" ? a.value : [];
}

/** The values a node reads: its inputs and what its subgraphs take from the enclosing scope. */
function nodeReads(node: Node): string[] {
  const names = node.inputs.filter((n) => n !== "");
  for (const a of node.attributes) for (const g of subgraphs(a)) names.push(...freeNames(g));
  return names;
}

/**
 * The nodes in an order where every value is computed before it is read: the file's order
 * when it already is one (ONNX requires it), else a stable topological sort.
 */
const orderCache = new WeakMap<Graph, Node[]>();
function executionOrder(graph: Graph): Node[] {
  let order = orderCache.get(graph);
  if (order) return order;
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => o !== "" && producer.set(o, i)));
  const deps = graph.nodes.map((n) => [...new Set(nodeReads(n).map((name) => producer.get(name)).filter((i): i is number => i !== undefined))]);
  if (deps.every((d, i) => d.every((j) => j < i))) order = graph.nodes;
  else {
    // Kahn's algorithm, iterative (a hostile file may chain any number of nodes).
    const waiting = deps.map((d, i) => d.filter((j) => j !== i).length);
    const users = graph.nodes.map(() => [] as number[]);
    deps.forEach((d, i) => d.forEach((j) => j !== i && users[j]!.push(i)));
    const ready = waiting.flatMap((w, i) => (w === 0 ? [i] : []));
    order = [];
    for (let k = 0; k < ready.length; k++) {
      const i = ready[k]!;
      order.push(graph.nodes[i]!);
      for (const u of users[i]!) if (--waiting[u]! === 0) ready.push(u);
    }
    if (order.length !== graph.nodes.length) throw new ValueError(`graph ${graph.name || "(main)"} has a cycle`);
  }
  orderCache.set(graph, order);
  return order;
}

/**
 * Frees intermediate tensors at their last use (dispose), instead of leaving them to the
 * garbage collector, whose finalizers cannot run inside one long synchronous run. Only
 * tensors a node of this run made are freed, never feeds, initializers or outer values;
 * a tensor that went into or came out of a sequence or optional may live on there and is
 * kept; and nothing is freed while autograd may have saved tensors for backward.
 */
class Releaser {
  private readonly enabled: boolean;
  private readonly foreign = new Set<Tensor>();
  private readonly escaped = new Set<Tensor>();
  private readonly holders = new Map<Tensor, number>();

  constructor(feeds: ReadonlyMap<string, GraphValue>, private readonly scope: Scope) {
    const feedTensors = [...feeds.values()].filter((v): v is Tensor => v instanceof Tensor);
    this.enabled = !isGradEnabled() || !feedTensors.some((t) => t.requiresGrad);
    for (const t of feedTensors) this.foreign.add(t);
  }

  /** A value by name; one from an enclosing scope (or an initializer) is never freed here. */
  read(name: string): GraphValue | undefined {
    const v = this.scope.get(name);
    if (v instanceof Tensor && !this.holders.has(v)) this.foreign.add(v);
    return v;
  }

  /**
   * After a node ran: when sequences or optionals are involved, a tensor may live on inside
   * one (SequenceConstruct) or come out of one (SequenceAt), so every tensor the node saw
   * or made is kept.
   */
  produced(inputs: readonly (GraphValue | undefined)[], outputs: readonly GraphValue[]): void {
    const containers = (v: GraphValue | undefined) => v !== undefined && !(v instanceof Tensor) && !(v instanceof HostTensor);
    if (!inputs.some(containers) && !outputs.some(containers)) return;
    const mark = (v: GraphValue | undefined): void => {
      if (v instanceof Tensor) this.escaped.add(v);
      else if (Array.isArray(v)) v.forEach(mark);
    };
    inputs.forEach(mark);
    outputs.forEach(mark);
  }

  bind(name: string, v: GraphValue): void {
    const old = this.scope.get(name);
    this.scope.set(name, v);
    if (v instanceof Tensor) this.holders.set(v, (this.holders.get(v) ?? 0) + 1);
    if (old instanceof Tensor && old !== v) this.release(old);
  }

  /** Forgets a value after its last use here; one from an enclosing scope is not this run's to free. */
  drop(name: string): void {
    if (!this.scope.hasOwn(name)) return;
    const v = this.scope.get(name);
    this.scope.delete(name);
    if (v instanceof Tensor) this.release(v);
  }

  private release(t: Tensor): void {
    const count = this.holders.get(t);
    if (count === undefined) return;
    if (count > 1) {
      this.holders.set(t, count - 1);
      return;
    }
    this.holders.delete(t);
    if (this.enabled && !this.foreign.has(t) && !this.escaped.has(t)) t.dispose();
  }
}

class Scope {
  private readonly values = new Map<string, GraphValue>();
  constructor(private readonly parent: Scope | null) {}
  get(name: string): GraphValue | undefined {
    return this.values.has(name) ? this.values.get(name) : this.parent?.get(name);
  }
  has(name: string): boolean {
    return this.values.has(name) || (this.parent?.has(name) ?? false);
  }
  hasOwn(name: string): boolean {
    return this.values.has(name);
  }
  set(name: string, v: GraphValue): void {
    this.values.set(name, v);
  }
  delete(name: string): void {
    this.values.delete(name);
  }
}

const MAX_CALL_DEPTH = 64;

export class Interpreter {
  private readonly functions = new Map<string, FunctionDef>();
  /** Initializer values, made once per model rather than on every run. */
  private readonly constants = new WeakMap<TensorData | SparseTensorData, GraphValue>();

  constructor(private readonly options: InterpreterOptions) {
    for (const f of options.functions ?? []) this.functions.set(`${f.domain}:${f.name}`, f);
  }

  private readonly cached = new WeakSet<Tensor>();

  private constant(key: TensorData | SparseTensorData, make: () => GraphValue): GraphValue {
    let v = this.constants.get(key);
    if (v === undefined) {
      this.constants.set(key, (v = make()));
      if (v instanceof Tensor) this.cached.add(v);
    }
    return v;
  }

  /**
   * Runs `graph` with its inputs bound to `feeds`; returns its outputs in order. An output
   * that is an initializer itself comes back as a copy, so the caller may change or free it.
   */
  run(graph: Graph, feeds: ReadonlyMap<string, GraphValue>, limits: RunLimits = {}): GraphValue[] {
    const max = limits.maxSubgraphRuns ?? DEFAULT_MAX_SUBGRAPH_RUNS;
    if (!(max >= 0)) throw new ValueError(`maxSubgraphRuns must be a non-negative number, got ${max}`);
    const state: RunState = { subgraphRuns: 0, maxSubgraphRuns: max };
    return this.runIn(graph, feeds, null, this.options.opsetImports, 0, state).map((v) => (v instanceof Tensor && this.cached.has(v) ? v.clone() : v));
  }

  private runIn(graph: Graph, feeds: ReadonlyMap<string, GraphValue>, parent: Scope | null, opsets: readonly OpsetImport[], depth: number, state: RunState): GraphValue[] {
    if (depth > MAX_CALL_DEPTH) throw new ValueError(`graphs and functions nested more than ${MAX_CALL_DEPTH} deep`);
    const scope = new Scope(parent);
    for (const t of graph.initializers) if (t.name) scope.set(t.name, this.constant(t, () => valueFromTensorData(t)));
    for (const s of graph.sparseInitializers) if (s.values.name) scope.set(s.values.name, this.constant(s, () => valueFromTensorData(denseFromSparse(s))));
    for (const [name, v] of feeds) scope.set(name, v);
    for (const input of graph.inputs)
      if (!scope.has(input.name)) throw new ValueError(`graph ${graph.name || "(main)"}: no value for input ${input.name}`);

    // The last node reading each value defined here; values not read later are dropped.
    const keep = new Set(graph.outputs.map((o) => o.name));
    const nodes = executionOrder(graph);
    const lastUse = new Map<string, number>();
    nodes.forEach((node, i) => nodeReads(node).forEach((n) => lastUse.set(n, i)));
    const release = new Releaser(feeds, scope);

    nodes.forEach((node, i) => {
      const inputs = node.inputs.map((name) => {
        if (name === "") return undefined;
        if (!scope.has(name)) throw new ValueError(`${node.opType} ${node.name ?? ""}: input ${name} is neither a graph input, an initializer nor an output of another node`);
        return release.read(name);
      });
      const outputs = this.runNode(node, inputs, scope, opsets, depth, graph, state);
      release.produced(inputs, outputs);
      node.outputs.forEach((name, k) => {
        if (name !== "" && k < outputs.length) release.bind(name, outputs[k]!);
      });
      for (const name of nodeReads(node)) if (lastUse.get(name) === i && !keep.has(name)) release.drop(name);
    });
    return graph.outputs.map((o) => {
      if (!scope.has(o.name)) throw new ValueError(`graph ${graph.name || "(main)"}: output ${o.name} is never computed`);
      return scope.get(o.name)!;
    });
  }

  private runNode(node: Node, inputs: (GraphValue | undefined)[], scope: Scope, opsets: readonly OpsetImport[], depth: number, graph: Graph, state: RunState): GraphValue[] {
    const domain = node.domain === "ai.onnx" ? "" : node.domain;
    const fn = this.functions.get(`${node.domain}:${node.opType}`);
    if (fn) return this.callFunction(fn, node, inputs, depth, state);
    const version = opsetVersion(opsets, domain) ?? (domain === "" ? undefined : 1);
    if (version === undefined) throw new ValueError(`${node.opType}: the model imports no version of the default domain`);
    const impl = this.options.resolve(domain, node.opType, version);
    if (!impl) throw new UnsupportedError(`ONNX operator ${domain ? domain + "." : ""}${node.opType} (opset ${version}) is not implemented`);
    const ctx: OpContext = {
      node,
      attrs: new Attributes(node),
      opset: version,
      runSubgraph: (graph, values) => {
        if (++state.subgraphRuns > state.maxSubgraphRuns)
          throw new ValueError(`${node.opType} ${node.name ?? ""}: more than ${state.maxSubgraphRuns} subgraph runs (Loop iterations and the like) in one run; raise maxSubgraphRuns if the model needs them`);
        const feeds = new Map<string, GraphValue>();
        graph.inputs.forEach((input, k) => {
          if (k < values.length) feeds.set(input.name, values[k]!);
        });
        return this.runIn(graph, feeds, scope, opsets, depth + 1, state);
      },
      recompute: (targets, overrides) => this.recompute(graph, node, targets, overrides, scope, opsets, depth, state),
    };
    return impl(inputs, ctx);
  }

  /** The nodes before `caller` that `targets` depend on, run again in a scope holding `overrides`. */
  private recompute(
    graph: Graph, caller: Node, targets: readonly string[], overrides: ReadonlyMap<string, GraphValue>, scope: Scope, opsets: readonly OpsetImport[], depth: number, state: RunState,
  ): GraphValue[] {
    const nodes = executionOrder(graph);
    const before = nodes.slice(0, nodes.indexOf(caller));
    const needed = new Set(targets);
    const run: Node[] = [];
    for (let i = before.length - 1; i >= 0; i--) {
      const n = before[i]!;
      if (!n.outputs.some((o) => needed.has(o) && !overrides.has(o))) continue;
      run.unshift(n);
      for (const name of nodeReads(n)) needed.add(name);
    }
    const child = new Scope(scope);
    for (const [name, v] of overrides) child.set(name, v);
    for (const n of run) {
      const outputs = this.runNode(n, n.inputs.map((name) => (name === "" ? undefined : child.get(name))), child, opsets, depth + 1, graph, state);
      n.outputs.forEach((name, k) => {
        if (name !== "" && k < outputs.length) child.set(name, outputs[k]!);
      });
    }
    return targets.map((t) => {
      if (!child.has(t)) throw new ValueError(`cannot recompute ${t}`);
      return child.get(t)!;
    });
  }

  /** Runs a function body with the node's inputs, attributes in place of the body's references. */
  private callFunction(fn: FunctionDef, call: Node, inputs: (GraphValue | undefined)[], depth: number, state: RunState): GraphValue[] {
    const given = new Map(call.attributes.map((a) => [a.name, a]));
    for (const a of fn.attributeDefaults) if (!given.has(a.name)) given.set(a.name, a);
    const bind = (node: Node): Node => ({
      ...node,
      attributes: node.attributes.flatMap((a) => {
        if (a.refAttrName === undefined) return [a];
        const v = given.get(a.refAttrName);
        return v ? [{ ...v, name: a.name }] : [];
      }),
    });
    const body: Graph = {
      name: fn.name,
      nodes: fn.nodes.map(bind),
      inputs: fn.inputs.filter((_, k) => inputs[k] !== undefined).map((name) => ({ name })),
      outputs: fn.outputs.map((name) => ({ name })),
      valueInfo: [],
      initializers: [],
      sparseInitializers: [],
    };
    const feeds = new Map<string, GraphValue>();
    fn.inputs.forEach((name, k) => {
      if (inputs[k] !== undefined) feeds.set(name, inputs[k]!);
    });
    return this.runIn(body, feeds, null, fn.opsetImports, depth + 1, state);
  }
}
