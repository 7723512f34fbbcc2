/**
 * The engine: walks the tape from the outputs back to the leaves, in an order where every
 * node runs after all nodes that feed it gradients (reverse post-order of a depth-first
 * walk, done iteratively so long graphs do not overflow the stack).
 */
import { AutogradError, ShapeError } from "../core/errors.ts";
import { formatShape, shapesEqual } from "../core/shape.ts";
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

function runHooks(node: Node, index: number, grad: Tensor): Tensor {
  for (const hook of node.hooks.get(index) ?? []) grad = hook(grad) ?? grad;
  const retained = node.retained.get(index)?.deref();
  if (retained) retained.grad = retained.grad === null ? grad.detach() : retained.grad.add(grad).detach();
  return grad;
}

function accumulate(leaf: Tensor, grad: Tensor, createGraph: boolean): void {
  if (leaf.grad === null) leaf.grad = createGraph ? grad : grad.detach().clone();
  else if (createGraph || leaf.grad.requiresGrad) leaf.grad = leaf.grad.add(grad);
  else leaf.grad.add_(grad.detach());
}

/**
 * Runs the engine. With `captures`, gradients reaching those edges are returned instead of
 * accumulated into `.grad` (that is `grad()`); otherwise leaves accumulate (`backward()`).
 */
function execute(
  outputs: readonly Tensor[],
  gradOutputs: readonly Tensor[],
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

  const buffers = new Map<Node, (Tensor | undefined)[]>();
  const add = (edge: Edge, g: Tensor) => {
    let buf = buffers.get(edge.node);
    if (!buf) buffers.set(edge.node, (buf = []));
    const prev = buf[edge.index];
    buf[edge.index] = prev === undefined ? g : prev.add(g);
  };
  roots.forEach((edge, i) => add(edge, gradOutputs[i]!));

  const captured: (Tensor | null)[] = captures ? captures.map(() => null) : [];
  const createGraph = options.createGraph ?? false;
  const previousMode = setGradEnabled(createGraph);
  try {
    for (const node of order) {
      if (needed && !needed.has(node)) continue;
      const buf = buffers.get(node);
      if (!buf) continue; // no gradient reached this node
      buffers.delete(node);
      const grads = node.outputMetas.map((meta, i) => {
        const g = buf[i];
        return g === undefined ? zeros(meta.shape, { dtype: meta.dtype }) : runHooks(node, i, g);
      });
      captures?.forEach((c, i) => {
        if (c && c.node === node) captured[i] = grads[c.index]!;
      });
      if (node instanceof AccumulateGrad) {
        if (!captures) accumulate(node.variable, grads[0]!, createGraph);
        continue;
      }
      const inputGrads = node.apply(grads);
      node.next.forEach((edge, j) => {
        const g = inputGrads[j];
        if (edge && g) add(edge, fitGradient(g, edge, node));
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
  execute(outputs, rootGradients(outputs, given), { retainGraph: options.retainGraph ?? options.createGraph ?? false, createGraph: options.createGraph ?? false });
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
  const result = execute(outs, rootGradients(outs, options.gradOutputs), { retainGraph, createGraph: options.createGraph ?? false }, captures);
  result.forEach((g, i) => {
    if (g === null && !options.allowUnused)
      throw new AutogradError(
        `one of the differentiated tensors (input ${i}) appears to not have been used in the graph; pass allowUnused: true if this is intended`,
      );
  });
  return result;
}

export { isGradEnabled };
