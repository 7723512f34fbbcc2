/**
 * The graph IR -> ONNX protobuf messages (plain objects protobufjs encodes).
 */
import { elemTypeCode } from "../../graph/elem-type.ts";
import type { Attribute, Dim, FunctionDef, Graph, Model, Node, OpsetImport, SparseTensorData, StringPair, ValueInfo, ValueType } from "../../graph/ir.ts";
import { ATTRIBUTE_CODES } from "./from-proto.ts";
import { toLong, type Msg } from "./proto.ts";
import { encodeUtf8, tensorToProto, type ExternalWriter } from "./tensor-proto.ts";

interface Ctx {
  writeExternal?: ExternalWriter;
}

function put(msg: Msg, field: string, value: unknown): void {
  if (value !== undefined) msg[field] = value;
}
const pairs = (p: StringPair[] | undefined) => p?.map((x) => ({ key: x.key, value: x.value }));

function dimToProto(d: Dim, denotation: string | undefined): Msg {
  const m: Msg = typeof d === "number" ? { dim_value: toLong(d) } : typeof d === "string" ? { dim_param: d } : {};
  put(m, "denotation", denotation);
  return m;
}

export function typeToProto(t: ValueType): Msg {
  const msg: Msg = {};
  switch (t.kind) {
    case "tensor":
    case "sparse_tensor": {
      const inner: Msg = {};
      if (t.elemType !== undefined) inner.elem_type = elemTypeCode(t.elemType);
      if (t.shape) inner.shape = { dim: t.shape.map((d, i) => dimToProto(d, t.dimDenotations?.[i])) };
      msg[`${t.kind}_type`] = inner;
      break;
    }
    case "sequence":
    case "optional":
      msg[`${t.kind}_type`] = t.elem ? { elem_type: typeToProto(t.elem) } : {};
      break;
    case "map": {
      const inner: Msg = {};
      if (t.keyType !== undefined) inner.key_type = elemTypeCode(t.keyType);
      if (t.value) inner.value_type = typeToProto(t.value);
      msg.map_type = inner;
      break;
    }
    case "opaque": {
      const inner: Msg = {};
      put(inner, "domain", t.domain);
      put(inner, "name", t.name);
      msg.opaque_type = inner;
      break;
    }
    case "unset":
      break;
  }
  put(msg, "denotation", t.denotation);
  return msg;
}

function valueInfoToProto(v: ValueInfo): Msg {
  const m: Msg = { name: v.name };
  if (v.type) m.type = typeToProto(v.type);
  put(m, "doc_string", v.docString);
  put(m, "metadata_props", pairs(v.metadataProps));
  return m;
}

function sparseToProto(s: SparseTensorData, ctx: Ctx): Msg {
  return { values: tensorToProto(s.values, ctx.writeExternal), indices: tensorToProto(s.indices, ctx.writeExternal), dims: s.dims.map((d) => toLong(d)) };
}

function attributeToProto(a: Attribute, ctx: Ctx): Msg {
  const m: Msg = { name: a.name, type: ATTRIBUTE_CODES[a.type] };
  put(m, "ref_attr_name", a.refAttrName);
  put(m, "doc_string", a.docString);
  switch (a.type) {
    case "float": m.f = a.value; break;
    case "int": m.i = toLong(a.value); break;
    case "string": m.s = encodeUtf8(a.value); break;
    case "tensor": m.t = tensorToProto(a.value, ctx.writeExternal); break;
    case "graph": m.g = graphToProto(a.value, ctx); break;
    case "sparse_tensor": m.sparse_tensor = sparseToProto(a.value, ctx); break;
    case "type_proto": m.tp = typeToProto(a.value); break;
    case "floats": m.floats = a.value.slice(); break;
    case "ints": m.ints = a.value.map((v) => toLong(v)); break;
    case "strings": m.strings = a.value.map(encodeUtf8); break;
    case "tensors": m.tensors = a.value.map((t) => tensorToProto(t, ctx.writeExternal)); break;
    case "graphs": m.graphs = a.value.map((g) => graphToProto(g, ctx)); break;
    case "sparse_tensors": m.sparse_tensors = a.value.map((s) => sparseToProto(s, ctx)); break;
    case "type_protos": m.type_protos = a.value.map(typeToProto); break;
    case "undefined": break;
  }
  return m;
}

function nodeToProto(n: Node, ctx: Ctx): Msg {
  const m: Msg = { input: n.inputs.slice(), output: n.outputs.slice(), op_type: n.opType };
  put(m, "name", n.name);
  if (n.domain !== "") m.domain = n.domain;
  put(m, "overload", n.overload);
  m.attribute = n.attributes.map((a) => attributeToProto(a, ctx));
  put(m, "doc_string", n.docString);
  put(m, "metadata_props", pairs(n.metadataProps));
  return m;
}

export function graphToProto(g: Graph, ctx: Ctx = {}): Msg {
  const m: Msg = {
    node: g.nodes.map((n) => nodeToProto(n, ctx)),
    name: g.name,
    initializer: g.initializers.map((t) => tensorToProto(t, ctx.writeExternal)),
    sparse_initializer: g.sparseInitializers.map((s) => sparseToProto(s, ctx)),
    input: g.inputs.map(valueInfoToProto),
    output: g.outputs.map(valueInfoToProto),
    value_info: g.valueInfo.map(valueInfoToProto),
  };
  put(m, "doc_string", g.docString);
  put(m, "metadata_props", pairs(g.metadataProps));
  if (g.quantizationAnnotation)
    m.quantization_annotation = g.quantizationAnnotation.map((a) => ({
      tensor_name: a.tensorName,
      quant_parameter_tensor_names: pairs(a.quantParameterTensorNames),
    }));
  return m;
}

const opsets = (l: OpsetImport[]) => l.map((o) => ({ domain: o.domain, version: toLong(o.version) }));

function functionToProto(f: FunctionDef, ctx: Ctx): Msg {
  const m: Msg = {
    name: f.name,
    input: f.inputs.slice(),
    output: f.outputs.slice(),
    attribute: f.attributeNames.slice(),
    attribute_proto: f.attributeDefaults.map((a) => attributeToProto(a, ctx)),
    node: f.nodes.map((n) => nodeToProto(n, ctx)),
    opset_import: opsets(f.opsetImports),
    domain: f.domain,
    value_info: f.valueInfo.map(valueInfoToProto),
  };
  put(m, "overload", f.overload);
  put(m, "doc_string", f.docString);
  put(m, "metadata_props", pairs(f.metadataProps));
  return m;
}

/** A Model as a ModelProto object; `writeExternal` places tensors marked `external` in side files. */
export function modelToProto(model: Model, writeExternal?: ExternalWriter): Msg {
  const ctx: Ctx = writeExternal ? { writeExternal } : {};
  const m: Msg = { ir_version: toLong(model.irVersion), opset_import: opsets(model.opsetImports) };
  put(m, "producer_name", model.producerName);
  put(m, "producer_version", model.producerVersion);
  put(m, "domain", model.domain);
  if (model.modelVersion !== undefined) m.model_version = toLong(model.modelVersion);
  put(m, "doc_string", model.docString);
  m.graph = graphToProto(model.graph, ctx);
  put(m, "metadata_props", pairs(model.metadataProps));
  m.functions = model.functions.map((f) => functionToProto(f, ctx));
  for (const [k, v] of Object.entries(model.extra ?? {})) m[k] = v;
  return m;
}
