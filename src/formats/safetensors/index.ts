/**
 * safetensors (Hugging Face): a JSON header and raw little-endian tensor data.
 * `load` reads, `save` writes; `readHeader` validates and lists entries without reading data.
 * File helpers for Node are in `./node.ts`.
 */
export { load, type LoadOptions, type Safetensors } from "./read.ts";
export { save, type SaveOptions } from "./write.ts";
export { readHeader, MAX_HEADER_BYTES, type SafetensorsHeader, type SafetensorsEntry } from "./header.ts";
export { SAFETENSORS_DTYPES, type SafetensorsDType } from "./dtypes.ts";
