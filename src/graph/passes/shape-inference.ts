/**
 * Shape inference over an ONNX-shaped graph: element types and shapes of every value that
 * can be derived without running the graph — from the graph inputs' declared types, the
 * initializers, and the constant inputs (Reshape's shape, Slice's starts...) that sizes
 * depend on. Symbolic dims pass through where an op keeps them; anything not derivable is
 * left unknown. `withInferredShapes` writes the results into the graph's value infos.
 */
import { elemTypeFromCode, type ElemType } from "../elem-type.ts";
import type { Dim, Graph, Model, Node, TensorData } from "../ir.ts";
import { findAttribute } from "../ir.ts";
import { hasSubgraph } from "./graph-walk.ts";

export interface InferredType {
  elemType: ElemType | undefined;
  shape: Dim[] | undefined;
}

interface Known extends InferredType {
  /** Small int64 constants (shapes, axes) as numbers. */
  ints?: number[];
}


function attrInt(node: Node, name: string, fallback: number): number {
  const a = findAttribute(node, name);
  return a && a.type === "int" ? Number(a.value) : fallback;
}
function attrInts(node: Node, name: string): number[] | undefined {
  const a = findAttribute(node, name);
  return a && a.type === "ints" ? a.value.map(Number) : undefined;
}

function broadcast(shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(...shapes.map((s) => s!.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const x = s![s!.length - rank + i] ?? 1;
      if (x === 1) continue;
      if (d === 1) d = x;
      else if (d !== x) d = typeof d === "number" && typeof x === "number" ? d : typeof d === "number" ? x : d;
    }
    out.push(d);
  }
  return out;
}

