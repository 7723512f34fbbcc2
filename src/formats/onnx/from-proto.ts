/**
 * Decoded ONNX protobuf messages -> the graph IR (src/graph/ir.ts), every field kept.
 */
import { FormatError } from "../../core/errors.ts";
import { elemTypeFromCode, type ElemType } from "../../graph/elem-type.ts";
import type {
  Attribute, Dim, FunctionDef, Graph, Model, Node, OpsetImport, SparseTensorData, StringPair, ValueInfo, ValueType,
} from "../../graph/ir.ts";
import { has, toBigInt, toNumber, type Msg } from "./proto.ts";
import { checkedNumel, decodeUtf8, tensorFromProto, type ExternalReader } from "./tensor-proto.ts";

/** Protobuf attribute type codes (AttributeProto.AttributeType). */
export const ATTRIBUTE_CODES = {
  undefined: 0, float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7, strings: 8, tensors: 9,
  graphs: 10, sparse_tensor: 11, sparse_tensors: 12, type_proto: 13, type_protos: 14,
} as const satisfies Record<Attribute["type"], number>;

const ATTRIBUTE_TYPES = Object.fromEntries(Object.entries(ATTRIBUTE_CODES).map(([k, v]) => [v, k])) as Record<number, Attribute["type"]>;

interface Ctx {
  readExternal?: ExternalReader;
  /** Nesting depth of subgraphs, bounded so a hostile file cannot exhaust the stack. */
  depth: number;
}
const MAX_DEPTH = 64;

const str = (msg: Msg, field: string): string | undefined => (has(msg, field) ? String(msg[field]) : undefined);
const list = (msg: Msg, field: string): Msg[] => (msg[field] ?? []) as Msg[];

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export function stringPairs(v: unknown): StringPair[] | undefined {
  const l = (v ?? []) as Msg[];
  return l.length ? l.map((p) => ({ key: String(p.key ?? ""), value: String(p.value ?? "") })) : undefined;
}

function elemType(code: unknown, what: string): ElemType | undefined {
  const c = toNumber(code ?? 0);
  if (c === 0) return undefined;
  const t = elemTypeFromCode(c);
  if (t === undefined) throw new FormatError(`${what}: unknown element type ${c}`);
  return t;
}

function shapeFromProto(shape: Msg): { shape: Dim[]; dimDenotations?: (string | undefined)[] } {
  const dims = list(shape, "dim");
  const out: { shape: Dim[]; dimDenotations?: (string | undefined)[] } = {
    shape: dims.map((d) => (has(d, "dim_value") ? toNumber(d.dim_value) : has(d, "dim_param") ? String(d.dim_param) : null)),
  };
  if (dims.some((d) => has(d, "denotation"))) out.dimDenotations = dims.map((d) => str(d, "denotation"));
  return out;
}

export function typeFromProto(msg: Msg, what: string): ValueType {
  const denotation = str(msg, "denotation");
  let t: ValueType;
  if (has(msg, "tensor_type") || has(msg, "sparse_tensor_type")) {
    const kind = has(msg, "tensor_type") ? "tensor" : "sparse_tensor";
    const tt = msg[`${kind}_type`] as Msg;
    t = { kind, elemType: elemType(tt.elem_type, what) };
    if (has(tt, "shape")) Object.assign(t, shapeFromProto(tt.shape as Msg));
  } else if (has(msg, "sequence_type") || has(msg, "optional_type")) {
    const kind = has(msg, "sequence_type") ? "sequence" : "optional";
    const inner = msg[`${kind}_type`] as Msg;
    const seq: ValueType & { kind: "sequence" | "optional" } = { kind };
    if (has(inner, "elem_type")) seq.elem = typeFromProto(inner.elem_type as Msg, what);
    t = seq;
  } else if (has(msg, "map_type")) {
    const m = msg.map_type as Msg;
    t = { kind: "map", keyType: elemType(m.key_type, what) };
    if (has(m, "value_type")) t.value = typeFromProto(m.value_type as Msg, what);
  } else if (has(msg, "opaque_type")) {
    const o = msg.opaque_type as Msg;
    t = { kind: "opaque" };
    setIf(t, "domain", str(o, "domain"));
    setIf(t, "name", str(o, "name"));
  } else t = { kind: "unset" };
  if (denotation !== undefined) t.denotation = denotation;
  return t;
}

