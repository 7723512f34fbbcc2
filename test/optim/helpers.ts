/** Shared by the optim tests: fixture values back into state-dict values, and optimizer makers. */
import { Tensor } from "../../src/index.ts";
import * as optim from "../../src/optim/index.ts";
import type { StateValue } from "../../src/optim/index.ts";
import { decode, type TensorSpec } from "../helpers/fixtures.ts";

/** A fixture value (see scripts/fixtures/gen_optim.py `plain`) as a state-dict value. */
export function unplain(x: unknown): StateValue {
  if (Array.isArray(x)) return x.map(unplain);
  if (x !== null && typeof x === "object") {
    const o = x as Record<string, unknown>;
    if ("tensor" in o && Object.keys(o).length === 1) return decode(o["tensor"] as TensorSpec);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unplain(v)]));
  }
  if (x === "inf") return Infinity;
  if (x === "-inf") return -Infinity;
  return x as StateValue;
}

export type AnyOptimizer = optim.Optimizer<{ lr: number }, optim.ParamState>;

/** `new optim[name](params, options)` for the optimizers the fixtures use. */
export function makeOptimizer(name: string, params: Iterable<Tensor> | Iterable<Record<string, unknown>>, options: Record<string, unknown>): AnyOptimizer {
  const ctor = (optim as unknown as Record<string, new (p: unknown, o: unknown) => AnyOptimizer>)[name];
  if (ctor === undefined) throw new Error(`no optimizer ${name}`);
  return new ctor(params, options);
}
