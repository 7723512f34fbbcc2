/**
 * ONNX: read and write models (every field kept), run them with concord's ops.
 *
 * ```ts
 * import { onnx } from "concord";
 * const model = await onnx.load("model.onnx");
 * const { y } = await model.run({ x });
 * ```
 */
export { load, loadSync, type LoadOptions } from "./load.ts";
export { save, encodeWithExternalData, type SaveOptions } from "./save.ts";
export { OnnxModel, type RunOutputs, type RunOptions } from "./model.ts";
export { decodeModel, encodeModel, decodeTensor, encodeTensor, decodeDataValue, type DataValue, type DecodeOptions } from "./codec.ts";
export { implementedOps } from "./ops/index.ts";
export type { ExternalReader, ExternalWriter } from "./tensor-proto.ts";
export {
  exportOnnx as export, exportModel, checkModel, assertValidModel, optimize, optimizeWithStats, DEFAULT_OPSET, MIN_OPSET, MAX_OPSET,
  type ExportOptions, type CheckOptions,
} from "./export/index.ts";
export { asModule, OnnxModule } from "./as-module.ts";
export { HostTensor, type GraphValue } from "../../graph/value.ts";
export type { Model } from "../../graph/ir.ts";
