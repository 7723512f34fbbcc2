/**
 * Encoding and decoding the element types concord stores only as bit patterns: the four
 * float8 formats (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ), float8 E8M0, float4 E2M1, and the
 * 4- and 2-bit integers. Rounding is to nearest, ties to even, as ONNX's Cast specifies;
 * with `saturate`, values beyond the largest finite number, infinities included, become
 * it (ONNX Cast-19); without, they become infinity (E5M2) or NaN.
 */

interface FloatFormat {
  expBits: number;
  manBits: number;
  bias: number;
  /** Largest finite magnitude. */
  max: number;
  /** E5M2 has infinities; the others do not. */
  hasInf: boolean;
  /** FNUZ formats: one zero, NaN is 0x80. */
  uz: boolean;
}

const FORMATS: Record<string, FloatFormat> = {
  float8e4m3fn: { expBits: 4, manBits: 3, bias: 7, max: 448, hasInf: false, uz: false },
  float8e4m3fnuz: { expBits: 4, manBits: 3, bias: 8, max: 240, hasInf: false, uz: true },
  float8e5m2: { expBits: 5, manBits: 2, bias: 15, max: 57344, hasInf: true, uz: false },
  float8e5m2fnuz: { expBits: 5, manBits: 2, bias: 16, max: 57344, hasInf: false, uz: true },
  float4e2m1: { expBits: 2, manBits: 1, bias: 1, max: 6, hasInf: false, uz: false },
};

/** Round half to even. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function nanCode(f: FloatFormat, bits: number): number {
  if (f.uz) return 0x80;
  if (bits === 4) return 0x8; // float4e2m1 has no NaN; ONNX maps NaN to -0 (0b1000)
  return f.hasInf ? 0x7e : 0x7f; // the NaN ml_dtypes writes for E5M2 / E4M3FN
}

function encodeFloat(x: number, f: FloatFormat, saturate: boolean): number {
  const bits = 1 + f.expBits + f.manBits;
  const signBit = 1 << (bits - 1);
  if (Number.isNaN(x)) return nanCode(f, bits);
  const negative = x < 0 || Object.is(x, -0);
  const sign = negative ? signBit : 0;
  const a = Math.abs(x);
  const infCode = f.hasInf ? ((1 << f.expBits) - 1) << f.manBits : -1;
  const maxFinite = encodeMagnitude(f.max, f);
  const overflow = (): number => {
    if (bits === 4) return sign | maxFinite; // float4 always saturates
    if (saturate) return sign | maxFinite;
    return f.hasInf ? sign | infCode : f.uz ? nanCode(f, bits) : sign | nanCode(f, bits);
  };
  if (a === Infinity) {
    return overflow();
  }
  const minNormalExp = 1 - f.bias;
  const e = a === 0 ? minNormalExp : Math.max(Math.floor(Math.log2(a)), minNormalExp);
  const quantum = 2 ** (e - f.manBits);
  const q = roundEven(a / quantum) * quantum;
  if (q > f.max) return overflow();
  if (q === 0) return f.uz ? 0 : sign;
  return sign | encodeMagnitude(q, f);
}

/** The code of a representable non-negative magnitude. */
function encodeMagnitude(q: number, f: FloatFormat): number {
  const minNormal = 2 ** (1 - f.bias);
  if (q < minNormal) return Math.round(q / 2 ** (1 - f.bias - f.manBits));
  let e = Math.floor(Math.log2(q));
  if (2 ** e > q) e--;
  const man = Math.round((q / 2 ** e - 1) * 2 ** f.manBits);
  return ((e + f.bias) << f.manBits) | man;
}

