/**
 * Running an op record: infer, run the kernel (or make the view), and — when grad mode is
 * on and an input requires grad — record a node on the tape whose backward is the
 * record's vjp.
 */
import { isFloating } from "../core/dtype.ts";
import { AutogradError, ValueError } from "../core/errors.ts";
import { formatShape, inferShape, numel } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { isGradEnabled } from "../autograd/grad-mode.ts";
import { gradEdge, Node } from "../autograd/tape.ts";
import { runKernel } from "../backends/dispatch.ts";
import type { OpDef, TensorMeta, VjpContext } from "./define-op.ts";
import { opObserver } from "./trace-hook.ts";

/** The most elements a tensor an op computes may have: kernels index with 32-bit signed integers. */
export const MAX_NUMEL = 2 ** 31 - 1;

/** Runs `def` on `inputs`; returns every output. */
export function apply<A>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
  let outputs: Tensor[];
  if (def.kind === "view") {
    const x = inputs[0]!;
    const layout = def.layout({ shape: x.shape, strides: x.strides, offset: x.offset }, attrs);
    outputs = [new Tensor(x.storage, layout.shape, { strides: layout.strides, offset: layout.offset, base: x.base ?? x })];
  } else {
    const inference = def.infer(
      inputs.map((t) => ({ shape: t.shape, dtype: t.dtype, wrappedNumber: t.wrappedNumber })),
      attrs,
    );
    // Refused before the kernel runs: a kernel may build per-element index maps before it allocates.
    for (const { shape } of inference.outputs)
      if (numel(shape) > MAX_NUMEL) throw new ValueError(`${def.name}: an output of shape ${formatShape(shape)} has more than ${MAX_NUMEL} elements`);
    const storages = runKernel(def.name, inputs, attrs, inference);
    // A -1 in an inferred shape is a data-dependent size (nonzero's row count): the kernel's output length decides it.
    outputs = storages.map((s, i) => {
      const shape = inference.outputs[i]!.shape;
      return new Tensor(s, shape.includes(-1) ? inferShape(shape, s.length) : shape);
    });
  }
  if (def.vjp && isGradEnabled() && inputs.some((t) => t.requiresGrad)) record(def, inputs, outputs, attrs);
  opObserver()?.op(def as OpDef<unknown>, inputs, attrs, outputs);
  return outputs;
}

/** Runs `def` and returns its first output. */
export function apply1<A>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  return apply(def, inputs, attrs)[0]!;
}

/** PyTorch names nodes after the op: exp -> ExpBackward0. */
export function backwardName(op: string): string {
  return op.charAt(0).toUpperCase() + op.slice(1) + "Backward0";
}

/** An array whose element i, when read, checks that tensor i is still at its saved version. */
function checkedArray(tensors: readonly Tensor[], node: string, what: string): readonly Tensor[] {
  const versions = tensors.map((t) => t.storage.version);
  const out: Tensor[] = new Array<Tensor>(tensors.length);
  tensors.forEach((t, i) => {
    Object.defineProperty(out, i, {
      enumerable: true,
      get() {
        if (t.storage.version !== versions[i])
          throw new AutogradError(
            `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
              `${what} ${i} of ${node}, a ${t.dtype} tensor of shape ${formatShape(t.shape)}, is at version ` +
              `${t.storage.version}; expected version ${versions[i]} instead`,
          );
        return t;
      },
    });
  });
  return out;
}

function record<A>(def: OpDef<A>, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: A): void {
  const vjp = def.vjp!;
  const name = backwardName(def.name);
  const metas: TensorMeta[] = inputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
  const needsGrad = inputs.map((t) => t.requiresGrad);
  const ctx: VjpContext<A> = {
    inputs: checkedArray(inputs, name, "input"),
    outputs: checkedArray(outputs, name, "output"),
    metas,
    attrs,
    needsGrad,
  };
  const node = new Node(
    name,
    inputs.map(gradEdge),
    outputs.map((t) => ({ shape: t.shape, dtype: t.dtype })),
    (grads) => vjp(grads, ctx),
  );
  outputs.forEach((t, i) => {
    if (!isFloating(t.dtype)) return;
    t.gradFn = node;
    t.outputIndex = i;
    t.markRequiresGrad();
  });
}
