/**
 * The operator table: ONNX (domain, op type) -> implementations by opset version. Each
 * family file exports an `OpFamily`; `index.ts` joins them and resolves a node to the
 * entry with the largest `since` not above the version the model imports.
 */
import type { OpImpl } from "../../../graph/interpreter.ts";

/** One implementation, valid from opset `since` until the next entry's `since`. */
export interface OpVersion {
  readonly since: number;
  readonly impl: OpImpl;
}

/**
 * A family of ops: key "OpType" for the default domain, "domain/OpType" otherwise; the
 * value one implementation for every version, or a list by version.
 */
export type OpFamily = Readonly<Record<string, OpImpl | readonly OpVersion[]>>;

export function resolveIn(table: ReadonlyMap<string, readonly OpVersion[]>, domain: string, opType: string, version: number): OpImpl | undefined {
  const entries = table.get(domain ? `${domain}/${opType}` : opType);
  if (!entries) return undefined;
  let best: OpVersion | undefined;
  for (const e of entries) if (e.since <= version && (!best || e.since > best.since)) best = e;
  return best?.impl;
}

export function buildTable(families: readonly OpFamily[]): Map<string, readonly OpVersion[]> {
  const table = new Map<string, readonly OpVersion[]>();
  for (const family of families)
    for (const [key, value] of Object.entries(family)) {
      const list = typeof value === "function" ? [{ since: 1, impl: value as OpImpl }] : (value as readonly OpVersion[]);
      table.set(key, [...(table.get(key) ?? []), ...list]);
    }
  return table;
}
