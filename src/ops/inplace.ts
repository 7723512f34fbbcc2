/**
 * In-place ops: compute the out-of-place result, write it into the tensor's buffer, bump
 * the buffer's version and, under autograd, make the result's node the tensor's grad_fn.
 *
 * PyTorch's rules kept here: a leaf that requires grad cannot be modified in place while
 * grad mode is on; a value saved for backward that is later modified makes that backward
 * fail (the version check in apply.ts); the result must be castable to the tensor's dtype
 * (no float into an int tensor) and must not need broadcasting the tensor itself.
 */
import { canCast } from "../core/dtype.ts";
import { AutogradError, DTypeError, ShapeError, UnsupportedError } from "../core/errors.ts";
import { broadcastShapes, formatShape, shapesEqual } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { isGradEnabled } from "../autograd/grad-mode.ts";
import { backends } from "../backends/index.ts";
import { opObserver } from "./trace-hook.ts";
import { expand, to } from "./views.ts";

/** Writes `result` into `x` (broadcasting result to x's shape) and returns `x`. */
export function assignInPlace(x: Tensor, result: Tensor, op: string, allowAnyCast = false): Tensor {
  if (!allowAnyCast && !canCast(result.dtype, x.dtype))
    throw new DTypeError(`${op}: result type ${result.dtype} can't be cast to the desired output type ${x.dtype}`);
  if (!shapesEqual(broadcastShapes(x.shape, result.shape), x.shape))
    throw new ShapeError(`${op}: output with shape ${formatShape(x.shape)} doesn't match the broadcast shape ${formatShape(broadcastShapes(x.shape, result.shape))}`);
  const grad = isGradEnabled();
  if (grad && x.isLeaf && x.requiresGrad)
    throw new AutogradError(`${op}: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad() or use an out-of-place op`);
  if (grad && x.base !== null && (x.requiresGrad || result.requiresGrad))
    throw new UnsupportedError(`${op}: in-place modification of a view of a tensor that requires grad is not supported; use an out-of-place op (e.g. sliceScatter) instead`);
  // Overwriting a tensor in the graph with a constant: keep it connected with gradient 0.
  if (grad && x.requiresGrad && !result.requiresGrad) result = x.mul(0).add(result);
  let src = result.dtype === x.dtype ? result : to(result, x.dtype);
  if (!shapesEqual(src.shape, x.shape)) src = expand(src, x.shape);
  const owner = backends[x.storage.owner.name]!;
  owner.assign(x, src);
  x.storage.version++;
  opObserver()?.assign(x, src);
  if (grad && src.requiresGrad) {
    x.gradFn = src.gradFn;
    x.outputIndex = src.outputIndex;
    x.markRequiresGrad();
  }
  return x;
}
