/** ONNX export by tracing, and the model checker. */
export { exportModel, exportOnnx, DEFAULT_OPSET, MIN_OPSET, MAX_OPSET, type ExportOptions } from "./export.ts";
export { checkModel, assertValidModel, type CheckOptions } from "./check.ts";