function valueInfoFromProto(msg: Msg): ValueInfo {
  const v: ValueInfo = { name: String(msg.name ?? "") };
  if (has(msg, "type")) v.type = typeFromProto(msg.type as Msg, `value ${v.name}`);
  setIf(v, "docString", str(msg, "doc_string"));
  setIf(v, "metadataProps", stringPairs(msg.metadata_props));
  return v;
}

function sparseFromProto(msg: Msg, ctx: Ctx): SparseTensorData {
  const values = tensorFromProto((msg.values ?? {}) as Msg, ctx.readExternal);
  const dims = ((msg.dims ?? []) as unknown[]).map(toNumber);
  // The dense shape is allocated when the tensor is used: bounded here like any tensor's.
  checkedNumel(dims, `sparse tensor ${values.name ?? "(unnamed)"}`);
  return { values, indices: tensorFromProto((msg.indices ?? {}) as Msg, ctx.readExternal), dims };
}

/** The attribute type of a message without `type` (IR version 1 files): the field that is set. */
function guessAttributeType(msg: Msg): Attribute["type"] {
  for (const [field, type] of [
    ["f", "float"], ["i", "int"], ["s", "string"], ["t", "tensor"], ["g", "graph"], ["sparse_tensor", "sparse_tensor"],
    ["tp", "type_proto"], ["floats", "floats"], ["ints", "ints"], ["strings", "strings"], ["tensors", "tensors"],
    ["graphs", "graphs"], ["sparse_tensors", "sparse_tensors"], ["type_protos", "type_protos"],
  ] as const)
    if (has(msg, field)) return type;
  return "undefined";
}

function attributeFromProto(msg: Msg, ctx: Ctx): Attribute {
  const name = String(msg.name ?? "");
  const what = `attribute ${name}`;
  const code = toNumber(msg.type ?? 0);
  const type = code === 0 ? guessAttributeType(msg) : ATTRIBUTE_TYPES[code];
  if (type === undefined) throw new FormatError(`${what}: unknown attribute type ${code}`);
  const base = { name } as { name: string; docString?: string; refAttrName?: string };
  setIf(base, "docString", str(msg, "doc_string"));
  setIf(base, "refAttrName", str(msg, "ref_attr_name"));
  const tensors = (f: string) => list(msg, f).map((t) => tensorFromProto(t, ctx.readExternal));
  switch (type) {
    case "float": return { ...base, type, value: Number(msg.f ?? 0) };
    case "int": return { ...base, type, value: toBigInt(msg.i ?? 0) };
    // An unset bytes field reads as protobufjs's prototype default (an empty Array), not bytes.
    case "string": return { ...base, type, value: has(msg, "s") ? decodeUtf8(msg.s as Uint8Array) : "" };
    case "tensor": return { ...base, type, value: tensorFromProto((msg.t ?? {}) as Msg, ctx.readExternal) };
    case "graph": return { ...base, type, value: graphFromProto((msg.g ?? {}) as Msg, ctx) };
    case "sparse_tensor": return { ...base, type, value: sparseFromProto((msg.sparse_tensor ?? {}) as Msg, ctx) };
    case "type_proto": return { ...base, type, value: typeFromProto((msg.tp ?? {}) as Msg, what) };
    case "floats": return { ...base, type, value: ((msg.floats ?? []) as number[]).map(Number) };
    case "ints": return { ...base, type, value: ((msg.ints ?? []) as unknown[]).map(toBigInt) };
    case "strings": return { ...base, type, value: ((msg.strings ?? []) as Uint8Array[]).map(decodeUtf8) };
    case "tensors": return { ...base, type, value: tensors("tensors") };
    case "graphs": return { ...base, type, value: list(msg, "graphs").map((g) => graphFromProto(g, ctx)) };
    case "sparse_tensors": return { ...base, type, value: list(msg, "sparse_tensors").map((s) => sparseFromProto(s, ctx)) };
    case "type_protos": return { ...base, type, value: list(msg, "type_protos").map((t) => typeFromProto(t, what)) };
    case "undefined": return { ...base, type, value: null };
  }
}

