/**
 * The engine: walks the tape from the outputs back to the leaves, in an order where every
 * node runs after all nodes that feed it gradients (reverse post-order of a depth-first
 * walk, done iteratively so long graphs do not overflow the stack).
 */
import { AutogradError, ShapeError } from "../core/errors.ts";
import { formatShape, shapesEqual } from "../core/shape.ts";
import type { Storage } from "../core/storage.ts";
import type { Tensor } from "../core/tensor.ts";
import { onesLike, zeros } from "../ops/creation.ts";
import { isGradEnabled, setGradEnabled } from "./grad-mode.ts";
import { AccumulateGrad, gradEdge, type Edge, type Node } from "./tape.ts";

export interface BackwardOptions {
  /** Keep the saved values so backward can run through the graph again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (default: ones, for scalar outputs). */
  gradOutputs?: readonly (Tensor | null)[];
  /** Return null for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
}

/** Nodes reachable from `roots`, ordered so that each comes before the nodes it feeds. */
function topologicalOrder(roots: readonly Node[]): Node[] {
  const visited = new Set<Node>();
  const postOrder: Node[] = [];
  const stack: { node: Node; next: number }[] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.next.length) {
        const edge = top.node.next[top.next++];
        if (edge && !visited.has(edge.node)) {
          visited.add(edge.node);
          stack.push({ node: edge.node, next: 0 });
        }
      } else {
        postOrder.push(top.node);
        stack.pop();
      }
    }
  }
  return postOrder.reverse();
}

function rootGradients(outputs: readonly Tensor[], given: readonly (Tensor | null | undefined)[] | undefined): Tensor[] {
  return outputs.map((out, i) => {
    const g = given?.[i];
    if (g) {
      if (!shapesEqual(g.shape, out.shape))
        throw new ShapeError(`gradient ${i} has shape ${formatShape(g.shape)}, but its output has shape ${formatShape(out.shape)}`);
      return g;
    }
    if (out.size !== 1) throw new AutogradError("grad can be implicitly created only for scalar outputs");
    return onesLike(out);
  });
}

/** Casts a gradient to the dtype of the value it belongs to and checks its shape. */
function fitGradient(g: Tensor, edge: Edge, from: Node): Tensor {
  const meta = edge.node.outputMetas[edge.index]!;
  if (!shapesEqual(g.shape, meta.shape))
    throw new ShapeError(
      `${from.name} returned a gradient of shape ${formatShape(g.shape)} for a value of shape ${formatShape(meta.shape)}`,
    );
  return g.dtype === meta.dtype ? g : g.to(meta.dtype);
}

/**
 * Note: gradient ownership. Without createGraph, most gradients flowing backward are the
 * engine's own temporaries: made by a vjp or by summing two gradients, handed to one
 * consumer, dead once it has run. As PyTorch's engine drops them when their refcount
 * falls to zero (and AccumulateGrad takes a gradient as `.grad` without a copy when nothing
 * else holds it), the engine disposes each one as soon as its consumer has used it, and a
 * leaf's first gradient becomes its `.grad` as it is, instead of waiting for the garbage
 * collector (a training step's gradients are as large as its activations). Ownership is
 * tracked per storage, since views share one: a gradient is the engine's when its storage
 * was handed to exactly one consumer and never seen by user code — not a gradient the
 * caller passed in, not one a hook saw or returned, retained (`retainGrad`) or captured
 * (`grad()`). Anything else is left to the garbage collector and copied when accumulated.
 */
class Ownership {
  private readonly uses = new Map<Storage, number>();
  private readonly shared = new Set<Storage>();

  constructor(private readonly enabled: boolean) {}

  /** `g` was handed to one consumer (uses counts the handed tensors alive per storage). */
  handed(g: Tensor): void {
    this.uses.set(g.storage, (this.uses.get(g.storage) ?? 0) + 1);
  }

  /** User code holds (or may hold) `g`'s storage: never dispose or take it. */
  share(g: Tensor): void {
    this.shared.add(g.storage);
  }

  owns(g: Tensor): boolean {
    return this.enabled && !this.shared.has(g.storage) && this.uses.get(g.storage) === 1;
  }

  /**
   * `g`'s consumer is done with it: disposed when the engine owns it, or passed on when the
   * consumer returned it (`passed`: it is handed again, to each edge it goes to).
   */
  release(g: Tensor | undefined, passed: readonly (Tensor | null | undefined)[] = []): void {
    if (!g || !this.enabled) return;
    const n = this.uses.get(g.storage) ?? 0;
    if (passed.some((t) => t === g)) this.uses.set(g.storage, n - 1);
    else if (this.owns(g)) {
      this.uses.set(g.storage, 0);
      g.dispose();
    }
  }

  /** Whether `g` may become a leaf's `.grad` as it is: owned, dense over its whole storage. */
  takeable(g: Tensor): boolean {
    return this.owns(g) && !g.requiresGrad && g.offset === 0 && g.size === g.storage.length && g.isContiguous();
  }
}

function runHooks(node: Node, index: number, grad: Tensor, ownership: Ownership): Tensor {
  for (const hook of node.hooks.get(index) ?? []) {
    ownership.share(grad);
    grad = hook(grad) ?? grad;
    ownership.share(grad);
  }
  const retained = node.retained.get(index)?.deref();
  if (retained) {
    ownership.share(grad);
    retained.grad = retained.grad === null ? grad.detach() : retained.grad.add(grad).detach();
  }
  return grad;
}

