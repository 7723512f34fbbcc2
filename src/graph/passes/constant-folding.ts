/**
 * Constant folding: a node whose inputs are all constants (initializers that are not graph
 * inputs, Constant nodes, earlier folded values) is run once, at optimization time, through
 * the op table the caller passes, and its outputs become initializers. `Shape` of a value
 * whose shape inference knows every dim folds too, which turns the Shape → Gather →
 * Concat → Reshape chains of traced exporters into constant shapes when sizes are static.
 * Random ops are never folded; outputs larger than `maxElements` are left to run time.
 */
import type { Graph, Model, Node, TensorData } from "../ir.ts";
import { Interpreter, type OpResolver } from "../interpreter.ts";
import { tensorDataFromValue, valueFromTensorData } from "../tensor-data.ts";
import { isTensorLike, type GraphValue } from "../value.ts";
import { eliminateDeadCodeInGraph } from "./dead-code.ts";
import { hasSubgraph } from "./graph-walk.ts";
import { inferShapes } from "./shape-inference.ts";

const NEVER_FOLD = new Set(["RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli"]);

export interface FoldOptions {
  /** Largest output (elements) worth storing as an initializer (default 1 << 20). */
  maxElements?: number;
}

export interface FoldResult {
  model: Model;
  /** How many nodes were replaced by constants. */
  folded: number;
}

/** The model with every foldable node replaced by initializers, and dead code removed. */
export function foldConstants(model: Model, resolve: OpResolver, options: FoldOptions = {}): FoldResult {
  const maxElements = options.maxElements ?? 1 << 20;
  const g = model.graph;
  const interpreter = new Interpreter({ resolve, opsetImports: model.opsetImports, functions: model.functions });
  const inputs = new Set(g.inputs.map((v) => v.name));
  const constants = new Map<string, TensorData>();
  for (const t of g.initializers) if (t.name && !inputs.has(t.name)) constants.set(t.name, t);
  const shapes = inferShapes(model).types;
  const added: TensorData[] = [];
  const nodes: Node[] = [];
  let folded = 0;

  const store = (name: string, t: TensorData) => {
    const named = { ...t, name };
    constants.set(name, named);
    added.push(named);
  };

  for (const node of g.nodes) {
    const domain = node.domain === "ai.onnx" ? "" : node.domain;
    if (domain === "" && node.opType === "Shape" && foldShape(node, shapes, store)) {
      folded++;
      continue;
    }
    const reads = node.inputs.filter((n) => n !== "");
    const foldable = domain === "" && !NEVER_FOLD.has(node.opType) && !hasSubgraph(node) && reads.every((n) => constants.has(n)) && node.outputs.length > 0;
    if (!foldable) {
      nodes.push(node);
      continue;
    }
    let values: GraphValue[];
    try {
      const one: Graph = {
        name: "fold",
        nodes: [node],
        inputs: reads.map((name) => ({ name })),
        outputs: node.outputs.filter((o) => o !== "").map((name) => ({ name })),
        valueInfo: [],
        initializers: [],
        sparseInitializers: [],
      };
      values = interpreter.run(one, new Map(reads.map((n) => [n, valueFromTensorData(constants.get(n)!)])));
    } catch {
      // An op concord cannot run here (or that fails on these values) stays in the graph.
      nodes.push(node);
      continue;
    }
    const tensors = values.filter(isTensorLike);
    if (tensors.length !== values.length || tensors.some((t) => t.size > maxElements)) {
      nodes.push(node);
      continue;
    }
    node.outputs.filter((o) => o !== "").forEach((o, i) => store(o, tensorDataFromValue(tensors[i]!)));
    folded++;
  }
  const graph = eliminateDeadCodeInGraph({ ...g, nodes, initializers: [...g.initializers, ...added] });
  return { model: { ...model, graph }, folded };
}

function foldShape(node: Node, shapes: ReturnType<typeof inferShapes>["types"], store: (name: string, t: TensorData) => void): boolean {
  const shape = shapes.get(node.inputs[0] ?? "")?.shape;
  if (!shape || !shape.every((d) => typeof d === "number")) return false;
  const rank = shape.length;
  const attr = (name: string, fallback: number) => {
    const a = node.attributes.find((x) => x.name === name);
    const v = a && a.type === "int" ? Number(a.value) : fallback;
    return Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  };
  const dims = (shape as number[]).slice(attr("start", 0), attr("end", rank));
  store(node.outputs[0]!, { elemType: "int64", dims: [dims.length], data: BigInt64Array.from(dims, (d) => BigInt(d)) });
  return true;
}
