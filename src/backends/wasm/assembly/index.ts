// The wasm backend's kernels, compiled by AssemblyScript (scripts/build-wasm.mjs) into one
// module that imports a (shared) memory. Every export takes byte pointers into that memory
// plus sizes; nothing here allocates, so instances on several threads can share the memory.
export * from "./unary";
export * from "./binary";
export * from "./reduce";
export * from "./softmax";
export * from "./gemm";
export * from "./conv";
export * from "./conv-channels";
export * from "./pool";
export * from "./norm";
export * from "./embedding";
export * from "./attention";

/** Where the kernels' static data ends: the heap starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
export * from "./optim";
