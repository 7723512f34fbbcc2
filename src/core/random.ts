/**
 * PyTorch's CPU random number generator and the samplers built on it, bit for bit with
 * torch 1.13 (Debian's build, x86-64 with AVX2):
 *
 * - `Generator` is `at::CPUGeneratorImpl`: an mt19937 (aten/src/ATen/core/MT19937RNGEngine.h)
 *   plus the cached second Box-Muller sample, with the same seeding and state bytes as
 *   `torch.Generator.get_state()`.
 * - `fillUniform`, `fillNormal`, `fillRandint` and `randperm` draw exactly as `uniform_`,
 *   `normal_` (so `torch.rand`, `torch.randn`), `random_(from, to)` (`torch.randint`) and
 *   `torch.randperm` do on CPU.
 *
 * Note: bit-exact transcendentals
 * Box-Muller needs log, sin and cos. Where PyTorch calls the C library (float64, and every
 * dtype below 16 elements) we use glibc's algorithms (glibc-math.ts); where it uses its own
 * AVX2 polynomials (float32, 16 elements or more) we emulate those (avx-mathfun.ts). float16
 * and bfloat16 from 16 elements call glibc's float functions (logf, sinf, cosf), which we
 * take as the float rounding of the double results: those can differ in the last float bit
 * on rare inputs, but the rounding to 11 or 8 bits that follows hid every such case in the
 * 1.6 million samples we compared.
 */
import { fma, fmaf } from "./fma.ts";
import { log, sincos } from "./glibc-math.ts";
import { logAvx2, sincosAvx2 } from "./avx-mathfun.ts";
import { fromBfloat16Bits, fromFloat16Bits, toBfloat16Bits, toFloat16Bits } from "./half.ts";

/** The seed of a fresh `torch.Generator()` (`c10::default_rng_seed_val`). */
export const DEFAULT_SEED = 67280421310721n;

const STATE_N = 624;
const STATE_M = 397;
const MATRIX_A = 0x9908b0df;
/** Bytes of `CPUGeneratorImplState`, what `torch.Generator.get_state()` returns. */
const STATE_BYTES = 5056;
/** Bytes of the older `CPUGeneratorImplStateLegacy`, still accepted by `set_state`. */
const LEGACY_STATE_BYTES = 5048;

/**
 * A random number generator that produces PyTorch's CPU streams.
 *
 * @example
 * const g = new Generator(42);
 * g.random(); // 1608637542, as torch.Generator().manual_seed(42) draws it
 */
