/**
 * What passes need to know about a graph's data flow: the names a node reads (its inputs
 * and whatever its subgraphs take from the enclosing scope), and who produces and who
 * reads each value.
 */
import type { Attribute, Graph, Node } from "../ir.ts";

function subgraphs(a: Attribute): Graph[] {
  return a.type === "graph" ? [a.value] : a.type === "graphs" ? a.value : [];
}

/** Names a subgraph reads that it does not define itself (an over-approximation is fine for the passes). */
function outerNames(g: Graph, into: Set<string>): void {
  const defined = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name ?? "")]);
  for (const node of g.nodes) {
    for (const name of nodeReads(node)) if (!defined.has(name)) into.add(name);
    for (const o of node.outputs) defined.add(o);
  }
  for (const o of g.outputs) if (!defined.has(o.name)) into.add(o.name);
}

/** The value names a node reads, including those its subgraphs read from the enclosing scope. */
export function nodeReads(node: Node): string[] {
  const names = node.inputs.filter((n) => n !== "");
  const outer = new Set<string>();
  for (const a of node.attributes) for (const g of subgraphs(a)) outerNames(g, outer);
  return outer.size ? [...names, ...outer] : names;
}

/** True when the node holds subgraphs (If, Loop, Scan): passes leave those alone. */
export function hasSubgraph(node: Node): boolean {
  return node.attributes.some((a) => a.type === "graph" || a.type === "graphs");
}

/** For each value name, the node that produces it. */
export function producers(g: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const node of g.nodes) for (const o of node.outputs) if (o !== "") map.set(o, node);
  return map;
}

/** For each value name, how many times nodes read it (graph outputs count as readers). */
export function readCounts(g: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (n: string) => counts.set(n, (counts.get(n) ?? 0) + 1);
  for (const node of g.nodes) for (const n of nodeReads(node)) add(n);
  for (const o of g.outputs) add(o.name);
  return counts;
}

/** The initializer called `name`, if any. */
export function initializerOf(g: Graph, name: string) {
  return g.initializers.find((t) => t.name === name);
}
