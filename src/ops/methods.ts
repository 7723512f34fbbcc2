/**
 * Tensor methods. Every op function whose first argument is a tensor becomes a method
 * (`add(x, y)` is `x.add(y)`), and each listed op gets an in-place twin (`x.add_(y)`).
 * The Tensor class lives in core, below the ops; this file attaches the methods and
 * declares them to the type checker.
 */
import type { DType } from "../core/dtype.ts";
import type { Scalar } from "../core/tensor.ts";
import { Tensor } from "../core/tensor.ts";
import { zeros, type CreateOptions, full, ones } from "./creation.ts";
import { assignInPlace } from "./inplace.ts";
import { opMethods, inplaceNames } from "./method-table.ts";
import type { Shape } from "../core/shape.ts";
import { expand, to } from "./views.ts";
import { asTensor, type TensorLike } from "./defs/binary.ts";

type Methodize<F> = F extends (x: Tensor, ...rest: infer P) => infer R ? (...rest: P) => R : never;
type OpMethods = { [K in keyof typeof opMethods]: Methodize<(typeof opMethods)[K]> };
type InplaceName = (typeof inplaceNames)[number];
type InplaceMethods = { [K in InplaceName as `${K}_`]: (...args: Parameters<OpMethods[K]>) => Tensor };

/** Methods with no functional twin. */
interface ExtraMethods {
  /** Converts to `dtype`; `x.to("float64")`. */
  to(dtype: DType): Tensor;
  /** Writes `src` (broadcast, any dtype) into this tensor. */
  copy_(src: TensorLike): Tensor;
  fill_(value: Scalar): Tensor;
  zero_(): Tensor;
  newZeros(shape: Shape, options?: CreateOptions): Tensor;
  newOnes(shape: Shape, options?: CreateOptions): Tensor;
  newFull(shape: Shape, value: Scalar, options?: CreateOptions): Tensor;
  newTensor(data: Scalar): Tensor;
}

/** PyTorch's dtype shorthands: `x.float()` is `x.to("float32")`, `x.long()` is `x.to("int64")`. */
const dtypeShorthands = {
  float: "float32",
  double: "float64",
  half: "float16",
  bfloat16: "bfloat16",
  int: "int32",
  long: "int64",
  bool: "bool",
} as const satisfies Record<string, DType>;
type DTypeShorthands = { [K in keyof typeof dtypeShorthands]: () => Tensor };

declare module "../core/tensor.ts" {
  interface Tensor extends OpMethods, InplaceMethods, ExtraMethods, DTypeShorthands {}
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;

for (const [name, fn] of Object.entries(opMethods)) {
  const f = fn as (x: Tensor, ...rest: unknown[]) => unknown;
  proto[name] = function (this: Tensor, ...rest: unknown[]) {
    return f(this, ...rest);
  };
}
for (const name of inplaceNames) {
  const f = (opMethods as unknown as Record<string, (x: Tensor, ...rest: unknown[]) => Tensor>)[name]!;
  proto[`${name}_`] = function (this: Tensor, ...rest: unknown[]) {
    return assignInPlace(this, f(this, ...rest), `${name}_`);
  };
}

for (const [name, dtype] of Object.entries(dtypeShorthands)) {
  proto[name] = function (this: Tensor) {
    return to(this, dtype);
  };
}

const extra: ExtraMethods & ThisType<Tensor> = {
  to(dtype) {
    return to(this, dtype);
  },
  copy_(src) {
    const s = asTensor(src);
    return assignInPlace(this, expand(s.dtype === this.dtype ? s : to(s, this.dtype), this.shape), "copy_", true);
  },
  fill_(value) {
    return assignInPlace(this, full([], value, { dtype: this.dtype }), "fill_", true);
  },
  zero_() {
    return assignInPlace(this, zeros([], { dtype: this.dtype }), "zero_", true);
  },
  newZeros(shape, options = {}) {
    return zeros(shape, { dtype: this.dtype, ...options });
  },
  newOnes(shape, options = {}) {
    return ones(shape, { dtype: this.dtype, ...options });
  },
  newFull(shape, value, options = {}) {
    return full(shape, value, { dtype: this.dtype, ...options });
  },
  newTensor(value) {
    return full([], value, { dtype: this.dtype });
  },
};
Object.assign(proto, extra);
