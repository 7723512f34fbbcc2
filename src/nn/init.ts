/**
 * nn.init: PyTorch's weight initializers (torch/nn/init.py, 1.13), in place and without
 * gradient tracking. Each draws from a Generator (the default one unless given) in the
 * order PyTorch draws, so after `manualSeed(s)` / `torch.manual_seed(s)` the same call on
 * a float32 or float64 tensor writes PyTorch's exact values (uniform_, normal_ and all the
 * schemes built on them: xavier*, kaiming*).
 *
 * ```ts
 * const w = new Parameter(empty([128, 784]));
 * kaimingUniform_(w, { a: Math.sqrt(5) }); // what nn.Linear(784, 128) does
 * ```
 */
import { isFloating, type DType } from "../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../core/errors.ts";
import { defaultGenerator, fillNormal, fillUniform, type FloatDType, type Generator } from "../core/random.ts";
import { erf, erfinv } from "../core/special.ts";
import type { Tensor } from "../core/tensor.ts";
import { noGrad } from "../autograd/grad-mode.ts";
import { tensor } from "../ops/creation.ts";

export interface InitOptions {
  /** The random stream to draw from (default: the global generator). */
  generator?: Generator;
}

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

export type FanMode = "fan_in" | "fan_out";

function floatDType(op: string, t: Tensor): FloatDType {
  if (!isFloating(t.dtype)) throw new DTypeError(`${op}: expected a floating point tensor, got ${t.dtype}`);
  return t.dtype as FloatDType;
}

/** Overwrites `t` with `values` (float32 or float64 numbers already rounded to t's dtype). */
function write(t: Tensor, values: Float32Array | Float64Array): Tensor {
  const source = tensor(values, { shape: t.shape, dtype: values instanceof Float64Array ? "float64" : "float32" });
  noGrad(() => t.copy_(source));
  return t;
}

function buffer(dtype: DType, n: number): Float32Array | Float64Array {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}

/**
 * The recommended gain for a nonlinearity (PyTorch's calculate_gain): 1 for linear, conv
 * and sigmoid; 5/3 for tanh; √2 for relu; √(2/(1 + slope²)) for leaky_relu (slope 0.01
 * unless given); 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param: number | null = null): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d":
    case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
      return 1;
    case "tanh":
      return 5.0 / 3;
    case "relu":
      return Math.sqrt(2.0);
    case "leaky_relu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || Number.isNaN(slope)) throw new ValueError(`negative_slope ${String(param)} not a valid number`);
      return Math.sqrt(2.0 / (1 + slope * slope));
    }
    case "selu":
      return 3.0 / 4;
    default:
      throw new ValueError(`Unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/**
 * PyTorch's _calculate_fan_in_and_fan_out: for a weight [out, in, k...], fan_in = in·∏k and
 * fan_out = out·∏k. Needs at least 2 dims.
 */
export function calculateFanInAndFanOut(t: Tensor): [fanIn: number, fanOut: number] {
  if (t.ndim < 2) throw new ShapeError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  const receptiveField = t.shape.slice(2).reduce((p, s) => p * s, 1);
  return [t.shape[1]! * receptiveField, t.shape[0]! * receptiveField];
}

