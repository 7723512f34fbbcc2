/**
 * Autograd methods on Tensor: backward, retainGrad, registerHook, requiresGrad_.
 */
import { AutogradError } from "../core/errors.ts";
import { Tensor } from "../core/tensor.ts";
import { backward, type BackwardOptions } from "./backward.ts";
import { gradEdge, type GradHook, type Node } from "./tape.ts";

interface AutogradMethods {
  /**
   * Accumulates d(this)/d(leaf) into every leaf's `.grad`. A non-scalar tensor needs
   * `gradient` (the vector in the vector-Jacobian product).
   */
  backward(gradient?: Tensor, options?: BackwardOptions): void;
  /** Keeps `.grad` for this non-leaf tensor after backward. */
  retainGrad(): void;
  /**
   * Calls `hook(grad)` when the gradient for this tensor is computed; a returned tensor
   * replaces the gradient. Returns a function that removes the hook.
   */
  registerHook(hook: GradHook): () => void;
  /** Sets requiresGrad in place and returns the tensor. */
  requiresGrad_(value?: boolean): Tensor;
}

declare module "../core/tensor.ts" {
  interface Tensor extends AutogradMethods {}
}

const methods: AutogradMethods & ThisType<Tensor> = {
  backward(gradient, options) {
    backward(this, gradient, options);
  },
  retainGrad() {
    if (!this.requiresGrad) throw new AutogradError("can't retainGrad on a tensor that has requiresGrad=false");
    if (this.isLeaf) return;
    this.retainsGrad = true;
    (this.gradFn as Node).retained.set(this.outputIndex, new WeakRef(this));
  },
  registerHook(hook) {
    const edge = gradEdge(this);
    if (edge === null) throw new AutogradError("cannot register a hook on a tensor that doesn't require gradient");
    return edge.node.addHook(edge.index, hook);
  },
  requiresGrad_(value = true) {
    this.requiresGrad = value;
    return this;
  },
};
Object.assign(Tensor.prototype, methods);
