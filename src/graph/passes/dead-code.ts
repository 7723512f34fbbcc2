/**
 * Dead-code elimination: drops the nodes none of whose outputs reach a graph output, the
 * initializers nothing reads (unless they are graph inputs), and the value infos of
 * values that no longer exist.
 */
import type { Graph, Model } from "../ir.ts";
import { nodeReads } from "./graph-walk.ts";

/** `graph` without dead nodes, initializers and value infos. */
export function eliminateDeadCodeInGraph(graph: Graph): Graph {
  const needed = new Set(graph.outputs.map((o) => o.name));
  const kept = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (!node.outputs.some((o) => o !== "" && needed.has(o))) continue;
    kept.push(node);
    for (const n of nodeReads(node)) needed.add(n);
  }
  kept.reverse();
  const inputs = new Set(graph.inputs.map((v) => v.name));
  const defined = new Set([...inputs, ...kept.flatMap((n) => n.outputs)]);
  return {
    ...graph,
    nodes: kept,
    initializers: graph.initializers.filter((t) => needed.has(t.name ?? "") || inputs.has(t.name ?? "")),
    valueInfo: graph.valueInfo.filter((v) => defined.has(v.name) && needed.has(v.name)),
  };
}

/** The model with dead code removed from its main graph. */
export function eliminateDeadCode(model: Model): Model {
  return { ...model, graph: eliminateDeadCodeInGraph(model.graph) };
}
