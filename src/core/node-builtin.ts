/**
 * Node's built-in modules, reached at call time through `process.getBuiltinModule`
 * (Node >= 20.16), so no module of the library imports `node:*` statically and browser
 * bundles stay free of them. In a browser these return undefined / throw a clear error.
 */
import { UnsupportedError } from "./errors.ts";

/** The built-in module `name` ("fs", "os", "worker_threads", ...), or undefined outside Node. */
export function nodeBuiltin<T>(name: string): T | undefined {
  const g = globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } };
  return g.process?.getBuiltinModule?.(name) as T | undefined;
}

/** `nodeBuiltin`, or an UnsupportedError saying that `what` needs Node.js. */
export function requireNodeBuiltin<T>(name: string, what: string): T {
  const m = nodeBuiltin<T>(name);
  if (m === undefined) throw new UnsupportedError(`${what} needs Node.js (>= 20.16); in a browser pass the bytes (Uint8Array) instead`);
  return m;
}
