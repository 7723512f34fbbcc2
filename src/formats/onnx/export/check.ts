/**
 * A model checker for what concord writes (and anything else): value names defined once,
 * every node input defined before the node (topological order), every value typed, types
 * and static shapes consistent with what shape inference derives, and opset imports that
 * cover the operators used and the form each opset gives them (Reduce* axes as inputs
 * from 18, ReduceSum/Squeeze/Unsqueeze/Split from 13).
 */
import { ValueError } from "../../../core/errors.ts";
import type { Dim, Graph, Model } from "../../../graph/ir.ts";
import { opsetVersion } from "../../../graph/ir.ts";
import { nodeReads } from "../../../graph/passes/graph-walk.ts";
import { inferShapes, type InferredType } from "../../../graph/passes/shape-inference.ts";

/** The opset in which each default-domain operator first appeared. */
const SINCE: Readonly<Record<string, number>> = {
  Abs: 1, Acos: 7, Acosh: 9, Add: 1, And: 1, ArgMax: 1, ArgMin: 1, Asin: 7, Asinh: 9, Atan: 7, Atanh: 9,
  AveragePool: 1, BatchNormalization: 1, BitShift: 11, BitwiseAnd: 18, BitwiseNot: 18, BitwiseOr: 18,
  BitwiseXor: 18, Cast: 1, Ceil: 1, Celu: 12, Clip: 1, Concat: 1, Constant: 1, ConstantOfShape: 9, Conv: 1,
  ConvTranspose: 1, Cos: 7, Cosh: 9, CumSum: 11, DepthToSpace: 1, Div: 1, Dropout: 1, Einsum: 12, Elu: 1,
  Equal: 1, Erf: 9, Exp: 1, Expand: 8, Flatten: 1, Floor: 1, GRU: 1, Gather: 1, GatherElements: 11,
  GatherND: 11, Gelu: 20, Gemm: 1, GlobalAveragePool: 1, GlobalMaxPool: 1, Greater: 1, GreaterOrEqual: 12,
  GroupNormalization: 18, HardSigmoid: 6, HardSwish: 14, Identity: 1, If: 1, InstanceNormalization: 1,
  IsInf: 10, IsNaN: 9, LRN: 1, LSTM: 1, LayerNormalization: 17, LeakyRelu: 1, Less: 1, LessOrEqual: 12,
  Log: 1, LogSoftmax: 1, Loop: 1, MatMul: 1, Max: 1, MaxPool: 1, Mean: 1, Min: 1, Mish: 18, Mod: 10, Mul: 1,
  Neg: 1, NonZero: 9, Not: 1, Or: 1, PRelu: 1, Pad: 1, Pow: 1, RNN: 1, Range: 11, Reciprocal: 1,
  ReduceL1: 1, ReduceL2: 1, ReduceLogSumExp: 1, ReduceMax: 1, ReduceMean: 1, ReduceMin: 1, ReduceProd: 1,
  ReduceSum: 1, ReduceSumSquare: 1, Relu: 1, Reshape: 1, Resize: 10, Round: 11, ScatterElements: 11,
  ScatterND: 11, Selu: 1, Shape: 1, Sigmoid: 1, Sign: 9, Sin: 7, Sinh: 9, Size: 1, Slice: 1, Softmax: 1,
  Softplus: 1, Softsign: 1, SpaceToDepth: 1, Split: 1, Sqrt: 1, Squeeze: 1, Sub: 1, Sum: 1, Tan: 7, Tanh: 1,
  Tile: 1, TopK: 1, Transpose: 1, Trilu: 14, Unsqueeze: 1, Where: 9, Xor: 1,
};

/** Operators whose `axes` moved from an attribute to an input, and the opset where it did. */
const AXES_INPUT_SINCE: Readonly<Record<string, number>> = {
  ReduceSum: 13, Squeeze: 13, Unsqueeze: 13, ReduceMax: 18, ReduceMin: 18, ReduceMean: 18, ReduceProd: 18,
  ReduceL1: 18, ReduceL2: 18, ReduceLogSumExp: 18, ReduceSumSquare: 18,
};

export interface CheckOptions {
  /** Report default-domain operators the checker does not know (default false). */
  strictOps?: boolean;
}