function nodeFromProto(msg: Msg, ctx: Ctx): Node {
  const n: Node = {
    opType: String(msg.op_type ?? ""),
    domain: String(msg.domain ?? ""),
    inputs: ((msg.input ?? []) as string[]).slice(),
    outputs: ((msg.output ?? []) as string[]).slice(),
    attributes: list(msg, "attribute").map((a) => attributeFromProto(a, ctx)),
  };
  setIf(n, "name", str(msg, "name"));
  setIf(n, "overload", str(msg, "overload"));
  setIf(n, "docString", str(msg, "doc_string"));
  setIf(n, "metadataProps", stringPairs(msg.metadata_props));
  return n;
}

export function graphFromProto(msg: Msg, ctx: Ctx): Graph {
  if (ctx.depth > MAX_DEPTH) throw new FormatError(`subgraphs nested more than ${MAX_DEPTH} deep`);
  const inner: Ctx = { ...ctx, depth: ctx.depth + 1 };
  const g: Graph = {
    name: String(msg.name ?? ""),
    nodes: list(msg, "node").map((n) => nodeFromProto(n, inner)),
    inputs: list(msg, "input").map(valueInfoFromProto),
    outputs: list(msg, "output").map(valueInfoFromProto),
    valueInfo: list(msg, "value_info").map(valueInfoFromProto),
    initializers: list(msg, "initializer").map((t) => tensorFromProto(t, ctx.readExternal)),
    sparseInitializers: list(msg, "sparse_initializer").map((s) => sparseFromProto(s, ctx)),
  };
  setIf(g, "docString", str(msg, "doc_string"));
  setIf(g, "metadataProps", stringPairs(msg.metadata_props));
  const qa = list(msg, "quantization_annotation");
  if (qa.length)
    g.quantizationAnnotation = qa.map((a) => ({
      tensorName: String(a.tensor_name ?? ""),
      quantParameterTensorNames: stringPairs(a.quant_parameter_tensor_names) ?? [],
    }));
  return g;
}

function opsetsFromProto(l: Msg[]): OpsetImport[] {
  return l.map((o) => ({ domain: String(o.domain ?? ""), version: toNumber(o.version ?? 0) }));
}

function functionFromProto(msg: Msg, ctx: Ctx): FunctionDef {
  const f: FunctionDef = {
    name: String(msg.name ?? ""),
    domain: String(msg.domain ?? ""),
    inputs: ((msg.input ?? []) as string[]).slice(),
    outputs: ((msg.output ?? []) as string[]).slice(),
    attributeNames: ((msg.attribute ?? []) as string[]).slice(),
    attributeDefaults: list(msg, "attribute_proto").map((a) => attributeFromProto(a, ctx)),
    nodes: list(msg, "node").map((n) => nodeFromProto(n, ctx)),
    opsetImports: opsetsFromProto(list(msg, "opset_import")),
    valueInfo: list(msg, "value_info").map(valueInfoFromProto),
  };
  setIf(f, "overload", str(msg, "overload"));
  setIf(f, "docString", str(msg, "doc_string"));
  setIf(f, "metadataProps", stringPairs(msg.metadata_props));
  return f;
}

/** A decoded ModelProto as a Model. */
export function modelFromProto(msg: Msg, readExternal?: ExternalReader): Model {
  const ctx: Ctx = { depth: 0 };
  if (readExternal) ctx.readExternal = readExternal;
  if (!has(msg, "graph")) throw new FormatError("the model has no graph (an empty file, or not an ONNX model?)");
  const m: Model = {
    irVersion: toNumber(msg.ir_version ?? 0),
    opsetImports: opsetsFromProto(list(msg, "opset_import")),
    graph: graphFromProto(msg.graph as Msg, ctx),
    functions: list(msg, "functions").map((f) => functionFromProto(f, ctx)),
  };
  setIf(m, "producerName", str(msg, "producer_name"));
  setIf(m, "producerVersion", str(msg, "producer_version"));
  setIf(m, "domain", str(msg, "domain"));
  if (has(msg, "model_version")) m.modelVersion = toNumber(msg.model_version);
  setIf(m, "docString", str(msg, "doc_string"));
  setIf(m, "metadataProps", stringPairs(msg.metadata_props));
  const extra: Record<string, unknown> = {};
  for (const field of ["training_info", "configuration"]) if (has(msg, field)) extra[field] = msg[field];
  if (Object.keys(extra).length) m.extra = extra;
  return m;
}