export class Generator {
  private readonly state = new Uint32Array(STATE_N);
  private left = 1;
  private next = 0;
  private seed = DEFAULT_SEED;
  /** Box-Muller makes two normals; `at::normal_distribution` keeps the second one here. */
  private nextDoubleNormal: number | undefined;
  private nextFloatNormal: number | undefined;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /**
   * Reseeds, like `torch.Generator.manual_seed`: negative seeds wrap to 64 bits, the
   * engine uses the low 32 bits, and cached normals are dropped.
   */
  manualSeed(seed: number | bigint): this {
    if (typeof seed === "number" && !Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    this.seed = BigInt.asUintN(64, BigInt(seed));
    const s = this.state;
    s[0] = Number(this.seed & 0xffffffffn);
    for (let j = 1; j < STATE_N; j++) {
      const prev = s[j - 1]!;
      s[j] = Math.imul(1812433253, prev ^ (prev >>> 30)) + j;
    }
    this.left = 1;
    this.next = 0;
    this.nextDoubleNormal = undefined;
    this.nextFloatNormal = undefined;
    return this;
  }

  /** The seed last set, as `torch.Generator.initial_seed()` reports it (0 to 2^64 - 1). */
  initialSeed(): bigint {
    return this.seed;
  }

  /** The next 32 random bits as an unsigned integer (`CPUGeneratorImpl::random`). */
  random(): number {
    if (--this.left === 0) this.twist();
    let y = this.state[this.next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** The next 64 random bits: two draws, the first one high (`CPUGeneratorImpl::random64`). */
  random64(): bigint {
    const hi = this.random();
    const lo = this.random();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** The cached second Box-Muller sample of `at::normal_distribution<double>`, if any. */
  nextDoubleNormalSample(): number | undefined {
    return this.nextDoubleNormal;
  }

  setNextDoubleNormalSample(sample: number | undefined): void {
    this.nextDoubleNormal = sample;
  }

  /** The cached sample of `at::normal_distribution<float>` (unused by the samplers here). */
  nextFloatNormalSample(): number | undefined {
    return this.nextFloatNormal;
  }

  setNextFloatNormalSample(sample: number | undefined): void {
    this.nextFloatNormal = sample === undefined ? undefined : Math.fround(sample);
  }

  /** A generator in the same state that draws independently from now on. */
  clone(): Generator {
    const copy = new Generator();
    copy.setState(this.getState());
    return copy;
  }

  /**
   * The state as the 5056 bytes of PyTorch's `CPUGeneratorImplState` (little-endian),
   * byte for byte what `torch.Generator.get_state()` returns, so states move both ways.
   */
  getState(): Uint8Array {
    const bytes = new Uint8Array(STATE_BYTES);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, this.seed, true); // the_initial_seed
    view.setInt32(8, this.left, true);
    view.setInt32(12, 1, true); // seeded
    view.setBigUint64(16, BigInt(this.next), true);
    for (let i = 0; i < STATE_N; i++) view.setUint32(24 + 8 * i, this.state[i]!, true);
    // 5016 normal_x and 5032 normal_rho stay 0; 5024 normal_y holds the cached sample.
    if (this.nextDoubleNormal !== undefined) {
      view.setFloat64(5024, this.nextDoubleNormal, true);
      view.setInt32(5040, 1, true);
    }
    if (this.nextFloatNormal !== undefined) {
      view.setFloat32(5048, this.nextFloatNormal, true);
      bytes[5052] = 1;
    }
    return bytes;
  }

  /**
   * Restores a state from {@link getState} or `torch.Generator.get_state()`; the 5048-byte
   * legacy layout is accepted too, as PyTorch does.
   */
  setState(bytes: Uint8Array): void {
    if (bytes.length !== STATE_BYTES && bytes.length !== LEGACY_STATE_BYTES) {
      throw new RangeError(
        `Expected either a CPUGeneratorImplStateLegacy of size ${LEGACY_STATE_BYTES} or a CPUGeneratorImplState of size ${STATE_BYTES} but found the input RNG state size to be ${bytes.length}`,
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const left = view.getInt32(8, true);
    const seeded = view.getInt32(12, true);
    const next = view.getBigUint64(16, true);
    if (seeded === 0 || left <= 0 || left > STATE_N || next > BigInt(STATE_N)) {
      throw new RangeError("Invalid mt19937 state");
    }
    let doubleNormal: number | undefined;
    let floatNormal: number | undefined;
    if (view.getInt32(5040, true) !== 0) {
      if (bytes.length === STATE_BYTES) {
        doubleNormal = view.getFloat64(5024, true);
      } else {
        // The legacy layout kept the polar form: the sample is rho sin(2 pi x).
        doubleNormal = view.getFloat64(5032, true) * sincos(2 * Math.PI * view.getFloat64(5016, true)).sin;
      }
    }
    if (bytes.length === STATE_BYTES && bytes[5052] !== 0) floatNormal = view.getFloat32(5048, true);
    this.seed = view.getBigUint64(0, true);
    this.left = left;
    this.next = Number(next);
    // The legacy format stores each 32-bit word in 64 bits; the copy keeps the low half.
    for (let i = 0; i < STATE_N; i++) this.state[i] = view.getUint32(24 + 8 * i, true);
    this.nextDoubleNormal = doubleNormal;
    this.nextFloatNormal = floatNormal;
  }

  /** Regenerates all 624 words (mt19937's `next_state`). */
  private twist(): void {
    const s = this.state;
    this.left = STATE_N;
    this.next = 0;
    for (let j = 0; j < STATE_N; j++) {
      const y = (s[j]! & 0x80000000) | (s[(j + 1) % STATE_N]! & 0x7fffffff);
      s[j] = s[(j + STATE_M) % STATE_N]! ^ (y >>> 1) ^ (s[(j + 1) % STATE_N]! & 1 ? MATRIX_A : 0);
    }
  }
}

/** The generator behind `torch.rand`, `torch.randn`, ... when none is passed. */
export const defaultGenerator = new Generator();

/**
 * Reseeds {@link defaultGenerator}, like `torch.manual_seed`, and returns it.
 *
 * @example manualSeed(0); // defaultGenerator now draws what PyTorch draws after torch.manual_seed(0)
 */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

// ---------------------------------------------------------------------------------------
// Samplers

/** The floating dtypes the samplers understand. float16 / bfloat16 results come as floats. */
export type FloatDType = "float32" | "float64" | "float16" | "bfloat16";

const f32 = Math.fround;
const roundHalf = (x: number): number => fromFloat16Bits(toFloat16Bits(x));
const roundBfloat16 = (x: number): number => fromBfloat16Bits(toBfloat16Bits(x));

/** A uniform double in [0, 1) from 53 bits of `random64()` (`transformation::uniform_real<double>`). */
function uniform53(gen: Generator): number {
  const hi = gen.random();
  const lo = gen.random();
  return ((hi & 0x1fffff) * 4294967296 + lo) * 2 ** -53;
}

/**
 * Fills `out` like `tensor.uniform_(low, high)` on CPU (so `torch.rand` for [0, 1)).
 *
 * `transformation::uniform_real` takes as many random bits as the dtype's significand has,
 * x = (bits & (2^digits - 1)) / 2^digits: 53 bits from `random64()` for float64, otherwise
 * one `random()` and 24 bits for float32, 11 for float16, 8 for bfloat16. The bounds are
 * first cast to the dtype, and the result is x·(high - low) + low, fused into one rounding
 * (GCC contracts it in PyTorch's AVX2 build). For float16 / bfloat16 the values written
 * are floats that the caller rounds to the 16-bit format.
 *
 * @example
 * const out = new Float32Array(3);
 * fillUniform(new Generator(0), out, 0, 1, "float32"); // [0.4963, 0.7682, 0.0885], torch.rand(3) after torch.manual_seed(0)
 */
export function fillUniform(
  gen: Generator,
  out: Float32Array | Float64Array,
  low: number,
  high: number,
  dtype: FloatDType,
): void {
  if (!(low <= high)) throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${low} > to=${high}`);
  const n = out.length;
  if (dtype === "float64") {
    const range = high - low;
    for (let i = 0; i < n; i++) out[i] = fma(uniform53(gen), range, low);
    return;
  }
  if (dtype === "float32") {
    const from = f32(low);
    const range = f32(f32(high) - from);
    for (let i = 0; i < n; i++) out[i] = fmaf((gen.random() & 0xffffff) * 2 ** -24, range, from);
    return;
  }
  // Half and BFloat16 arithmetic rounds each result back to the 16-bit type.
  const round = dtype === "float16" ? roundHalf : roundBfloat16;
  const digits = dtype === "float16" ? 11 : 8;
  const mask = (1 << digits) - 1;
  const from = round(low);
  const range = round(round(high) - from);
  for (let i = 0; i < n; i++) out[i] = fmaf((gen.random() & mask) * 2 ** -digits, range, from);
}

/**
 * One sample of `at::normal_distribution<double>(mean, std)`: Box-Muller on two uniform
 * doubles, returning r cos(theta) and caching r sin(theta) in the generator for the next call.
 */
function normalDouble(gen: Generator, mean: number, std: number): number {
  const cached = gen.nextDoubleNormalSample();
  if (cached !== undefined) {
    gen.setNextDoubleNormalSample(undefined);
    return fma(cached, std, mean);
  }
  const u1 = uniform53(gen);
  const u2 = uniform53(gen);
  const r = Math.sqrt(-2 * log(1 - u2));
  const { sin, cos } = sincos(2 * Math.PI * u1);
  gen.setNextDoubleNormalSample(r * sin);
  return fma(r * cos, std, mean);
}

/** `normal_fill_16<double>`: Box-Muller on 16 uniforms in place, first half with second half. */
function normalFill16Double(data: Float64Array, off: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - data[off + j]!; // [0, 1) -> (0, 1] for log
    const u2 = data[off + j + 8]!;
    const radius = Math.sqrt(-2 * log(u1));
    const { sin, cos } = sincos(2 * Math.PI * u2);
    // radius * cos * std + mean: GCC fuses the multiply by std with the add
    data[off + j] = fma(radius * cos, std, mean);
    data[off + j + 8] = fma(radius * sin, std, mean);
  }
}

/** `normal_fill_16_AVX2`: the float32 kernel, one lane at a time (see avx-mathfun.ts). */
function normalFill16Avx2(data: Float32Array | Float64Array, off: number, mean: number, std: number): void {
  const twoPi = f32(2 * Math.PI);
  for (let j = 0; j < 8; j++) {
    const u1 = f32(1 - data[off + j]!);
    const u2 = data[off + j + 8]!;
    const radius = f32(Math.sqrt(f32(-2 * logAvx2(u1))));
    const { sin, cos } = sincosAvx2(f32(twoPi * u2));
    data[off + j] = fmaf(f32(radius * cos), std, mean);
    data[off + j + 8] = fmaf(f32(radius * sin), std, mean);
  }
}

/**
 * `normal_fill_16<Half>` and `<BFloat16>`: the same algorithm in 16-bit arithmetic, rounding
 * wherever the C++ stores a Half or BFloat16. For Half, std::log/sqrt/cos take and return
 * float and Half·float is float, so only radius, theta and the result are rounded (the
 * last multiply-add is fused, as for float32). For BFloat16 every function and operator has
 * an overload returning BFloat16 (c10/util/BFloat16-math.h), so every step is rounded.
 */
function normalFill16Half(data: Float32Array | Float64Array, off: number, mean: number, std: number, bf16: boolean): void {
  const round = bf16 ? roundBfloat16 : roundHalf;
  for (let j = 0; j < 8; j++) {
    const u1 = round(1 - data[off + j]!);
    const u2 = data[off + j + 8]!;
    const theta = round(2 * Math.PI * u2);
    const { sin, cos } = sincos(theta);
    if (bf16) {
      const radius = round(f32(Math.sqrt(round(-2 * round(f32(log(u1)))))));
      data[off + j] = round(round(round(radius * round(f32(cos))) * std) + mean);
      data[off + j + 8] = round(round(round(radius * round(f32(sin))) * std) + mean);
    } else {
      const radius = round(f32(Math.sqrt(f32(-2 * f32(log(u1))))));
      data[off + j] = round(fmaf(f32(radius * f32(cos)), std, mean));
      data[off + j + 8] = round(fmaf(f32(radius * f32(sin)), std, mean));
    }
  }
}

/**
 * Fills `out` like `tensor.normal_(mean, std)` on CPU, so `torch.randn` for (0, 1).
 *
 * PyTorch's `normal_kernel` has two algorithms, chosen by size (`out` is taken to be a
 * contiguous tensor):
 * - 16 elements or more (`normal_fill`): fill all with uniforms, transform each block of 16
 *   by Box-Muller (element j pairs with j + 8), and if the size is not a multiple of 16,
 *   redraw 16 fresh uniforms for the last 16 elements and transform them again. float32
 *   uses the AVX2 kernel. The generator's cached normal is neither used nor changed.
 * - fewer than 16, or a non-contiguous tensor (pass `contiguous = false`, and `out` in the
 *   order PyTorch's TensorIterator visits the elements): one `at::normal_distribution<double>`
 *   sample per element, cast to the dtype, which uses and refills the generator's cached
 *   second sample.
 * See "Note: bit-exact transcendentals". float16 / bfloat16 values come out already rounded.
 *
 * @example fillNormal(new Generator(0), new Float32Array(20), 0, 1, "float32") // torch.randn(20) after torch.manual_seed(0)
 */
export function fillNormal(
  gen: Generator,
  out: Float32Array | Float64Array,
  mean: number,
  std: number,
  dtype: FloatDType,
  contiguous = true,
): void {
  if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
  const n = out.length;
  if (n < 16 || !contiguous) {
    const cast = dtype === "float64" ? (x: number) => x : dtype === "float32" ? f32 : dtype === "float16" ? roundHalf : roundBfloat16;
    for (let i = 0; i < n; i++) out[i] = cast(normalDouble(gen, mean, std));
    return;
  }
  if (dtype === "float64") {
    const data = out instanceof Float64Array ? out : new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = uniform53(gen);
    for (let i = 0; i + 16 <= n; i += 16) normalFill16Double(data, i, mean, std);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) data[i] = uniform53(gen);
      normalFill16Double(data, n - 16, mean, std);
    }
    if (data !== out) out.set(data);
    return;
  }
  // float32 and 16-bit: 24, 11 or 8 random bits per uniform, bounds cast to the dtype.
  const digits = dtype === "float32" ? 24 : dtype === "float16" ? 11 : 8;
  const mask = digits === 24 ? 0xffffff : (1 << digits) - 1;
  const scale = 2 ** -digits;
  const round = dtype === "float32" ? f32 : dtype === "float16" ? roundHalf : roundBfloat16;
  const m = round(mean);
  const s = round(std);
  const fill16 = (off: number) =>
    dtype === "float32" ? normalFill16Avx2(out, off, m, s) : normalFill16Half(out, off, m, s, dtype === "bfloat16");
  for (let i = 0; i < n; i++) out[i] = (gen.random() & mask) * scale;
  for (let i = 0; i + 16 <= n; i += 16) fill16(i);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) out[i] = (gen.random() & mask) * scale;
    fill16(n - 16);
  }
}

/** The dtypes `fillRandint` writes; `Uint16Array` holds float16 or bfloat16 bits. */
export type RandintDType = "int8" | "uint8" | "bool" | "int16" | "int32" | "int64" | "float16" | "bfloat16" | "float32" | "float64";
export type RandintArray = Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array | Uint16Array | Float32Array | Float64Array;

const SIGNIFICAND_BITS: Partial<Record<RandintDType, number>> = { float16: 11, bfloat16: 8, float32: 24, float64: 53 };

/** An integer rounded to nearest-even `digits` significant bits: its value in a float of that precision. */
function roundToDigits(v: bigint, digits: number): bigint {
  const abs = v < 0n ? -v : v;
  const extra = abs.toString(2).length - digits;
  if (extra <= 0) return v;
  const unit = 1n << BigInt(extra);
  let q = abs >> BigInt(extra);
  const rest = abs - (q << BigInt(extra));
  if (rest * 2n > unit || (rest * 2n === unit && (q & 1n) === 1n)) q += 1n;
  const r = q << BigInt(extra);
  return v < 0n ? -r : r;
}

/**
 * Fills `out` like `tensor.random_(low, high)` on CPU, so `torch.randint(low, high, size)`:
 * each element is (r % (high - low)) + low where r is `random64()` if the range is at least
 * 2^32 and the dtype is int64, float64, float32 or bfloat16, else `random()`.
 *
 * For floating dtypes the bounds are first moved inward to values the dtype can hold
 * (`update_from` / `update_to`). `dtype` defaults from the array type and is required for
 * `Uint16Array` (float16 or bfloat16 bits); `Uint8Array` serves uint8 and bool alike.
 *
 * @example
 * const out = new BigInt64Array(4);
 * fillRandint(new Generator(0), out, 0n, 10n); // [4n, 9n, 3n, 0n], torch.randint(0, 10, (4,)) after torch.manual_seed(0)
 */
export function fillRandint(gen: Generator, out: RandintArray, low: bigint, high: bigint, dtype?: RandintDType): void {
  const type = dtype ?? defaultRandintDType(out);
  const digits = SIGNIFICAND_BITS[type];
  if (digits !== undefined) {
    // update_from / update_to (aten/src/ATen/native/DistributionTemplates.h)
    const fromPlus1 = roundToDigits(low + 1n, digits);
    if (fromPlus1 < low) low = fromPlus1 + (1n << BigInt(bitLength(low + 1n) - 1 - digits + 1));
    const toMinus1 = roundToDigits(high - 1n, digits);
    if (toMinus1 >= high) high = toMinus1 - (1n << BigInt(bitLength(high - 1n) - 1 - digits + 1));
  }
  if (!(low < high)) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const range = BigInt.asUintN(64, high - low);
  const wide = range >= 1n << 32n && (type === "int64" || type === "float64" || type === "float32" || type === "bfloat16");
  const n = out.length;
  const safe = !wide && low >= BigInt(Number.MIN_SAFE_INTEGER) && high <= BigInt(Number.MAX_SAFE_INTEGER);
  if (safe && !(out instanceof BigInt64Array) && type !== "float16" && type !== "bfloat16") {
    // Fast path: the sum is an exact JS number and typed-array stores wrap integers like C casts.
    const rangeNumber = Number(range);
    const lowNumber = Number(low);
    const cast = type === "float32" ? f32 : (x: number) => x;
    for (let i = 0; i < n; i++) (out as Exclude<RandintArray, BigInt64Array>)[i] = cast((gen.random() % rangeNumber) + lowNumber);
    return;
  }
  for (let i = 0; i < n; i++) {
    const r = wide ? gen.random64() : BigInt(gen.random());
    // static_cast<int64_t>((r % range) + low): 64-bit wrap-around arithmetic
    const v = BigInt.asIntN(64, (r % range) + low);
    writeInteger(out, i, v, type);
  }
}

function bitLength(v: bigint): number {
  return (v < 0n ? -v : v).toString(2).length;
}

function defaultRandintDType(out: RandintArray): RandintDType {
  if (out instanceof Int8Array) return "int8";
  if (out instanceof Uint8Array) return "uint8";
  if (out instanceof Int16Array) return "int16";
  if (out instanceof Int32Array) return "int32";
  if (out instanceof BigInt64Array) return "int64";
  if (out instanceof Float32Array) return "float32";
  if (out instanceof Float64Array) return "float64";
  throw new TypeError("fillRandint: a Uint16Array holds float16 or bfloat16 bits; pass the dtype");
}

/** Stores an int64 as C's static_cast to the dtype does (integers wrap, floats round). */
function writeInteger(out: RandintArray, i: number, v: bigint, type: RandintDType): void {
  if (out instanceof BigInt64Array) {
    out[i] = v;
  } else if (type === "float16" || type === "bfloat16") {
    // Half(int64) and BFloat16(int64) go through float.
    const asFloat = Number(roundToDigits(v, 24));
    out[i] = type === "float16" ? toFloat16Bits(asFloat) : toBfloat16Bits(asFloat);
  } else if (type === "float32") {
    out[i] = Number(roundToDigits(v, 24)); // one rounding, not int64 -> double -> float
  } else if (type === "float64") {
    out[i] = Number(v);
  } else {
    out[i] = Number(BigInt.asIntN(32, v)); // the typed array then wraps to its width
  }
}

/**
 * A random permutation of 0..n-1 like `torch.randperm(n)` on CPU (`randperm_cpu`): start
 * from the identity and for i = 0..n-2 swap element i with element i + (random() % (n - i)).
 *
 * @example randperm(new Generator(0), 5) // [4n, 0n, 1n, 3n, 2n], torch.randperm(5) after torch.manual_seed(0)
 */
export function randperm(gen: Generator, n: number): BigInt64Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be non-negative, got ${n}`);
  const perm = new Float64Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = gen.random() % (n - i);
    const saved = perm[i]!;
    perm[i] = perm[z + i]!;
    perm[z + i] = saved;
  }
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) out[i] = BigInt(perm[i]!);
  return out;
}
