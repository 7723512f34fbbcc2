/**
 * Samplers (`torch.utils.data.sampler`): iterables of data set indices, and BatchSampler
 * that groups them. Random ones draw from a concord Generator exactly as PyTorch 1.13
 * draws from a torch.Generator, so a seed gives PyTorch's order. Iteration is lazy, like
 * Python's generators: nothing is drawn before the first index is asked for.
 */
import { ValueError } from "../core/errors.ts";
import { defaultGenerator, fillRandint, Generator, randperm } from "../core/random.ts";
import { multinomial } from "./multinomial.ts";

/** Anything that yields indices and knows how many. */
export interface Sampler<T = number> extends Iterable<T> {
  readonly length: number;
}

/** Something with a length: a data set, or an array. */
export interface Sized {
  readonly length: number;
}

/**
 * A seed drawn as `torch.empty((), dtype=torch.int64).random_(generator=g)` draws it:
 * 64 random bits reduced to [0, 2^63).
 */
export function drawSeed(gen: Generator = defaultGenerator): bigint {
  return gen.random64() & 0x7fffffffffffffffn;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new ValueError(`${what} should be a positive integer value, but got ${what}=${value}`);
  return value;
}

/** 0, 1, ..., n - 1. */
export class SequentialSampler implements Sampler {
  constructor(readonly dataSource: Sized) {}
  get length(): number {
    return this.dataSource.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.dataSource.length; i++) yield i;
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (default false). */
  replacement?: boolean;
  /** How many indices per pass (default: the data set's length). */
  numSamples?: number;
  /** The generator; without one, each pass seeds a fresh one from the default generator. */
  generator?: Generator;
}

/**
 * Random indices, as `torch.utils.data.RandomSampler`: without replacement, whole
 * `randperm(n)` permutations (and a part of one more) until `numSamples`; with
 * replacement, `randint(0, n)` in blocks of 32. Without a generator, each pass first draws
 * a seed from the default generator and seeds a new one with it, as PyTorch does.
 */
export class RandomSampler implements Sampler {
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  private readonly requested: number | undefined;

  constructor(
    readonly dataSource: Sized,
    options: RandomSamplerOptions = {},
  ) {
    this.replacement = options.replacement ?? false;
    this.generator = options.generator;
    this.requested = options.numSamples;
    if (this.requested !== undefined) positiveInteger(this.requested, "num_samples");
  }

  get numSamples(): number {
    return this.requested ?? this.dataSource.length;
  }

  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    const total = this.numSamples;
    const gen = this.generator ?? new Generator(drawSeed(defaultGenerator));
    if (this.replacement) {
      if (n === 0 && total > 0) throw new ValueError("RandomSampler: cannot draw with replacement from an empty data set");
      const block = new BigInt64Array(32);
      for (let k = 0; k < Math.floor(total / 32); k++) {
        fillRandint(gen, block, 0n, BigInt(n));
        for (const v of block) yield Number(v);
      }
      const rest = new BigInt64Array(total % 32);
      if (rest.length > 0) fillRandint(gen, rest, 0n, BigInt(n));
      for (const v of rest) yield Number(v);
      return;
    }
    if (n === 0) return;
    for (let k = 0; k < Math.floor(total / n); k++) for (const v of randperm(gen, n)) yield Number(v);
    // PyTorch draws this last permutation even when nothing of it is used.
    const last = randperm(gen, n);
    for (let i = 0; i < total % n; i++) yield Number(last[i]!);
  }
}

/** The given indices in a random order (`randperm(indices.length)`), each pass anew. */
export class SubsetRandomSampler implements Sampler {
  constructor(
    readonly indices: readonly number[],
    readonly generator: Generator = defaultGenerator,
  ) {}
  get length(): number {
    return this.indices.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const i of randperm(this.generator, this.indices.length)) yield this.indices[Number(i)]!;
  }
}

/**
 * Indices 0..weights.length-1 drawn with probabilities proportional to `weights`, as
 * `torch.utils.data.WeightedRandomSampler` (`torch.multinomial` over float64 weights).
 */
export class WeightedRandomSampler implements Sampler {
  readonly weights: Float64Array;

  constructor(
    weights: ArrayLike<number>,
    readonly numSamples: number,
    readonly replacement = true,
    readonly generator: Generator = defaultGenerator,
  ) {
    positiveInteger(numSamples, "num_samples");
    this.weights = Float64Array.from(weights);
  }
  get length(): number {
    return this.numSamples;
  }
  *[Symbol.iterator](): Iterator<number> {
    yield* multinomial(this.weights, this.numSamples, this.replacement, this.generator);
  }
}

/** Groups the indices of `sampler` into lists of `batchSize`; the last one shorter unless `dropLast`. */
export class BatchSampler implements Sampler<number[]> {
  constructor(
    readonly sampler: Iterable<number> & Partial<Sized>,
    readonly batchSize: number,
    readonly dropLast: boolean,
  ) {
    positiveInteger(batchSize, "batch_size");
  }

  get length(): number {
    const n = this.sampler.length;
    if (n === undefined) throw new ValueError("BatchSampler: the sampler has no length");
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
