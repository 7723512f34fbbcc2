/**
 * The one place tracing listens to eager execution: while an observer is installed,
 * `apply` reports every op record it runs and `assignInPlace` every in-place write.
 * src/graph/trace.ts installs one for the duration of a traced call; nothing else should.
 */
import type { Tensor } from "../core/tensor.ts";
import type { OpDef } from "./define-op.ts";

export interface OpObserver {
  /** `def` ran on `inputs` with `attrs` and produced `outputs`. */
  op(def: OpDef<unknown>, inputs: readonly Tensor[], attrs: unknown, outputs: readonly Tensor[]): void;
  /** `target` now holds the values of `source` (an in-place op wrote them). */
  assign(target: Tensor, source: Tensor): void;
}

let current: OpObserver | null = null;

/** The installed observer, if any. */
export function opObserver(): OpObserver | null {
  return current;
}

/** Installs `observer` (null removes it); returns the one it replaced. */
export function setOpObserver(observer: OpObserver | null): OpObserver | null {
  const previous = current;
  current = observer;
  return previous;
}
