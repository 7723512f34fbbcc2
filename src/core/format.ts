/**
 * Tensor printing: `formatTensor` returns exactly what Python's `repr(t)` prints in PyTorch 1.13
 * (torch/_tensor_str.py). Pure: it reads a plain description of the tensor, not a Tensor, so it
 * has no runtime imports (types only) and any layer can call it.
 */
import type { DType } from "./dtype.ts";

/** Print options, as `torch.set_printoptions` names them (camelCase). */
export interface FormatOptions {
  /** Digits after the decimal point (default 4). */
  precision?: number;
  /** Summarise with `...` when numel > threshold (default 1000). */
  threshold?: number;
  /** Items kept at each end of a summarised dimension (default 3). */
  edgeitems?: number;
  /** Characters per line before wrapping (default 80). */
  linewidth?: number;
  /** Force (true) or forbid (false) scientific notation; null (default) lets PyTorch choose. */
  sciMode?: boolean | null;
}

/** What the printer needs to know about a tensor. */
export interface FormatInfo {
  shape: readonly number[];
  dtype: DType;
  /** Contiguous row-major values; int64 as bigint; bool as boolean or 0/1; float16/bfloat16 decoded. */
  values: ArrayLike<number | bigint | boolean>;
  requiresGrad?: boolean;
  /** Name of the node that made the tensor, e.g. "AddBackward0", printed as grad_fn=<AddBackward0>. */
  gradFn?: string;
}

type Value = number | bigint | boolean;

interface Options {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sciMode: boolean | null;
}

const FLOAT_DTYPES: ReadonlySet<DType> = new Set<DType>(["float32", "float64", "float16", "bfloat16"]);

// PyTorch leaves out `dtype=` for the default dtype and for the dtypes a Python literal
// infers (int64 from ints, bool from bools): `has_default_dtype` in _str_intern.
const UNPRINTED_DTYPES: ReadonlySet<DType> = new Set<DType>(["float32", "int64", "bool"]);

/**
 * The text PyTorch's `repr(t)` gives, with PyTorch's print options.
 *
 * @example
 * formatTensor({ shape: [3], dtype: "float32", values: [1, 2.5, -3] });
 * // "tensor([ 1.0000,  2.5000, -3.0000])"
 */
export function formatTensor(t: FormatInfo, opts: FormatOptions = {}): string {
  const options: Options = {
    precision: opts.precision ?? 4,
    threshold: opts.threshold ?? 1000,
    edgeitems: opts.edgeitems ?? 3,
    linewidth: opts.linewidth ?? 80,
    sciMode: opts.sciMode ?? null,
  };

  const size = t.shape.reduce((n, d) => n * d, 1);
  if (t.values.length < size) {
    throw new RangeError(`formatTensor: shape [${t.shape.join(", ")}] needs ${size} values, found ${t.values.length}`);
  }

  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  if (size === 0) {
    // An empty tensor shows its shape unless 1-d (as NumPy does), and its dtype unless the
    // default: with no elements there is nothing to tell int64 or bool from.
    if (t.shape.length !== 1) suffixes.push(`size=${pythonTuple(t.shape)}`);
    if (t.dtype !== "float32") suffixes.push(`dtype=torch.${t.dtype}`);
    body = "[]";
  } else {
    if (!UNPRINTED_DTYPES.has(t.dtype)) suffixes.push(`dtype=torch.${t.dtype}`);
    body = tensorBody(t, indent, options);
  }
  if (t.gradFn !== undefined) suffixes.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");

  return addSuffixes(prefix + body, suffixes, indent, options.linewidth);
}

// ---------------------------------------------------------------------------------------------
// Layout: _tensor_str, _tensor_str_with_formatter, _vector_str and get_summarized_data

