/**
 * Reading local files, for the data sets that take a `root` folder. Node only: it reaches
 * node:fs through `process.getBuiltinModule` at call time, so nothing here is imported in
 * a browser bundle; in a browser the data sets are built from bytes instead.
 */
import { FormatError } from "../core/errors.ts";
import { requireNodeBuiltin } from "../core/node-builtin.ts";

interface NodeFs {
  readFileSync(path: string): Uint8Array;
  existsSync(path: string): boolean;
}

function nodeFs(): NodeFs {
  return requireNodeBuiltin<NodeFs>("fs", "reading data set files from a folder");
}

/** Joins path parts with "/" (Node accepts it on every platform). */
export function joinPath(...parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, "") : p.replace(/^[\\/]+|[\\/]+$/g, ""))).join("/");
}

/** The first of `candidates` that exists, or a FormatError listing where it looked. */
export function findFile(candidates: readonly string[], what: string): string {
  const fs = nodeFs();
  const found = candidates.find((p) => fs.existsSync(p));
  if (found === undefined) throw new FormatError(`${what} not found; looked for ${candidates.join(", ")}`);
  return found;
}

/** A file's bytes. */
export function readFileBytes(path: string): Uint8Array {
  return nodeFs().readFileSync(path);
}
