/**
 * GGUF (llama.cpp / ggml), versions 2 and 3: metadata, tensor infos and tensor data, with
 * ggml's block quantizations dequantized to float32. Reading only. File helpers for Node
 * are in `./node.ts`.
 */
export { load, readTensor, isSupportedType, type Gguf, type LoadOptions } from "./load.ts";
export { readHeader, type GgufHeader, type GgufTensorInfo, type GgufValue } from "./header.ts";
export { GGML_TYPES, type GgmlType } from "./ggml-types.ts";