/** The bracketed contents of a non-empty tensor, starting at column `indent`. */
function tensorBody(t: FormatInfo, indent: number, options: Options): string {
  const shape = t.shape;
  const strides = rowMajorStrides(shape);
  const summarize = shape.reduce((n, d) => n * d, 1) > options.threshold;
  const edge = options.edgeitems;

  // Note: summarised indices
  // Along a dimension longer than 2·edgeitems, a summary keeps the first and last edgeitems
  // entries. The innermost dimension slices the tail as Python's `self[-edgeitems:]`, so
  // edgeitems = 0 keeps the whole row there; outer dimensions use range(n - edgeitems, n).
  const cut = (n: number): boolean => summarize && n > 2 * edge;
  const head = (n: number): number[] => range(0, cut(n) ? edge : n);
  const tail = (n: number, innermost: boolean): number[] => {
    if (!cut(n)) return [];
    return range(innermost && edge === 0 ? 0 : n - edge, n);
  };

  // The formatter sees only the elements a summary shows (get_summarized_data).
  const shown: Value[] = [];
  const collect = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      shown.push(t.values[offset]!);
      return;
    }
    const innermost = dim === shape.length - 1;
    for (const i of [...head(shape[dim]!), ...tail(shape[dim]!, innermost)]) collect(dim + 1, offset + i * strides[dim]!);
  };
  collect(0, 0);

  const isFloat = FLOAT_DTYPES.has(t.dtype);
  const formatter = isFloat ? floatFormatter(shown, options) : textFormatter(shown, t.dtype === "bool");
  const element = (offset: number): string => formatter.format(t.values[offset]!);

  const render = (dim: number, offset: number, column: number): string => {
    const rank = shape.length - dim;
    if (rank === 0) return element(offset);
    const n = shape[dim]!;
    const items = (ellipsis: string, child: (i: number) => string): string[] => {
      const parts = head(n).map(child);
      return cut(n) ? [...parts, ellipsis, ...tail(n, rank === 1).map(child)] : parts;
    };

    if (rank === 1) {
      // Each element takes its width plus ", "; as many as fit after the indent share a line.
      const elementLength = formatter.width + 2;
      const perLine = Math.max(1, Math.floor((options.linewidth - column) / elementLength));
      const data = items(" ...", (i) => element(offset + i * strides[dim]!));
      const lines: string[] = [];
      for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(", "));
      return "[" + lines.join(",\n" + " ".repeat(column + 1)) + "]";
    }

    // Sub-tensors of rank r are joined by r - 1 newlines: rows touch, matrices get a blank line.
    const slices = items("...", (i) => render(dim + 1, offset + i * strides[dim]!, column + 1));
    return "[" + slices.join("," + "\n".repeat(rank - 1) + " ".repeat(column + 1)) + "]";
  };
  return render(0, 0, indent);
}

/** Appends `, suffix` to the text, starting a new line when the current one would pass linewidth. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number, linewidth: number): string {
  // _add_suffixes counts the last line two characters long (len - rfind("\n") + 1); kept as is.
  let lastLineLength = text.length - text.lastIndexOf("\n") + 1;
  let out = text;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > linewidth) {
      out += ",\n" + " ".repeat(indent) + suffix;
      lastLineLength = indent + suffix.length;
    } else {
      out += ", " + suffix;
      lastLineLength += suffix.length + 2;
    }
  }
  return out + ")";
}

// ---------------------------------------------------------------------------------------------
// Element formatting: _Formatter

interface Formatter {
  /** Width every element is right-aligned to. */
  readonly width: number;
  format(value: Value): string;
}

function padStart(text: string, width: number): string {
  return text.length >= width ? text : " ".repeat(width - text.length) + text;
}

/** Integers and bools: printed as Python's str() (True/False), right-aligned to the widest. */
function textFormatter(shown: readonly Value[], isBool: boolean): Formatter {
  const text = (v: Value): string => (isBool ? (v ? "True" : "False") : String(v));
  const width = shown.reduce((w: number, v) => Math.max(w, text(v).length), 1);
  return { width, format: (v) => padStart(text(v), width) };
}

/**
 * Floats (float16/bfloat16 as their float32 values, all compared and printed as doubles).
 * From the nonzero finite elements shown:
 * - all integers (int mode): `1.`, or scientific if max/min > 1000 or max > 1e8;
 * - otherwise `{:.Pf}`, or scientific if max/min > 1000, max > 1e8 or min < 1e-4.
 * Widths come from that automatic choice even when options.sciMode then overrides it,
 * and with no nonzero finite element PyTorch stops early: int mode, width 1, no override.
 */
