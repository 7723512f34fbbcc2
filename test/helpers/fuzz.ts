/**
 * A byte-mutation fuzzer for file readers. Each iteration mutates a valid file (bit flips,
 * byte sets, truncation, chunk duplication/removal/overwrite, integer fields set to huge
 * values) with a seeded PRNG and runs the reader on it. The reader may succeed or throw a
 * ConcordError; any other error, an iteration over the time budget, or memory grown past
 * the allocation budget fails with the seed, iteration and mutations needed to replay it.
 *
 * Iterations default to 300 (CI); CONCORD_FUZZ_ITERATIONS overrides (`npm run fuzz`).
 * A synchronous reader cannot be interrupted: a true infinite loop is caught by the test's
 * own `timeout`, which callers should set.
 */
import { ConcordError } from "../../src/core/errors.ts";

export interface FuzzOptions {
  /** Default 300, or CONCORD_FUZZ_ITERATIONS when set. */
  iterations?: number;
  seed?: number;
  /** Most milliseconds one parse may take (default 2000). */
  timeBudgetMs?: number;
  /** Most bytes the heap and array buffers may grow while a result is alive (default 64 MiB + 64 × input). */
  allocBudgetBytes?: number;
}

export interface FuzzStats {
  iterations: number;
  accepted: number;
  rejected: number;
  /** Rejections counted by error class name. */
  errors: Record<string, number>;
}

/** Iterations from CONCORD_FUZZ_ITERATIONS, else `fallback`. */
export function fuzzIterations(fallback = 300): number {
  const env = process.env["CONCORD_FUZZ_ITERATIONS"];
  const n = env === undefined ? NaN : Number(env);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** A small seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HUGE = [0xffffffffn, 0x7fffffffn, 0x80000000n, 0xfffffffen, 2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n, 0n, 1n];

type Mutation = (b: Uint8Array, rand: () => number) => { bytes: Uint8Array; what: string };

const int = (rand: () => number, n: number): number => Math.floor(rand() * n);

const MUTATIONS: readonly Mutation[] = [
  (b, r) => {
    const at = int(r, b.length);
    const bit = int(r, 8);
    const out = Uint8Array.from(b);
    out[at]! ^= 1 << bit;
    return { bytes: out, what: `flip bit ${bit} of byte ${at}` };
  },
  (b, r) => {
    const at = int(r, b.length);
    const specials = [0x00, 0xff, 0x7f, 0x80, 0x01];
    const value = r() < 0.5 ? specials[int(r, specials.length)]! : int(r, 256);
    const out = Uint8Array.from(b);
    out[at] = value;
    return { bytes: out, what: `set byte ${at} to ${value}` };
  },
  (b, r) => {
    const length = int(r, b.length);
    return { bytes: Uint8Array.from(b.subarray(0, length)), what: `truncate to ${length}` };
  },
  (b, r) => {
    const from = int(r, b.length);
    const length = 1 + int(r, Math.min(256, b.length - from));
    const at = int(r, b.length + 1);
    const out = new Uint8Array(b.length + length);
    out.set(b.subarray(0, at));
    out.set(b.subarray(from, from + length), at);
    out.set(b.subarray(at), at + length);
    return { bytes: out, what: `duplicate ${length} bytes from ${from} at ${at}` };
  },
  (b, r) => {
    const from = int(r, b.length);
    const length = 1 + int(r, Math.min(256, b.length - from));
    const out = new Uint8Array(b.length - length);
    out.set(b.subarray(0, from));
    out.set(b.subarray(from + length), from);
    return { bytes: out, what: `remove ${length} bytes at ${from}` };
  },
  (b, r) => {
    const from = int(r, b.length);
    const to = int(r, b.length);
    const length = Math.min(1 + int(r, 64), b.length - from, b.length - to);
    const out = Uint8Array.from(b);
    out.copyWithin(to, from, from + length);
    return { bytes: out, what: `copy ${length} bytes from ${from} over ${to}` };
  },
  (b, r) => {
    const width = [2, 4, 8][int(r, 3)]!;
    if (b.length < width) return { bytes: new Uint8Array(0), what: "truncate to 0" };
    const at = int(r, b.length - width + 1);
    const value = HUGE[int(r, HUGE.length)]! & ((1n << BigInt(8 * width)) - 1n);
    const out = Uint8Array.from(b);
    for (let i = 0; i < width; i++) out[at + i] = Number((value >> BigInt(8 * i)) & 0xffn);
    return { bytes: out, what: `write ${width}-byte integer ${value} at ${at}` };
  },
];

function grown(before: NodeJS.MemoryUsage): number {
  const now = process.memoryUsage();
  return now.heapUsed - before.heapUsed + (now.arrayBuffers - before.arrayBuffers);
}

/**
 * Runs `parse` on `options.iterations` mutations of `valid` (1 to 4 stacked mutations each).
 * `parse` must return (any value) or throw a ConcordError.
 */
export function fuzz(name: string, valid: Uint8Array, parse: (bytes: Uint8Array) => unknown, options: FuzzOptions = {}): FuzzStats {
  if (valid.length === 0) throw new Error(`fuzz ${name}: the valid input is empty`);
  const iterations = options.iterations ?? fuzzIterations();
  const seed = options.seed ?? 1;
  const timeBudget = options.timeBudgetMs ?? 2000;
  const allocBudget = options.allocBudgetBytes ?? 64 * 2 ** 20 + 64 * valid.length;
  const rand = prng(seed);
  const original = Uint8Array.from(valid); // also turns a Node Buffer into a plain array
  const stats: FuzzStats = { iterations, accepted: 0, rejected: 0, errors: {} };
  for (let i = 0; i < iterations; i++) {
    let bytes: Uint8Array = original;
    const steps: string[] = [];
    const count = 1 + int(rand, 4);
    for (let k = 0; k < count && bytes.length > 0; k++) {
      const m = MUTATIONS[int(rand, MUTATIONS.length)]!(bytes, rand);
      bytes = m.bytes;
      steps.push(m.what);
    }
    const where = () => `fuzz ${name} (seed ${seed}, iteration ${i}: ${steps.join("; ")})`;
    const before = process.memoryUsage();
    const start = performance.now();
    let result: unknown;
    try {
      result = parse(bytes);
      stats.accepted++;
    } catch (err) {
      if (!(err instanceof ConcordError)) {
        const e = err as Error;
        throw new Error(`${where()}: threw ${e?.name ?? typeof err} instead of a ConcordError: ${e?.message ?? String(err)}`, { cause: err });
      }
      stats.rejected++;
      stats.errors[err.name] = (stats.errors[err.name] ?? 0) + 1;
    }
    const elapsed = performance.now() - start;
    if (elapsed > timeBudget) throw new Error(`${where()}: took ${elapsed.toFixed(0)} ms, over the budget of ${timeBudget} ms`);
    const growth = grown(before);
    if (growth > allocBudget) throw new Error(`${where()}: memory grew by ${growth} bytes, over the budget of ${allocBudget}`);
    void result;
  }
  return stats;
}
