/**
 * The graph layer: the ONNX-shaped IR (models, graphs, nodes, typed attributes), run-time
 * values, constants <-> tensors, and the interpreter that runs a graph through an op table.
 */
export type {
  Model, Graph, Node, Attribute, AttributeType, ValueInfo, ValueType, Dim, TensorData, SparseTensorData, FunctionDef, OpsetImport,
  StringPair, ExternalLocation,
} from "./ir.ts";
export { findAttribute, opsetVersion } from "./ir.ts";
export { type ElemType, elemTypeCode, elemTypeFromCode, isTensorElemType } from "./elem-type.ts";
export { HostTensor, type GraphValue, type HostArray, elemTypeOf, isTensorLike } from "./value.ts";
export { valueFromTensorData, tensorDataFromValue, denseFromSparse } from "./tensor-data.ts";
export { castValue, numbersOf, valueFromNumbers } from "./host-values.ts";
export { encodeSmall, decodeSmall, type EncodeOptions } from "./small-floats.ts";
export { Attributes } from "./attributes.ts";
export { Interpreter, type OpContext, type OpImpl, type OpResolver, type InterpreterOptions } from "./interpreter.ts";