function floatFormatter(shown: readonly Value[], options: Options): Formatter {
  const precision = options.precision;
  let intMode = true;
  let sciMode = false;
  let width = 1;

  const finite = shown.map(Number).filter((v) => Number.isFinite(v) && v !== 0);
  if (finite.length > 0) {
    const magnitudes = finite.map(Math.abs);
    const min = magnitudes.reduce((a, b) => Math.min(a, b));
    const max = magnitudes.reduce((a, b) => Math.max(a, b));
    intMode = finite.every((v) => v === Math.ceil(v));
    const wide = max / min > 1000 || max > 1e8;
    if (intMode) {
      sciMode = wide;
      // `1.`: the trailing point marks a float, so it counts toward the width.
      for (const v of finite) {
        const length = sciMode ? formatExponential(v, precision).length : formatFixed(v, 0).length + 1;
        width = Math.max(width, length);
      }
    } else {
      sciMode = wide || min < 1e-4;
      for (const v of finite) {
        const length = sciMode ? formatExponential(v, precision).length : formatFixed(v, precision).length;
        width = Math.max(width, length);
      }
    }
    if (options.sciMode !== null) sciMode = options.sciMode;
  }

  const format = (value: Value): string => {
    const v = Number(value);
    if (sciMode) return padStart(formatExponential(v, precision), width);
    if (intMode) return padStart(formatFixed(v, 0) + (Number.isFinite(v) ? "." : ""), width);
    return padStart(formatFixed(v, precision), width);
  };
  return { width, format };
}

// ---------------------------------------------------------------------------------------------
// Python's '{:.Pf}' and '{:.Pe}'

// Note: exact decimal rounding
// Python formats the exact binary value of a double and rounds ties to even; JS toFixed and
// toExponential round ties up (0.03125.toFixed(4) is "0.0313", Python "0.0312") and toFixed
// switches to exponent form from 1e21. So the digits are computed here with BigInt: a double is
// mantissa · 2^exponent exactly, which scales by a power of ten into a fraction num / den.

function nonFinite(x: number): string {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

/** Python keeps the sign of -0.0 and of negatives that round to zero: '-0.0000'. */
function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? "-" : "";
}

/** |x| = mantissa · 2^exponent, read from the IEEE-754 bits. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = high >>> 20;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** |x| · 10^power as an exact fraction num / den. */
function scaled(x: number, power: number): { num: bigint; den: bigint } {
  const { mantissa, exponent } = decompose(x);
  let num = mantissa;
  let den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  if (power >= 0) num *= 10n ** BigInt(power);
  else den *= 10n ** BigInt(-power);
  return { num, den };
}

/** num / den rounded to the nearest integer, ties to even. */
function roundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const twice = 2n * (num - q * den);
  if (twice > den || (twice === den && q % 2n === 1n)) return q + 1n;
  return q;
}

/** Python's '{:.Pf}'.format(x). */
function formatFixed(x: number, precision: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const { num, den } = scaled(x, precision);
  const digits = roundHalfEven(num, den).toString().padStart(precision + 1, "0");
  if (precision === 0) return signOf(x) + digits;
  return signOf(x) + digits.slice(0, -precision) + "." + digits.slice(-precision);
}

/** Python's '{:.Pe}'.format(x): one digit, point, P digits, and an exponent of at least 2 digits. */
function formatExponential(x: number, precision: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  let exponent = 0;
  let digits = 0n;
  if (x !== 0) {
    // Find E with 10^P <= |x| · 10^(P-E) < 10^(P+1); log10 can be one off near powers of ten.
    const low = 10n ** BigInt(precision);
    const high = low * 10n;
    exponent = Math.floor(Math.log10(Math.abs(x)));
    let s = scaled(x, precision - exponent);
    while (s.num < low * s.den) s = scaled(x, precision - --exponent);
    while (s.num >= high * s.den) s = scaled(x, precision - ++exponent);
    digits = roundHalfEven(s.num, s.den);
    if (digits === high) {
      digits = low;
      exponent += 1;
    }
  }
  const text = digits.toString().padStart(precision + 1, "0");
  const mantissa = precision === 0 ? text : text[0] + "." + text.slice(1);
  const exponentText = (exponent < 0 ? "-" : "+") + String(Math.abs(exponent)).padStart(2, "0");
  return signOf(x) + mantissa + "e" + exponentText;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return strides;
}

function range(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}

/** Python's str(tuple(shape)): "(0, 3)", and "(0,)" for one element. */
function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}
