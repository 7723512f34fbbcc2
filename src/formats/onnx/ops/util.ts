/**
 * Helpers shared by the op families: typed input access, shape-like integer inputs,
 * axis normalization, and the errors an op throws for values it cannot take.
 */
import { DTypeError, UnsupportedError, ValueError } from "../../../core/errors.ts";
import { Tensor } from "../../../core/tensor.ts";
import type { DType } from "../../../core/dtype.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { HostTensor, type GraphValue } from "../../../graph/value.ts";
import { tensor } from "../../../ops/creation.ts";
import { permute } from "../../../ops/views.ts";

export type Inputs = readonly (GraphValue | undefined)[];

const where = (ctx: OpContext) => `${ctx.node.opType}${ctx.node.name ? ` (${ctx.node.name})` : ""}`;

/** Input `i` as a concord Tensor; a HostTensor (a type concord lacks) is an UnsupportedError. */
export function tensorAt(inputs: Inputs, i: number, ctx: OpContext): Tensor {
  const v = inputs[i];
  if (v instanceof Tensor) return v;
  if (v instanceof HostTensor) throw new UnsupportedError(`${where(ctx)}: input ${i} has element type ${v.elemType}, which concord tensors do not hold`);
  if (v === undefined) throw new ValueError(`${where(ctx)}: input ${i} is required`);
  throw new ValueError(`${where(ctx)}: input ${i} should be a tensor, got ${v === null ? "an empty optional" : "a sequence"}`);
}

/** Optional input `i` as a Tensor, or undefined when omitted (or an empty tensor when `emptyIsAbsent`). */
export function optionalTensorAt(inputs: Inputs, i: number, ctx: OpContext, emptyIsAbsent = false): Tensor | undefined {
  const v = inputs[i];
  if (v === undefined || v === null) return undefined;
  const t = tensorAt(inputs, i, ctx);
  return emptyIsAbsent && t.size === 0 ? undefined : t;
}

/** The elements of an integer tensor as numbers (shapes, axes, indices). */
export function intValues(t: Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number | bigint>, Number);
}

/** The elements of any tensor as numbers. */
export function numberValues(t: Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number | bigint>, Number);
}

/** An int64 1-D tensor of `values` (ONNX shapes and indices are int64). */
export function int64Tensor(values: readonly number[], shape: readonly number[] = [values.length]): Tensor {
  return tensor(BigInt64Array.from(values, (v) => BigInt(v)), { shape });
}

/** Axis in [-rank, rank) -> [0, rank); out of range is a ValueError. */
export function normAxis(axis: number, rank: number, ctx: OpContext): number {
  if (axis < -rank || axis >= Math.max(rank, 1) || (rank === 0 && axis !== 0 && axis !== -1))
    throw new ValueError(`${where(ctx)}: axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** A DTypeError naming the op and what it accepts. */
export function badDType(ctx: OpContext, dtype: DType | string, what: string): DTypeError {
  return new DTypeError(`${where(ctx)}: ${what}, got ${dtype}`);
}

export function unsupported(ctx: OpContext, what: string): UnsupportedError {
  return new UnsupportedError(`${where(ctx)}: ${what}`);
}

export function invalid(ctx: OpContext, what: string): ValueError {
  return new ValueError(`${where(ctx)}: ${what}`);
}

/** Moves axis `from` to position `to` (a permute view, as torch.movedim). */
export function movedim(x: Tensor, from: number, to: number): Tensor {
  const order = x.shape.map((_, i) => i).filter((i) => i !== from);
  order.splice(to, 0, from);
  return permute(x, order);
}

/** The most elements an op builds on the host from sizes a file or input gives (2^28). */
export const MAX_HOST_ELEMENTS = 2 ** 28;

/** A count computed from untrusted sizes, refused before anything that large is allocated. */
export function checkCount(n: number, ctx: OpContext, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_HOST_ELEMENTS) throw invalid(ctx, `${what} would be ${n} elements (at most ${MAX_HOST_ELEMENTS})`);
  return n;
}