function intsOfTensor(t: TensorData): number[] | undefined {
  if ((t.elemType !== "int64" && t.elemType !== "int32") || t.dims.length > 1 || t.data.length > 64) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** Pool / conv output size (ONNX's formula, explicit pads). */
function windowOut(size: Dim, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number, ceil: boolean): Dim {
  if (typeof size !== "number") return null;
  const span = size + padBegin + padEnd - dilation * (kernel - 1) - 1;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= size + padBegin) out--;
  return out;
}

const SAME_AS_INPUT = new Set([
  "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Cos", "Cosh", "Elu", "Erf", "Exp", "Floor",
  "Gelu", "HardSigmoid", "HardSwish", "Identity", "LeakyRelu", "Log", "LogSoftmax", "Mish", "Neg", "Reciprocal",
  "Relu", "Round", "Selu", "Sigmoid", "Sign", "Sin", "Sinh", "Softmax", "Softplus", "Softsign", "Sqrt", "Tan",
  "Tanh", "Clip", "Dropout", "BatchNormalization", "LayerNormalization", "InstanceNormalization", "LRN",
  "CumSum", "Trilu", "BitwiseNot", "Celu", "PRelu", "GroupNormalization",
]);
const BROADCAST = new Set(["Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitShift", "PRelu"]);
const COMPARE = new Set(["Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor"]);
const REDUCE = new Set(["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare"]);

/** Output types of one node from its input types (and constant inputs); undefined where unknown. */
function inferNode(node: Node, ins: (Known | undefined)[], opset: number): Known[] {
  const x = ins[0];
  const t0 = x?.elemType;
  const shape0 = x?.shape;
  const one = (elemType: ElemType | undefined, shape: Dim[] | undefined): Known[] => [{ elemType, shape }];
  const op = node.opType;
  if (SAME_AS_INPUT.has(op)) {
    const first = one(t0, shape0);
    if (op === "Dropout") return [...first, { elemType: "bool", shape: shape0 }];
    return first;
  }
  if (BROADCAST.has(op)) return one(t0 ?? ins[1]?.elemType, broadcast(ins.map((i) => i?.shape)));
  if (COMPARE.has(op)) return one("bool", broadcast(ins.map((i) => i?.shape)));
  switch (op) {
    case "Not":
      return one("bool", shape0);
    case "IsNaN":
    case "IsInf":
      return one("bool", shape0);
    case "Where":
      return one(ins[1]?.elemType ?? ins[2]?.elemType, broadcast(ins.map((i) => i?.shape)));
    case "Cast":
      return one(elemTypeFromCode(attrInt(node, "to", 0)), shape0);
    case "Shape": {
      const rank = shape0?.length;
      const start = rank === undefined ? 0 : norm(attrInt(node, "start", 0), rank);
      const end = rank === undefined ? 0 : norm(attrInt(node, "end", rank), rank);
      const r: Known = { elemType: "int64", shape: rank === undefined ? [null] : [Math.max(0, Math.min(end, rank) - start)] };
      if (shape0 && shape0.slice(start, end).every((d) => typeof d === "number")) r.ints = shape0.slice(start, end) as number[];
      return [r];
    }
    case "Constant": {
      const a = findAttribute(node, "value");
      if (a?.type === "tensor") return [{ elemType: a.value.elemType, shape: [...a.value.dims], ...(intsOfTensor(a.value) ? { ints: intsOfTensor(a.value)! } : {}) }];
      return [{ elemType: undefined, shape: undefined }];
    }
    case "MatMul": {
      const a = shape0;
      const b = ins[1]?.shape;
      if (!a || !b) return one(t0, undefined);
      const a2 = a.length === 1 ? [1, a[0]!] : a;
      const b2 = b.length === 1 ? [b[0]!, 1] : b;
      const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)])!;
      const out = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
      if (a.length === 1) out.splice(out.length - 2, 1);
      if (b.length === 1) out.pop();
      return one(t0, out);
    }
    case "Gemm": {
      const a = shape0;
      const b = ins[1]?.shape;
      if (!a || !b) return one(t0, undefined);
      const m = attrInt(node, "transA", 0) ? a[1]! : a[0]!;
      const n = attrInt(node, "transB", 0) ? b[0]! : b[1]!;
      return one(t0, [m, n]);
    }
    case "Conv":
    case "MaxPool":
    case "AveragePool":
    case "ConvTranspose": {
      if (!shape0) return op === "MaxPool" ? [{ elemType: t0, shape: undefined }, { elemType: "int64", shape: undefined }] : one(t0, undefined);
      const w = ins[1]?.shape;
      const kernel = attrInts(node, "kernel_shape") ?? (w ? (w.slice(2) as number[]) : undefined);
      const nd = shape0.length - 2;
      if (!kernel || kernel.some((k) => typeof k !== "number") || findAttribute(node, "auto_pad")?.value === "SAME_UPPER")
        return one(t0, undefined);
      const strides = attrInts(node, "strides") ?? kernel.map(() => 1);
      const pads = attrInts(node, "pads") ?? Array<number>(2 * nd).fill(0);
      const dil = attrInts(node, "dilations") ?? kernel.map(() => 1);
      const ceil = attrInt(node, "ceil_mode", 0) === 1;
      let channels: Dim = shape0[1]!;
      if (op === "Conv") channels = w ? w[0]! : null;
      if (op === "ConvTranspose") channels = w && typeof w[1] === "number" ? w[1] * attrInt(node, "group", 1) : null;
      const spatial = shape0.slice(2).map((n, i) => {
        if (op !== "ConvTranspose") return windowOut(n, kernel[i]!, strides[i]!, pads[i]!, pads[i + nd]!, dil[i]!, ceil);
        const outPad = attrInts(node, "output_padding")?.[i] ?? 0;
        return typeof n === "number" ? (n - 1) * strides[i]! - pads[i]! - pads[i + nd]! + dil[i]! * (kernel[i]! - 1) + 1 + outPad : null;
      });
      const out = [shape0[0]!, channels, ...spatial];
      return op === "MaxPool" ? [{ elemType: t0, shape: out }, { elemType: "int64", shape: out }] : one(t0, out);
    }
    case "GlobalAveragePool":
    case "GlobalMaxPool":
      return one(t0, shape0 ? [shape0[0]!, shape0[1]!, ...shape0.slice(2).map(() => 1)] : undefined);
    case "Reshape": {
      const spec = ins[1]?.ints;
      if (!spec) return one(t0, undefined);
      const allowZero = attrInt(node, "allowzero", 0) === 1;
      const out: Dim[] = spec.map((s, i) => (s === 0 && !allowZero ? (shape0?.[i] ?? null) : s === -1 ? null : s));
      const inferred = spec.indexOf(-1);
      if (inferred >= 0 && shape0 && shape0.every((d) => typeof d === "number") && out.every((d, i) => i === inferred || typeof d === "number")) {
        const total = (shape0 as number[]).reduce((a, b) => a * b, 1);
        const rest = (out.filter((_, i) => i !== inferred) as number[]).reduce((a, b) => a * b, 1);
        out[inferred] = rest === 0 ? 0 : total / rest;
      }
      return one(t0, out);
    }
    case "Flatten": {
      if (!shape0) return one(t0, undefined);
      const axis = norm(attrInt(node, "axis", 1), shape0.length);
      const prod = (ds: Dim[]) => (ds.every((d) => typeof d === "number") ? (ds as number[]).reduce((a, b) => a * b, 1) : null);
      return one(t0, [prod(shape0.slice(0, axis)), prod(shape0.slice(axis))]);
    }
    case "Transpose": {
      if (!shape0) return one(t0, undefined);
      const perm = attrInts(node, "perm") ?? shape0.map((_, i) => shape0.length - 1 - i);
      return one(t0, perm.map((p) => shape0[p]!));
    }
    case "Concat": {
      if (ins.some((i) => !i?.shape)) return one(t0, undefined);
      const axis = norm(attrInt(node, "axis", 0), shape0!.length);
      const out = [...shape0!];
      const sizes = ins.map((i) => i!.shape![axis]!);
      out[axis] = sizes.every((s) => typeof s === "number") ? (sizes as number[]).reduce((a, b) => a + b, 0) : null;
      return one(t0, out);
    }
    case "Squeeze":
    case "Unsqueeze": {
      const axes = opset >= 13 ? ins[1]?.ints : attrInts(node, "axes");
      if (!shape0 || (!axes && op === "Unsqueeze")) return one(t0, undefined);
      if (op === "Squeeze") {
        const drop = axes ? axes.map((a) => norm(a, shape0.length)) : shape0.map((d, i) => (d === 1 ? i : -1));
        return one(t0, shape0.filter((_, i) => !drop.includes(i)));
      }
      const rank = shape0.length + axes!.length;
      const at = axes!.map((a) => norm(a, rank));
      const out: Dim[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) out.push(at.includes(i) ? 1 : shape0[k++]!);
      return one(t0, out);
    }
    case "Gather": {
      const idx = ins[1]?.shape;
      if (!shape0 || !idx) return one(t0, undefined);
      const axis = norm(attrInt(node, "axis", 0), shape0.length);
      return one(t0, [...shape0.slice(0, axis), ...idx, ...shape0.slice(axis + 1)]);
    }
    case "GatherElements":
      return one(t0, ins[1]?.shape);
    case "ScatterElements":
    case "ScatterND":
      return one(t0, shape0);
    case "Expand": {
      const target = ins[1]?.ints;
      return one(t0, target && shape0 ? broadcast([shape0, target]) : undefined);
    }
    case "Tile": {
      const reps = ins[1]?.ints;
      return one(t0, reps && shape0 ? shape0.map((d, i) => (typeof d === "number" ? d * reps[i]! : null)) : undefined);
    }
    case "Pad": {
      const pads = ins[1]?.ints;
      if (!pads || !shape0) return one(t0, undefined);
      const r = shape0.length;
      return one(t0, shape0.map((d, i) => (typeof d === "number" ? d + pads[i]! + pads[i + r]! : null)));
    }
    case "Slice": {
      const [starts, ends, axesIn, steps] = [ins[1]?.ints, ins[2]?.ints, ins[3]?.ints, ins[4]?.ints];
      if (!shape0 || !starts || !ends) return one(t0, undefined);
      const out = [...shape0];
      const axes = axesIn ?? starts.map((_, i) => i);
      axes.forEach((a0, k) => {
        const a = norm(a0, shape0.length);
        const n = shape0[a];
        if (typeof n !== "number") {
          out[a] = null;
          return;
        }
        const step = steps?.[k] ?? 1;
        const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
        const s = step > 0 ? clamp(starts[k]!, 0, n) : clamp(starts[k]!, -1, n - 1);
        const e = step > 0 ? clamp(ends[k]!, 0, n) : clamp(ends[k]!, -1, n - 1);
        out[a] = Math.max(0, Math.ceil((e - s) / step));
      });
      return one(t0, out);
    }
    case "ArgMax":
    case "ArgMin": {
      if (!shape0) return one("int64", undefined);
      const axis = norm(attrInt(node, "axis", 0), shape0.length);
      const keep = attrInt(node, "keepdims", 1) === 1;
      return one("int64", shape0.flatMap((d, i) => (i === axis ? (keep ? [1] : []) : [d])));
    }
    case "TopK": {
      const k = ins[1]?.ints?.[0];
      if (!shape0) return [{ elemType: t0, shape: undefined }, { elemType: "int64", shape: undefined }];
      const axis = norm(attrInt(node, "axis", -1), shape0.length);
      const out = shape0.map((d, i) => (i === axis ? (k ?? null) : d));
      return [{ elemType: t0, shape: out }, { elemType: "int64", shape: out }];
    }
    case "NonZero":
      return one("int64", shape0 ? [shape0.length, null] : undefined);
    case "GatherND":
      return one(t0, undefined);
  }
  if (REDUCE.has(op)) {
    const axesAsInput = op === "ReduceSum" ? opset >= 13 : opset >= 18;
    const axes = axesAsInput ? ins[1]?.ints : attrInts(node, "axes");
    const keep = attrInt(node, "keepdims", 1) === 1;
    if (!shape0) return one(t0, undefined);
    if (axesAsInput && node.inputs[1] && !axes) return one(t0, undefined);
    const all = !axes || axes.length === 0;
    const reduced = all ? shape0.map((_, i) => i) : axes.map((a) => norm(a, shape0.length));
    return one(t0, shape0.flatMap((d, i) => (reduced.includes(i) ? (keep ? [1] : []) : [d])));
  }
  return node.outputs.map(() => ({ elemType: undefined, shape: undefined }));
}