function formatDims(d: readonly Dim[] | undefined): string {
  return d ? `[${d.map((x) => (x === null ? "?" : String(x))).join(", ")}]` : "(unknown)";
}

function checkGraph(g: Graph, model: Model, options: CheckOptions, problems: string[]): void {
  const defined = new Set<string>();
  const define = (name: string, what: string) => {
    if (name === "") return;
    if (defined.has(name)) problems.push(`${what}: value ${name} is defined more than once`);
    defined.add(name);
  };
  const inputNames = new Set(g.inputs.map((v) => v.name));
  for (const v of g.inputs) define(v.name, "graph input");
  for (const t of g.initializers) {
    if (!t.name) problems.push("an initializer has no name");
    else if (!inputNames.has(t.name)) define(t.name, "initializer");
  }
  const typed = new Set([...g.inputs, ...g.outputs, ...g.valueInfo].filter((v) => v.type && v.type.kind !== "unset").map((v) => v.name));
  for (const t of g.initializers) typed.add(t.name ?? "");
  for (const v of g.inputs) if (!typed.has(v.name)) problems.push(`graph input ${v.name} has no type`);

  g.nodes.forEach((node, i) => {
    const label = `node ${i} (${node.opType}${node.name ? " " + node.name : ""})`;
    for (const name of nodeReads(node))
      if (!defined.has(name)) problems.push(`${label}: input ${name} is not defined before the node`);
    for (const o of node.outputs) {
      define(o, label);
      if (o !== "" && !typed.has(o)) problems.push(`${label}: output ${o} has no type`);
    }
    const domain = node.domain === "ai.onnx" ? "" : node.domain;
    const version = opsetVersion(model.opsetImports, domain);
    if (version === undefined) {
      problems.push(`${label}: the model imports no opset for domain "${domain}"`);
      return;
    }
    if (domain !== "") return;
    const since = SINCE[node.opType];
    if (since === undefined) {
      if (options.strictOps) problems.push(`${label}: unknown operator ${node.opType}`);
    } else if (since > version) problems.push(`${label}: ${node.opType} needs opset ${since}, the model imports ${version}`);
    const axesSince = AXES_INPUT_SINCE[node.opType];
    if (axesSince !== undefined && node.attributes.some((a) => a.name === "axes") && version >= axesSince)
      problems.push(`${label}: from opset ${axesSince} ${node.opType} takes axes as an input, not an attribute`);
  });
  for (const o of g.outputs) if (!defined.has(o.name)) problems.push(`graph output ${o.name} is never computed`);
}

/** Declared types vs. what shape inference derives, where both are known. */
function checkTypes(g: Graph, inferred: ReadonlyMap<string, InferredType>, problems: string[]): void {
  for (const v of [...g.valueInfo, ...g.outputs]) {
    const t = v.type;
    const known = inferred.get(v.name);
    if (!known || !t || t.kind !== "tensor") continue;
    if (t.elemType !== undefined && known.elemType !== undefined && t.elemType !== known.elemType)
      problems.push(`value ${v.name} is declared ${t.elemType} but computed as ${known.elemType}`);
    if (t.shape && known.shape) {
      const clash =
        t.shape.length !== known.shape.length ||
        t.shape.some((d, i) => typeof d === "number" && typeof known.shape![i] === "number" && d !== known.shape![i]);
      if (clash) problems.push(`value ${v.name} is declared ${formatDims(t.shape)} but computed as ${formatDims(known.shape)}`);
    }
  }
}

/** Problems found in `model` (empty when it is valid). */
export function checkModel(model: Model, options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  if (!model.opsetImports.some((o) => o.domain === "" || o.domain === "ai.onnx")) problems.push("the model imports no default-domain opset");
  checkGraph(model.graph, model, options, problems);
  if (problems.length === 0) checkTypes(model.graph, inferShapes(model).types, problems);
  return problems;
}

/** Throws a ValueError listing the problems of an invalid model. */
export function assertValidModel(model: Model, options: CheckOptions = {}): void {
  const problems = checkModel(model, options);
  if (problems.length) throw new ValueError(`invalid ONNX model:\n  ${problems.slice(0, 20).join("\n  ")}${problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : ""}`);
}