function decodeFloat(code: number, f: FloatFormat): number {
  const bits = 1 + f.expBits + f.manBits;
  if (f.uz && code === 0x80) return NaN;
  const sign = code & (1 << (bits - 1)) ? -1 : 1;
  const exp = (code >> f.manBits) & ((1 << f.expBits) - 1);
  const man = code & ((1 << f.manBits) - 1);
  const maxExp = (1 << f.expBits) - 1;
  if (bits === 8 && !f.uz) {
    if (f.hasInf && exp === maxExp) return man === 0 ? sign * Infinity : NaN;
    if (!f.hasInf && exp === maxExp && man === (1 << f.manBits) - 1) return NaN;
  }
  const value = exp === 0 ? man * 2 ** (1 - f.bias - f.manBits) : (1 + man / 2 ** f.manBits) * 2 ** (exp - f.bias);
  return sign * value;
}

/** float8 E8M0 (a power of two 2^(e-127), 0xFF is NaN); rounds up unless `roundMode` is "down" or "nearest". */
function encodeE8M0(x: number, saturate: boolean, roundMode: string): number {
  if (Number.isNaN(x) || x === Infinity || x === -Infinity) return saturate && Math.abs(x) === Infinity ? 254 : 255;
  const a = Math.abs(x);
  if (a <= 2 ** -127) return 0;
  const lower = Math.floor(Math.log2(a));
  const exact = 2 ** lower === a;
  let e = exact ? lower : roundMode === "down" ? lower : roundMode === "nearest" ? (a - 2 ** lower < 2 ** (lower + 1) - a ? lower : lower + 1) : lower + 1;
  e += 127;
  if (e > 254) return saturate ? 254 : 255;
  return Math.max(e, 0);
}

const decodeE8M0 = (code: number) => (code === 255 ? NaN : 2 ** (code - 127));

/** True for the element types stored as small bit patterns (float8, float4, int4, int2). */
export function isSmallType(t: string): boolean {
  return t in FORMATS || t === "float8e8m0" || t === "int4" || t === "uint4" || t === "int2" || t === "uint2";
}

export interface EncodeOptions {
  saturate?: boolean;
  /** float8e8m0 only: "up" (default), "down" or "nearest". */
  roundMode?: string;
}

/** Numbers to the codes (or, for int4/int2/uint4/uint2, the wrapped values) of a small type. */
export function encodeSmall(values: ArrayLike<number>, t: string, options: EncodeOptions = {}): Int8Array | Uint8Array {
  const n = values.length;
  if (t === "int4" || t === "int2" || t === "uint4" || t === "uint2") {
    const bits = t.endsWith("4") ? 4 : 2;
    const out = t.startsWith("u") ? new Uint8Array(n) : new Int8Array(n);
    const mod = 1 << bits;
    for (let i = 0; i < n; i++) {
      const v = Number.isFinite(values[i]!) ? Math.trunc(values[i]!) : 0;
      let w = ((v % mod) + mod) % mod;
      if (!t.startsWith("u") && w >= mod / 2) w -= mod;
      out[i] = w;
    }
    return out;
  }
  const out = new Uint8Array(n);
  if (t === "float8e8m0") {
    for (let i = 0; i < n; i++) out[i] = encodeE8M0(values[i]!, options.saturate ?? true, options.roundMode ?? "up");
    return out;
  }
  const f = FORMATS[t]!;
  for (let i = 0; i < n; i++) out[i] = encodeFloat(values[i]!, f, options.saturate ?? true);
  return out;
}

/** The numbers a small type's codes stand for. */
export function decodeSmall(codes: ArrayLike<number>, t: string): Float64Array {
  const out = new Float64Array(codes.length);
  if (t === "int4" || t === "int2" || t === "uint4" || t === "uint2") {
    for (let i = 0; i < codes.length; i++) out[i] = codes[i]!;
    return out;
  }
  if (t === "float8e8m0") {
    for (let i = 0; i < codes.length; i++) out[i] = decodeE8M0(codes[i]!);
    return out;
  }
  const f = FORMATS[t]!;
  for (let i = 0; i < codes.length; i++) out[i] = decodeFloat(codes[i]!, f);
  return out;
}

/** The range of an integer small type, for quantization's saturation. */
export function smallIntRange(t: string): [number, number] | undefined {
  return { int4: [-8, 7], uint4: [0, 15], int2: [-2, 1], uint2: [0, 3] }[t] as [number, number] | undefined;
}
