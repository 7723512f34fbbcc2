/**
 * MatMul + Add -> Gemm: A·B + C as one node when A is 2-D (by shape inference), B a 2-D
 * constant — or Transpose(perm [1, 0]) of one, which becomes transB=1, as a Linear layer
 * exports — and C a constant that broadcasts to the result ([N], [1, N] or [M, N]), and
 * the MatMul's result is read by the Add alone. Linear layers exported as MatMul + Add
 * (concord's exporter, TensorFlow converters) then run as one Gemm in runtimes that fuse
 * the bias.
 */
import type { Model, Node } from "../ir.ts";
import { eliminateDeadCodeInGraph } from "./dead-code.ts";
import { producers, readCounts } from "./graph-walk.ts";
import { inferShapes } from "./shape-inference.ts";
import type { FuseResult } from "./fuse-conv-bn.ts";

export function fuseMatMulAdd(model: Model): FuseResult {
  const g = model.graph;
  const graphInputs = new Set(g.inputs.map((v) => v.name));
  const inits = new Map(g.initializers.filter((t) => !graphInputs.has(t.name ?? "")).map((t) => [t.name ?? "", t]));
  const types = inferShapes(model).types;
  const reads = readCounts(g);
  const made = producers(g);
  const replaced = new Map<Node, Node>();
  const dropped = new Set<Node>();
  for (const add of g.nodes) {
    if (add.opType !== "Add" || add.domain !== "") continue;
    for (const side of [0, 1]) {
      const mm = made.get(add.inputs[side] ?? "");
      const c = inits.get(add.inputs[1 - side] ?? "");
      if (!mm || mm.opType !== "MatMul" || mm.domain !== "" || !c || reads.get(mm.outputs[0]!) !== 1 || dropped.has(mm)) continue;
      const a = types.get(mm.inputs[0] ?? "");
      const transposed = made.get(mm.inputs[1] ?? "");
      const viaTranspose =
        transposed?.opType === "Transpose" &&
        reads.get(transposed.outputs[0]!) === 1 &&
        inits.has(transposed.inputs[0] ?? "") &&
        transposed.attributes.every((x) => x.name !== "perm" || (x.type === "ints" && x.value.join() === "1,0"));
      const b = viaTranspose ? inits.get(transposed.inputs[0]!) : inits.get(mm.inputs[1] ?? "");
      if (a?.shape?.length !== 2 || !b || b.dims.length !== 2 || (a.elemType !== "float32" && a.elemType !== "float64")) continue;
      const n = viaTranspose ? b.dims[0]! : b.dims[1]!;
      const m = a.shape[0];
      const fits = (c.dims.length === 1 && (c.dims[0] === n || c.dims[0] === 1)) || (c.dims.length === 2 && (c.dims[0] === 1 || c.dims[0] === m) && (c.dims[1] === n || c.dims[1] === 1));
      if (!fits || c.elemType !== a.elemType) continue;
      const transB = viaTranspose ? [{ name: "transB", type: "int" as const, value: 1n }] : [];
      replaced.set(mm, { ...mm, opType: "Gemm", inputs: [mm.inputs[0]!, b.name!, c.name!], outputs: [add.outputs[0]!], attributes: transB });
      dropped.add(add);
      break;
    }
  }
  if (dropped.size === 0) return { model, fused: 0 };
  const nodes = g.nodes.filter((node) => !dropped.has(node)).map((node) => replaced.get(node) ?? node);
  return { model: { ...model, graph: eliminateDeadCodeInGraph({ ...g, nodes }) }, fused: dropped.size };
}
