/**
 * The record that defines an op once: its inputs, typed attributes, shape and dtype
 * inference, vector-Jacobian product (written with ops) and ONNX form. Backends supply
 * kernels keyed by the op's name; views supply a stride rule instead of a kernel.
 */
import type { DType } from "../core/dtype.ts";
import type { Shape } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";

/** What inference sees of a tensor: never its data. */
export interface TensorMeta {
  readonly shape: Shape;
  readonly dtype: DType;
  /** A 0-d tensor made from a JS number: it ranks below tensors in type promotion. */
  readonly wrappedNumber?: boolean;
}

export interface Inference {
  /** Shape and dtype of each output; one size may be -1 when it depends on the data (nonzero). */
  readonly outputs: readonly TensorMeta[];
  /**
   * The dtype each input is converted to before the kernel runs (PyTorch computes binary
   * ops in the promoted type). Missing or undefined entries leave an input as it is.
   */
  readonly inputDtypes?: readonly (DType | undefined)[];
}

/** How an op appears in ONNX: one operator, or a short fixed pattern described in `pattern`. */
export interface OnnxForm {
  readonly type: string;
  readonly sinceOpset?: number;
  readonly domain?: string;
  /** For ops that export as a few nodes: the pattern, e.g. "Log then Div by ln 2". */
  readonly pattern?: string;
}

export interface VjpContext<A> {
  /** The op's inputs; reading them checks that no in-place op changed them since forward. */
  readonly inputs: readonly Tensor[];
  /** The op's outputs; reading them checks they were not modified in place. */
  readonly outputs: readonly Tensor[];
  /** Shape and dtype of the inputs, readable without the in-place check. */
  readonly metas: readonly TensorMeta[];
  readonly attrs: A;
  /** Which inputs need a gradient; a vjp may skip the others (return null). */
  readonly needsGrad: readonly boolean[];
}

/** Gradients for each input (null for inputs with no gradient) from gradients of each output. */
export type Vjp<A> = (grads: readonly Tensor[], ctx: VjpContext<A>) => readonly (Tensor | null)[];

interface OpCommon<A> {
  readonly name: string;
  /** Input names, for messages and docs; a name ending in "..." takes any number of tensors. */
  readonly inputs: readonly string[];
  readonly vjp?: Vjp<A>;
  readonly onnx?: OnnxForm;
}

/** An op computed by a backend kernel into new buffers. */
export interface KernelOp<A> extends OpCommon<A> {
  readonly kind: "kernel";
  readonly infer: (inputs: readonly TensorMeta[], attrs: A) => Inference;
}

/** Where a view starts and how it steps through its base's buffer. */
export interface ViewLayout {
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** An op that returns a view sharing its input's buffer (reshape, permute, slice, ...). */
export interface ViewOp<A> extends OpCommon<A> {
  readonly kind: "view";
  readonly layout: (input: ViewLayout, attrs: A) => ViewLayout;
}

export type OpDef<A> = KernelOp<A> | ViewOp<A>;

/** Attributes of an op record. */
export type AttrsOf<D> = D extends OpDef<infer A> ? A : never;

export function defineOp<A = Record<string, never>>(def: Omit<KernelOp<A>, "kind">): KernelOp<A> {
  return { kind: "kernel", ...def };
}

export function defineView<A = Record<string, never>>(def: Omit<ViewOp<A>, "kind">): ViewOp<A> {
  return { kind: "view", ...def };
}

/** Inference for ops whose one output has `shape` and `dtype`. */
export function single(shape: Shape, dtype: DType, inputDtypes?: readonly (DType | undefined)[]): Inference {
  return inputDtypes ? { outputs: [{ shape, dtype }], inputDtypes } : { outputs: [{ shape, dtype }] };
}
