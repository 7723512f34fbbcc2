/** ONNX export by tracing, the model checker, and graph optimization. */
export { exportModel, exportOnnx, DEFAULT_OPSET, MIN_OPSET, MAX_OPSET, type ExportOptions } from "./export.ts";
export { checkModel, assertValidModel, type CheckOptions } from "./check.ts";
export { optimize, optimizeWithStats } from "./optimize.ts";
