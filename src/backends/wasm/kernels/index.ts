/** The wasm kernel table: ops this backend accelerates (the rest fall back to js). */
import type { WasmKernel } from "../index.ts";
import { elementwiseKernels } from "./elementwise.ts";

export const wasmKernels: Record<string, WasmKernel> = {
  ...elementwiseKernels,
};
