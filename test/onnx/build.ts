/** Small IR builders for the ONNX tests: value infos, nodes, graphs and models. */
import type { Attribute, Dim, Graph, Model, Node, TensorData, ValueInfo } from "../../src/graph/ir.ts";

export const info = (name: string, shape: Dim[] = []): ValueInfo => ({ name, type: { kind: "tensor", elemType: "float32", shape } });
export const node = (opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = [], domain = ""): Node => ({ opType, domain, inputs, outputs, attributes });

export function graph(nodes: Node[], inputs: ValueInfo[], outputs: ValueInfo[], initializers: TensorData[] = []): Graph {
  return { name: "g", nodes, inputs, outputs, valueInfo: [], initializers, sparseInitializers: [] };
}

export function model(g: Graph, extra: Partial<Model> = {}): Model {
  return { irVersion: 10, opsetImports: [{ domain: "", version: 21 }], graph: g, functions: [], producerName: "concord-test", ...extra };
}