function calculateCorrectFan(t: Tensor, mode: FanMode): number {
  if (mode !== "fan_in" && mode !== "fan_out") throw new ValueError(`Mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return mode === "fan_in" ? fanIn : fanOut;
}

let skipping = 0;

/**
 * Runs `build` with the random initializers (uniform_, normal_, truncNormal_, orthogonal_
 * and everything built on them) turned into no-ops that draw nothing, and returns its
 * result: for a model whose weights are loaded right after (PyTorch's `skip_init`,
 * transformers' `no_init_weights`). Parameters keep their zero-filled memory;
 * constant_/ones_/zeros_ still write.
 *
 * ```ts
 * const model = skipInit(() => resnet50()); // no 25 M random draws
 * model.loadStateDict(weights);
 * ```
 */
export function skipInit<T>(build: () => T): T {
  skipping++;
  try {
    return build();
  } finally {
    skipping--;
  }
}

/** Fills `t` with samples of U(a, b), as `tensor.uniform_(a, b)`. */
export function uniform_(t: Tensor, a = 0, b = 1, options: InitOptions = {}): Tensor {
  const dtype = floatDType("uniform_", t);
  if (skipping) return t;
  const values = buffer(dtype, t.size);
  fillUniform(options.generator ?? defaultGenerator, values, a, b, dtype);
  return write(t, values);
}

/** Fills `t` with samples of N(mean, std²), as `tensor.normal_(mean, std)`. */
export function normal_(t: Tensor, mean = 0, std = 1, options: InitOptions = {}): Tensor {
  const dtype = floatDType("normal_", t);
  if (skipping) return t;
  const values = buffer(dtype, t.size);
  fillNormal(options.generator ?? defaultGenerator, values, mean, std, dtype, t.isContiguous());
  return write(t, values);
}

/**
 * Fills `t` with N(mean, std²) truncated to [a, b] by PyTorch's inverse-CDF method: u ~
 * U(2Φ(α) − 1, 2Φ(β) − 1) in t's dtype, then mean + std·√2·erfinv(u), clamped to [a, b].
 * The uniforms are PyTorch's; erfinv is evaluated in float64 and rounded (PyTorch
 * evaluates it in t's dtype), so float32 values can differ from PyTorch's in the last bits.
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, options: InitOptions = {}): Tensor {
  const dtype = floatDType("truncNormal_", t);
  if (skipping) return t;
  const normCdf = (x: number) => (1 + erf(x / Math.sqrt(2))) / 2;
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  const values = buffer(dtype, t.size);
  fillUniform(options.generator ?? defaultGenerator, values, 2 * l - 1, 2 * u - 1, dtype);
  const scale = std * Math.sqrt(2);
  for (let i = 0; i < values.length; i++) values[i] = Math.min(Math.max(erfinv(values[i]!) * scale + mean, a), b);
  return write(t, values);
}

/** Fills `t` with `value`. */
export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => t.fill_(value));
  return t;
}

/** Fills `t` with ones. */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Fills `t` with zeros. */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills a 2-D `t` with the identity (ones on the main diagonal). */
export function eye_(t: Tensor): Tensor {
  if (t.ndim !== 2) throw new ShapeError("Only tensors with 2 dimensions are supported");
  const [rows, cols] = t.shape as [number, number];
  const values = buffer(t.dtype, t.size);
  for (let i = 0; i < Math.min(rows, cols); i++) values[i * cols + i] = 1;
  return write(t, values);
}

/**
 * Fills a 3-, 4- or 5-D conv weight with the Dirac delta: each output channel passes one
 * input channel through unchanged (per group), so the convolution starts as the identity.
 */
export function dirac_(t: Tensor, groups = 1): Tensor {
  if (t.ndim < 3 || t.ndim > 5) throw new ShapeError("Only tensors with 3, 4, or 5 dimensions are supported");
  const [out, inPerGroup, ...kernel] = t.shape as number[];
  if (!Number.isInteger(groups) || groups <= 0 || out! % groups !== 0) throw new ValueError("dim 0 must be divisible by groups");
  const outPerGroup = out! / groups;
  const minDim = Math.min(outPerGroup, inPerGroup!);
  const kernelSize = kernel.reduce((p, k) => p * k, 1);
  // The centre tap: index k//2 along every spatial dim, flattened.
  let centre = 0;
  for (const k of kernel) centre = centre * k + Math.floor(k / 2);
  const values = buffer(t.dtype, t.size);
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < minDim; d++) values[((g * outPerGroup + d) * inPerGroup! + d) * kernelSize + centre] = 1;
  }
  return write(t, values);
}

/** Xavier/Glorot uniform: U(−a, a) with a = gain·√(6/(fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(t, -a, a, options);
}

/** Xavier/Glorot normal: N(0, std²) with std = gain·√(2/(fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(t, 0, std, options);
}

export interface KaimingOptions extends InitOptions {
  /** The negative slope of the rectifier after this layer (leaky_relu only); default 0. */
  a?: number;
  /** "fan_in" (default) keeps the forward pass's variance, "fan_out" the backward's. */
  mode?: FanMode;
  /** Default "leaky_relu". */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, options: KaimingOptions): number {
  const fan = calculateCorrectFan(t, options.mode ?? "fan_in");
  const gain = calculateGain(options.nonlinearity ?? "leaky_relu", options.a ?? 0);
  return gain / Math.sqrt(fan);
}

/** Kaiming/He uniform: U(−bound, bound) with bound = gain·√(3/fan). */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.shape.includes(0)) return t; // PyTorch warns "Initializing zero-element tensors is a no-op"
  const bound = Math.sqrt(3.0) * kaimingStd(t, options);
  return uniform_(t, -bound, bound, options);
}

/** Kaiming/He normal: N(0, std²) with std = gain/√fan. */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.shape.includes(0)) return t;
  return normal_(t, 0, kaimingStd(t, options), options);
}

/**
 * Householder QR of an m×n matrix (m ≥ n, row-major float64) returning Q's first n columns
 * (m×n) and R's diagonal, as LAPACK's geqrf + orgqr compute them.
 */
function householderQr(a: Float64Array, m: number, n: number): { q: Float64Array; diag: Float64Array } {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const taus: number[] = [];
  const diag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let below = 0;
    for (let i = k + 1; i < m; i++) below += r[i * n + k]! ** 2;
    const alpha = r[k * n + k]!;
    const norm = Math.sqrt(alpha * alpha + below);
    // LAPACK's dlarfg: beta = −sign(alpha)·‖x‖, v = x/(alpha − beta) with v[0] = 1, tau = (beta − alpha)/beta;
    // nothing below the diagonal means H = I.
    const v = new Float64Array(m - k);
    if (below === 0) {
      v[0] = 1;
      vs.push(v);
      taus.push(0);
      diag[k] = alpha;
      continue;
    }
    const beta = alpha >= 0 ? -norm : norm;
    const tau = (beta - alpha) / beta;
    v[0] = 1;
    for (let i = k + 1; i < m; i++) v[i - k] = r[i * n + k]! / (alpha - beta);
    for (let j = k; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i - k]! * r[i * n + j]!;
      s *= tau;
      for (let i = k; i < m; i++) r[i * n + j] = r[i * n + j]! - s * v[i - k]!;
    }
    vs.push(v);
    taus.push(tau);
    diag[k] = beta;
  }
  // Q = H_0 H_1 ... H_{n−1} applied to the first n columns of the identity, last reflector first.
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    const tau = taus[k]!;
    if (tau === 0) continue;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i - k]! * q[i * n + j]!;
      s *= tau;
      for (let i = k; i < m; i++) q[i * n + j] = q[i * n + j]! - s * v[i - k]!;
    }
  }
  return { q, diag };
}

/**
 * Fills `t` (2 or more dims, flattened to rows × rest) with a (semi-)orthogonal matrix, as
 * PyTorch's orthogonal_: draw N(0, 1) in t's dtype, QR-factorize (of the transpose when
 * rows < cols), make Q unique by the signs of R's diagonal, and scale by `gain`. The QR
 * runs in float64 (PyTorch's runs LAPACK in t's dtype), so values agree with PyTorch's to
 * the rounding of that factorization, not bit for bit.
 */
export function orthogonal_(t: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  const dtype = floatDType("orthogonal_", t);
  if (skipping) return t;
  if (t.ndim < 2) throw new ShapeError("Only tensors with 2 or more dimensions are supported");
  if (t.size === 0) return t;
  const rows = t.shape[0]!;
  const cols = t.size / rows;
  const drawn = buffer(dtype, rows * cols);
  fillNormal(options.generator ?? defaultGenerator, drawn, 0, 1, dtype);
  const transposed = rows < cols;
  const [m, n] = transposed ? [cols, rows] : [rows, cols];
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (transposed) a[j * n + i] = drawn[i * cols + j]!;
      else a[i * n + j] = drawn[i * cols + j]!;
    }
  }
  const { q, diag } = householderQr(a, m, n);
  const values = buffer(dtype, rows * cols);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const sign = diag[j]! > 0 ? 1 : diag[j]! < 0 ? -1 : 0;
      const v = q[i * n + j]! * sign * gain;
      if (transposed) values[j * cols + i] = v;
      else values[i * cols + j] = v;
    }
  }
  return write(t, values);
}