export interface ShapeInferenceResult {
  /** Every value whose type or shape is known, by name. */
  types: Map<string, InferredType>;
}

function inferGraph(g: Graph, opset: number): Map<string, Known> {
  const known = new Map<string, Known>();
  for (const v of g.inputs)
    if (v.type?.kind === "tensor") known.set(v.name, { elemType: v.type.elemType, shape: v.type.shape ? [...v.type.shape] : undefined });
  for (const t of g.initializers) {
    const ints = intsOfTensor(t);
    known.set(t.name ?? "", { elemType: t.elemType, shape: [...t.dims], ...(ints ? { ints } : {}) });
  }
  for (const node of g.nodes) {
    if (hasSubgraph(node)) continue;
    const outs = inferNode(node, node.inputs.map((n) => (n === "" ? undefined : known.get(n))), opset);
    node.outputs.forEach((o, i) => {
      const r = outs[i];
      if (o !== "" && r && (r.elemType !== undefined || r.shape !== undefined)) known.set(o, r);
    });
  }
  return known;
}

/** The types and shapes shape inference derives for every value of the model's main graph. */
export function inferShapes(model: Model): ShapeInferenceResult {
  const opset = model.opsetImports.find((o) => o.domain === "" || o.domain === "ai.onnx")?.version ?? 1;
  const known = inferGraph(model.graph, opset);
  const types = new Map<string, InferredType>();
  for (const [name, k] of known) types.set(name, { elemType: k.elemType, shape: k.shape });
  return { types };
}

/** The model with a value info for every intermediate value whose type shape inference knows. */
export function withInferredShapes(model: Model): Model {
  const { types } = inferShapes(model);
  const g = model.graph;
  const boundary = new Set([...g.inputs.map((v) => v.name), ...g.outputs.map((v) => v.name), ...g.initializers.map((t) => t.name ?? "")]);
  const declared = new Map(g.valueInfo.map((v) => [v.name, v]));
  for (const node of g.nodes)
    for (const o of node.outputs) {
      const t = types.get(o);
      if (o === "" || boundary.has(o) || !t || t.elemType === undefined) continue;
      declared.set(o, { name: o, type: { kind: "tensor", elemType: t.elemType, ...(t.shape ? { shape: t.shape } : {}) } });
    }
  return { ...model, graph: { ...g, valueInfo: [...declared.values()] } };
}
