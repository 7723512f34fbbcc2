/**
 * The graph IR: ONNX-shaped (models, graphs, nodes, typed attributes, value infos,
 * functions), with every field of the ONNX protos kept so a model read from a file writes
 * back the same. Formats convert to and from it (src/formats/onnx/); tracing an eager call
 * produces it; src/graph/interpreter.ts runs it.
 */
import type { ElemType } from "./elem-type.ts";
import type { HostArray } from "./value.ts";

/** A dimension: a size, a symbolic name, or unknown (null). */
export type Dim = number | string | null;

/** The type of a value (ONNX `TypeProto`). */
export type ValueType =
  | { kind: "tensor"; elemType: ElemType | undefined; shape?: Dim[]; dimDenotations?: (string | undefined)[]; denotation?: string }
  | { kind: "sparse_tensor"; elemType: ElemType | undefined; shape?: Dim[]; dimDenotations?: (string | undefined)[]; denotation?: string }
  | { kind: "sequence"; elem?: ValueType; denotation?: string }
  | { kind: "optional"; elem?: ValueType; denotation?: string }
  | { kind: "map"; keyType: ElemType | undefined; value?: ValueType; denotation?: string }
  | { kind: "opaque"; domain?: string; name?: string; denotation?: string }
  | { kind: "unset"; denotation?: string };

export interface StringPair {
  key: string;
  value: string;
}

/** Where a tensor's bytes live outside the model file (ONNX external data). */
export interface ExternalLocation {
  location: string;
  offset?: number;
  length?: number;
  checksum?: string;
  /** Other keys of `external_data`, in file order. */
  extra?: StringPair[];
}

/** A constant tensor: an initializer, a tensor attribute or a test input. */
export interface TensorData {
  name?: string;
  elemType: ElemType;
  dims: number[];
  data: HostArray;
  docString?: string;
  metadataProps?: StringPair[];
  /** How the file stored the values; a writer keeps it ("raw" = raw_data, "fields" = the typed fields). */
  storage?: "raw" | "fields";
  /** Set when the values came from (or should go to) a side file. */
  external?: ExternalLocation;
}

export interface SparseTensorData {
  values: TensorData;
  indices: TensorData;
  dims: number[];
}

interface AttrBase {
  name: string;
  docString?: string;
  /** Inside a function body: the function attribute this one takes its value from. */
  refAttrName?: string;
}

/** A node attribute, typed as ONNX types it. Integers are bigint (ONNX ints are int64). */
export type Attribute = AttrBase &
  (
    | { type: "float"; value: number }
    | { type: "int"; value: bigint }
    | { type: "string"; value: string }
    | { type: "tensor"; value: TensorData }
    | { type: "graph"; value: Graph }
    | { type: "sparse_tensor"; value: SparseTensorData }
    | { type: "type_proto"; value: ValueType }
    | { type: "floats"; value: number[] }
    | { type: "ints"; value: bigint[] }
    | { type: "strings"; value: string[] }
    | { type: "tensors"; value: TensorData[] }
    | { type: "graphs"; value: Graph[] }
    | { type: "sparse_tensors"; value: SparseTensorData[] }
    | { type: "type_protos"; value: ValueType[] }
    | { type: "undefined"; value: null }
  );

export type AttributeType = Attribute["type"];

export interface ValueInfo {
  name: string;
  type?: ValueType;
  docString?: string;
  metadataProps?: StringPair[];
}

export interface Node {
  opType: string;
  /** "" (or "ai.onnx") is the default ONNX domain. */
  domain: string;
  name?: string;
  /** Value names; "" marks an omitted optional input or output. */
  inputs: string[];
  outputs: string[];
  attributes: Attribute[];
  overload?: string;
  docString?: string;
  metadataProps?: StringPair[];
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  initializers: TensorData[];
  sparseInitializers: SparseTensorData[];
  docString?: string;
  metadataProps?: StringPair[];
  quantizationAnnotation?: { tensorName: string; quantParameterTensorNames: StringPair[] }[];
}

/** A model-local function (ONNX `FunctionProto`). */
export interface FunctionDef {
  name: string;
  domain: string;
  overload?: string;
  inputs: string[];
  outputs: string[];
  /** Attribute names without defaults. */
  attributeNames: string[];
  /** Attributes with defaults. */
  attributeDefaults: Attribute[];
  nodes: Node[];
  opsetImports: OpsetImport[];
  valueInfo: ValueInfo[];
  docString?: string;
  metadataProps?: StringPair[];
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph: Graph;
  metadataProps?: StringPair[];
  functions: FunctionDef[];
  /**
   * Fields concord does not interpret (training_info, configuration), kept as decoded
   * protobuf objects so that writing the model keeps them.
   */
  extra?: Record<string, unknown>;
}

/** The attribute called `name`, if the node has it. */
export function findAttribute(node: Pick<Node, "attributes">, name: string): Attribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

/** The version of `domain` the model imports ("" and "ai.onnx" are the same domain). */
export function opsetVersion(imports: readonly OpsetImport[], domain: string): number | undefined {
  const d = domain === "ai.onnx" ? "" : domain;
  return imports.find((o) => (o.domain === "ai.onnx" ? "" : o.domain) === d)?.version;
}
