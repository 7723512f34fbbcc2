/**
 * Random operators: RandomUniform(Like), RandomNormal(Like), Bernoulli, and the mask of
 * Dropout in training mode. With a `seed` they draw as ONNX's reference does, from NumPy's
 * legacy RandomState: the same mt19937 stream as concord's Generator, 53-bit doubles from
 * two words, the polar normal method, and inversion for binomial draws. Without a seed they
 * draw from concord's default generator.
 */
import type { DType } from "../../../core/dtype.ts";
import { defaultGenerator, Generator } from "../../../core/random.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { tensor } from "../../../ops/creation.ts";
import { dtypeOfCode } from "./tensor.ts";
import type { OpFamily } from "./table.ts";
import { numberValues, tensorAt, type Inputs } from "./util.ts";

/** NumPy's legacy RandomState over an mt19937 stream. */
export class NumpyRandom {
  private gauss: number | undefined;
  constructor(private readonly gen: Generator) {}

  static fromSeed(seed: number | undefined): NumpyRandom {
    if (seed === undefined || Number.isNaN(seed)) return new NumpyRandom(defaultGenerator);
    return new NumpyRandom(new Generator(BigInt.asUintN(32, BigInt(Math.trunc(seed)))));
  }

  /** random_sample: (a >> 5) · 2^26 + (b >> 6), over 2^53. */
  double(): number {
    const a = this.gen.random() >>> 5;
    const b = this.gen.random() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** legacy_gauss: the polar method, the second value kept for the next call. */
  normal(): number {
    if (this.gauss !== undefined) {
      const g = this.gauss;
      this.gauss = undefined;
      return g;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.double() - 1;
      x2 = 2 * this.double() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    return f * x2;
  }

  /** binomial(1, p) by inversion (random_binomial for n·p <= 30). */
  bernoulli(p: number): number {
    if (p === 0) return 0;
    if (p > 0.5) return 1 - this.inversion(1 - p);
    return this.inversion(p);
  }

  private inversion(p: number): number {
    const q = 1 - p;
    const qn = Math.exp(Math.log(q));
    const bound = Math.min(1, p + 10 * Math.sqrt(p * q + 1));
    let x = 0;
    let px = qn;
    let u = this.double();
    while (u > px) {
      x++;
      if (x > bound) {
        x = 0;
        px = qn;
        u = this.double();
      } else {
        u -= px;
        px = ((1 - x + 1) * p * px) / (x * q);
      }
    }
    return x;
  }
}

/** The seed attribute: a float for the random operators, an int for Dropout. */
function seedOf(ctx: OpContext): number | undefined {
  const a = ctx.attrs.raw("seed");
  return a?.type === "int" ? Number(a.value) : a?.type === "float" ? a.value : undefined;
}

function sample(ctx: OpContext, shape: readonly number[], dtype: DType, draw: (rng: NumpyRandom) => number): Tensor {
  const rng = NumpyRandom.fromSeed(seedOf(ctx));
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(Float64Array.from({ length: n }, () => draw(rng)), { shape, dtype });
}

const uniform = (ctx: OpContext) => {
  const [low, high] = [ctx.attrs.float("low", 0), ctx.attrs.float("high", 1)];
  return (rng: NumpyRandom) => low + (high - low) * rng.double();
};
const normal = (ctx: OpContext) => {
  const [mean, scale] = [ctx.attrs.float("mean", 0), ctx.attrs.float("scale", 1)];
  return (rng: NumpyRandom) => mean + scale * rng.normal();
};

function likeDType(x: Tensor, ctx: OpContext): DType {
  const code = ctx.attrs.int("dtype");
  return code ? dtypeOfCode(code, ctx) : x.dtype;
}

/** Dropout's keep mask (uniform draws >= ratio), as the reference draws it with its seed. */
export function dropoutMask(shape: readonly number[], ratio: number, ctx: OpContext): Tensor {
  return sample(ctx, shape, "float64", (rng) => rng.double()).ge(ratio);
}

export const randomOps: OpFamily = {
  RandomUniform: (_inputs, ctx) => [sample(ctx, ctx.attrs.ints("shape", []), dtypeOfCode(ctx.attrs.int("dtype", 1), ctx), uniform(ctx))],
  RandomNormal: (_inputs, ctx) => [sample(ctx, ctx.attrs.ints("shape", []), dtypeOfCode(ctx.attrs.int("dtype", 1), ctx), normal(ctx))],
  RandomUniformLike: (inputs: Inputs, ctx) => {
    const x = tensorAt(inputs, 0, ctx);
    return [sample(ctx, x.shape, likeDType(x, ctx), uniform(ctx))];
  },
  RandomNormalLike: (inputs: Inputs, ctx) => {
    const x = tensorAt(inputs, 0, ctx);
    return [sample(ctx, x.shape, likeDType(x, ctx), normal(ctx))];
  },
  Bernoulli: (inputs: Inputs, ctx) => {
    const x = tensorAt(inputs, 0, ctx);
    const p = numberValues(x);
    const rng = NumpyRandom.fromSeed(seedOf(ctx));
    return [tensor(Float64Array.from(p, (v) => rng.bernoulli(v)), { shape: x.shape, dtype: likeDType(x, ctx) })];
  },
};