function accumulate(leaf: Tensor, grad: Tensor, createGraph: boolean, ownership: Ownership): void {
  if (leaf.grad === null) {
    if (createGraph) leaf.grad = grad;
    else if (ownership.takeable(grad)) leaf.grad = grad;
    else {
      leaf.grad = grad.detach().clone();
      ownership.release(grad);
    }
  } else if (createGraph || leaf.grad.requiresGrad) leaf.grad = leaf.grad.add(grad);
  else {
    leaf.grad.add_(grad.detach());
    ownership.release(grad);
  }
}

/**
 * Runs the engine. With `captures`, gradients reaching those edges are returned instead of
 * accumulated into `.grad` (that is `grad()`); otherwise leaves accumulate (`backward()`).
 */
function execute(
  outputs: readonly Tensor[],
  gradOutputs: readonly Tensor[],
  given: readonly boolean[],
  options: BackwardOptions,
  captures?: readonly (Edge | null)[],
): (Tensor | null)[] {
  const roots = outputs.map((out, i) => {
    const edge = gradEdge(out);
    if (edge === null) throw new AutogradError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    return edge;
  });
  const order = topologicalOrder(roots.map((e) => e.node));

  // For grad(): only nodes from which a captured edge can be reached need to run.
  let needed: Set<Node> | undefined;
  if (captures) {
    const targets = new Set(captures.filter((c): c is Edge => c !== null).map((c) => c.node));
    needed = new Set<Node>();
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i]!;
      if (targets.has(node) || node.next.some((e) => e !== null && needed!.has(e.node))) needed.add(node);
    }
  }

  const createGraph = options.createGraph ?? false;
  const ownership = new Ownership(!createGraph);
  const buffers = new Map<Node, (Tensor | undefined)[]>();
  // Callers count every hand-off of a batch (ownership.handed) before adding any of it, so
  // that a sum never disposes a tensor that is still to be handed to another edge.
  const add = (edge: Edge, g: Tensor) => {
    let buf = buffers.get(edge.node);
    if (!buf) buffers.set(edge.node, (buf = []));
    const prev = buf[edge.index];
    if (prev === undefined) buf[edge.index] = g;
    else {
      const sum = prev.add(g);
      ownership.release(prev);
      ownership.release(g);
      ownership.handed(sum);
      buf[edge.index] = sum;
    }
  };
  roots.forEach((_, i) => {
    ownership.handed(gradOutputs[i]!);
    // A gradient the caller passed in stays the caller's.
    if (given[i]) ownership.share(gradOutputs[i]!);
  });
  roots.forEach((edge, i) => add(edge, gradOutputs[i]!));

  const captured: (Tensor | null)[] = captures ? captures.map(() => null) : [];
  const previousMode = setGradEnabled(createGraph);
  try {
    for (const node of order) {
      if (needed && !needed.has(node)) continue;
      const buf = buffers.get(node);
      if (!buf) continue; // no gradient reached this node
      buffers.delete(node);
      const grads = node.outputMetas.map((meta, i) => {
        const g = buf[i];
        if (g !== undefined) return runHooks(node, i, g, ownership);
        const zero = zeros(meta.shape, { dtype: meta.dtype });
        ownership.handed(zero);
        return zero;
      });
      captures?.forEach((c, i) => {
        if (c && c.node === node) {
          captured[i] = grads[c.index]!;
          ownership.share(captured[i]);
        }
      });
      if (node instanceof AccumulateGrad) {
        if (!captures) accumulate(node.variable, grads[0]!, createGraph, ownership);
        continue;
      }
      const inputGrads = node.apply(grads);
      for (const g of grads) ownership.release(g, inputGrads);
      const handed = node.next.map((edge, j) => {
        const g = inputGrads[j];
        if (!edge || !g) return null;
        const fitted = fitGradient(g, edge, node);
        ownership.handed(fitted);
        return fitted;
      });
      node.next.forEach((edge, j) => {
        if (edge && handed[j]) add(edge, handed[j]);
      });
      if (!options.retainGraph) node.release();
    }
  } finally {
    setGradEnabled(previousMode);
  }
  return captured;
}

/**
 * Computes the gradient of `output` with respect to every leaf that requires grad and adds
 * it to the leaf's `.grad` (PyTorch's `tensor.backward()`).
 */
export function backward(output: Tensor | readonly Tensor[], gradient?: Tensor | readonly (Tensor | null)[], options: BackwardOptions = {}): void {
  const outputs = Array.isArray(output) ? (output as readonly Tensor[]) : [output as Tensor];
  const given = gradient === undefined ? undefined : Array.isArray(gradient) ? (gradient as readonly (Tensor | null)[]) : [gradient as Tensor];
  execute(outputs, rootGradients(outputs, given), outputs.map((_, i) => given?.[i] != null), { retainGraph: options.retainGraph ?? options.createGraph ?? false, createGraph: options.createGraph ?? false });
}

/**
 * The gradients of `outputs` with respect to `inputs`, returned rather than accumulated
 * (PyTorch's `torch.autograd.grad`). With `createGraph` the result is itself
 * differentiable, so `grad` can be applied again.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? (inputs as readonly Tensor[]) : [inputs as Tensor];
  const captures = ins.map((t, i) => {
    const edge = gradEdge(t);
    if (edge === null) throw new AutogradError(`input ${i} does not require grad`);
    return edge;
  });
  const retainGraph = options.retainGraph ?? options.createGraph ?? false;
  const result = execute(outs, rootGradients(outs, options.gradOutputs), outs.map((_, i) => options.gradOutputs?.[i] != null), { retainGraph, createGraph: options.createGraph ?? false }, captures);
  result.forEach((g, i) => {
    if (g === null && !options.allowUnused)
      throw new AutogradError(
        `one of the differentiated tensors (input ${i}) appears to not have been used in the graph; pass allowUnused: true if this is intended`,
      );
  });
  return result;
}

export { isGradEnabled };
