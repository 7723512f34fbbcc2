/**
 * The tape: a graph of nodes, one per recorded op call, linked to the nodes that made
 * their inputs. Leaves that require grad end in an AccumulateGrad node. As in micrograd,
 * each node knows how to turn output gradients into input gradients; as in PyTorch, the
 * edges are captured when the op runs, so later in-place ops on a tensor do not rewire
 * the past.
 */
import { AutogradError } from "../core/errors.ts";
import type { GradNode, Tensor } from "../core/tensor.ts";
import type { TensorMeta } from "../ops/define-op.ts";

/** A link to output `index` of `node`. */
export interface Edge {
  readonly node: Node;
  readonly index: number;
}

/** A hook on a gradient: may return a replacement. */
export type GradHook = (grad: Tensor) => Tensor | void;

export class Node implements GradNode {
  /** Hooks per output index, run on the gradient flowing into that output. */
  readonly hooks = new Map<number, GradHook[]>();
  /** Tensors that asked to keep their gradient (`retainGrad()`), by output index. */
  readonly retained = new Map<number, WeakRef<Tensor>>();
  private released = false;

  constructor(
    readonly name: string,
    /** One edge per input of the op; null where the input needs no gradient. */
    readonly next: readonly (Edge | null)[],
    /** Shape and dtype of each output, to make zero gradients for unused outputs. */
    readonly outputMetas: readonly TensorMeta[],
    private backwardFn: ((grads: readonly Tensor[]) => readonly (Tensor | null)[]) | null,
  ) {}

  /** Input gradients from output gradients. */
  apply(grads: readonly Tensor[]): readonly (Tensor | null)[] {
    if (this.released || this.backwardFn === null)
      throw new AutogradError(
        `trying to backward through the graph a second time (through ${this.name}); ` +
          "the saved values were freed after the first backward. Pass retainGraph: true to the first backward",
      );
    return this.backwardFn(grads);
  }

  /** Frees what the node saved for backward (after a backward without retainGraph). */
  release(): void {
    this.released = true;
    this.backwardFn = null;
  }

  addHook(index: number, hook: GradHook): () => void {
    const list = this.hooks.get(index) ?? [];
    list.push(hook);
    this.hooks.set(index, list);
    return () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
    };
  }
}

/** The node at the end of every leaf that requires grad: adds incoming gradients to `.grad`. */
export class AccumulateGrad extends Node {
  constructor(readonly variable: Tensor) {
    super("AccumulateGrad", [], [{ shape: variable.shape, dtype: variable.dtype }], null);
  }
}

/** The edge gradients for `t` flow into, or null when `t` does not require grad. */
export function gradEdge(t: Tensor): Edge | null {
  if (t.gradFn !== null) return { node: t.gradFn as Node, index: t.outputIndex };
  if (!t.requiresGrad) return null;
  if (!(t.accumulator instanceof AccumulateGrad)) t.accumulator = new AccumulateGrad(t);
  return { node: t.accumulator as AccumulateGrad, index: 0 };
}
