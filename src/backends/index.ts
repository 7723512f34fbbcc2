/**
 * The backends concord knows, and which one new tensors go to. Nothing registers itself
 * on import: a backend joins by being listed here. The default is `wasm` wherever the
 * engine runs WebAssembly SIMD, else `js`; the environment variable CONCORD_BACKEND (in
 * Node) or `setBackend` chooses otherwise.
 */
import { ValueError } from "../core/errors.ts";
import type { Backend } from "./backend.ts";
import { jsBackend } from "./js/index.ts";
import { wasmBackend } from "./wasm/index.ts";
import { configureWasm, wasmRuntime, wasmSimdSupported, type WasmInfo, type WasmOptions } from "./wasm/runtime.ts";

export const backends: Record<string, Backend> = { js: jsBackend, wasm: wasmBackend };

function initialBackend(): Backend {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  const requested = g.process?.env?.CONCORD_BACKEND;
  if (requested === "js" || requested === "wasm") return backends[requested]!;
  return wasmSimdSupported() ? wasmBackend : jsBackend;
}

let current: Backend = initialBackend();

/** The backend new tensors are allocated on. */
export function getBackend(): Backend {
  return current;
}

/** Chooses the backend for new tensors: "wasm" (fast, the default) or "js" (the reference). */
export function setBackend(name: "js" | "wasm"): void {
  const b = backends[name];
  if (!b) throw new ValueError(`unknown backend ${name}; known: ${Object.keys(backends).join(", ")}`);
  if (b === wasmBackend && !wasmSimdSupported()) throw new ValueError("this JavaScript engine has no WebAssembly SIMD: use the js backend");
  current = b;
}

/** What the current backend is running with: SIMD variant, threads, shared memory. */
export function backendInfo(): { backend: string } & Partial<WasmInfo> {
  return current === wasmBackend ? { backend: "wasm", ...wasmRuntime().info() } : { backend: current.name };
}

/** Options of the wasm backend (threads, relaxed SIMD); applied when its runtime starts. */
export function configureWasmBackend(options: WasmOptions): void {
  configureWasm(options);
}

/** Resolves when the wasm backend's worker threads have started. */
export async function ready(): Promise<void> {
  if (current === wasmBackend) await wasmRuntime().pool.ready();
}

export { jsBackend, wasmBackend };
export type { Backend };
