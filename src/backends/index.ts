/**
 * The backends concord knows, and which one new tensors go to. Nothing registers itself
 * on import: a backend joins by being listed here.
 */
import type { Backend } from "./backend.ts";
import { jsBackend } from "./js/index.ts";

export const backends: Record<string, Backend> = { js: jsBackend };

let current: Backend = jsBackend;

/** The backend new tensors are allocated on. */
export function getBackend(): Backend {
  return current;
}

/** Chooses the backend for new tensors by name ("js", later "wasm"). */
export function setBackend(name: string): void {
  const b = backends[name];
  if (!b) throw new Error(`unknown backend ${name}; known: ${Object.keys(backends).join(", ")}`);
  current = b;
}

export { jsBackend };
export type { Backend };
