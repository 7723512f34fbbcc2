/**
 * Conv + BatchNormalization folding (inference): BN(conv(x, W, B)) with constant weights
 * and statistics is conv(x, W', B') with, per output channel c and s = γ/√(var + ε),
 *   W'[c] = W[c]·s[c],   B'[c] = (B[c] − mean[c])·s[c] + β[c]
 * computed in float64 and stored in the weights' dtype. Applies when the Conv output is
 * read by the BN alone and the BN is in inference form (one output).
 */
import type { Graph, Model, Node, TensorData } from "../ir.ts";
import { findAttribute } from "../ir.ts";
import { eliminateDeadCodeInGraph } from "./dead-code.ts";
import { producers, readCounts } from "./graph-walk.ts";

function floats(t: TensorData | undefined): Float64Array | undefined {
  if (!t || (t.elemType !== "float32" && t.elemType !== "float64")) return undefined;
  return Float64Array.from(t.data as Float32Array);
}

function fresh(taken: Set<string>, hint: string): string {
  let name = hint;
  for (let k = 1; taken.has(name); k++) name = `${hint}_${k}`;
  taken.add(name);
  return name;
}

export interface FuseResult {
  model: Model;
  /** How many patterns were rewritten. */
  fused: number;
}

/** The model with every foldable Conv → BatchNormalization pair made one Conv. */
export function fuseConvBatchNorm(model: Model): FuseResult {
  const g = model.graph;
  const inits = new Map(g.initializers.map((t) => [t.name ?? "", t]));
  const graphInputs = new Set(g.inputs.map((v) => v.name));
  const constant = (name: string | undefined) => (name && !graphInputs.has(name) ? inits.get(name) : undefined);
  const reads = readCounts(g);
  const made = producers(g);
  const taken = new Set([...inits.keys(), ...g.nodes.flatMap((n) => n.outputs), ...graphInputs]);
  const replaced = new Map<Node, Node>();
  const dropped = new Set<Node>();
  const added: TensorData[] = [];
  for (const bn of g.nodes) {
    if (bn.opType !== "BatchNormalization" || bn.domain !== "" || bn.outputs.filter((o) => o !== "").length !== 1) continue;
    const training = findAttribute(bn, "training_mode");
    if (training && training.type === "int" && training.value !== 0n) continue;
    const conv = made.get(bn.inputs[0] ?? "");
    if (!conv || conv.opType !== "Conv" || conv.domain !== "" || reads.get(conv.outputs[0]!) !== 1 || dropped.has(conv)) continue;
    const w = constant(conv.inputs[1]);
    const [scale, shift, mean, variance] = [1, 2, 3, 4].map((i) => floats(constant(bn.inputs[i])));
    const weights = floats(w);
    if (!w || !weights || !scale || !shift || !mean || !variance) continue;
    const bias = conv.inputs[2] ? floats(constant(conv.inputs[2])) : new Float64Array(w.dims[0]!);
    if (!bias) continue;
    const epsilon = findAttribute(bn, "epsilon");
    const eps = epsilon && epsilon.type === "float" ? epsilon.value : 1e-5;
    const channels = w.dims[0]!;
    const perChannel = weights.length / channels;
    const s = scale.map((v, c) => v / Math.sqrt(variance[c]! + eps));
    const W = weights.map((v, i) => v * s[Math.floor(i / perChannel)]!);
    const B = bias.map((v, c) => (v - mean[c]!) * s[c]! + shift[c]!);
    const Array32 = w.elemType === "float64" ? Float64Array : Float32Array;
    const wName = fresh(taken, `${conv.inputs[1]}_bn_folded`);
    const bName = fresh(taken, `${bn.outputs[0]}_bias`);
    added.push({ name: wName, elemType: w.elemType, dims: [...w.dims], data: Array32.from(W) });
    added.push({ name: bName, elemType: w.elemType, dims: [channels], data: Array32.from(B) });
    replaced.set(conv, { ...conv, inputs: [conv.inputs[0]!, wName, bName], outputs: [bn.outputs[0]!] });
    dropped.add(bn);
  }
  if (dropped.size === 0) return { model, fused: 0 };
  const nodes = g.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n);
  const graph: Graph = eliminateDeadCodeInGraph({ ...g, nodes, initializers: [...g.initializers, ...added] });
  return { model: { ...model, graph }, fused: dropped.size };
}
