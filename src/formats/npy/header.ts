/**
 * The .npy header (numpy.lib.format): magic "\x93NUMPY", version byte pair (1.0, 2.0, 3.0),
 * header length (u16 in 1.0, u32 after), then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and a
 * newline so the data starts on a multiple of 64. The literal is parsed by a small parser
 * that knows strings, True/False, integers and tuples — never evaluated.
 */
import { FormatError, UnsupportedError } from "../../core/errors.ts";

export interface NpyHeader {
  readonly version: 1 | 2 | 3;
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Byte offset of the data. */
  readonly dataOffset: number;
}

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] as const;
/** numpy refuses headers over 10 000 bytes by default; we allow more but not without bound. */
const MAX_HEADER = 1 << 20;

type Literal = string | boolean | number | Literal[] | { [key: string]: Literal };

/** A parser for the Python literals a .npy header holds. */
class LiteralParser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly fail: (message: string) => never,
  ) {}
  private skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  private peek(): string {
    this.skip();
    return this.text[this.pos] ?? "";
  }
  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`header: expected '${c}' at character ${this.pos}, found '${this.text[this.pos] ?? "end"}'`);
    this.pos++;
  }
  value(depth = 0): Literal {
    if (depth > 8) this.fail("header: literal nested too deeply");
    const c = this.peek();
    if (c === "'" || c === '"') return this.string(c);
    if (c === "{") return this.dict(depth);
    if (c === "(" || c === "[") return this.sequence(c === "(" ? ")" : "]", depth);
    const word = /^(True|False|-?\d+L?)/.exec(this.text.slice(this.pos, this.pos + 32));
    if (!word) return this.fail(`header: unexpected '${c || "end"}' at character ${this.pos}`);
    this.pos += word[0].length;
    if (word[0] === "True" || word[0] === "False") return word[0] === "True";
    const n = Number(word[0].replace("L", ""));
    if (!Number.isSafeInteger(n)) this.fail(`header: integer ${word[0]} is too large`);
    return n;
  }
  private string(quote: string): string {
    this.pos++;
    const end = this.text.indexOf(quote, this.pos);
    if (end < 0) this.fail("header: unterminated string");
    const s = this.text.slice(this.pos, end);
    if (s.includes("\\")) this.fail("header: escapes in strings are not supported");
    this.pos = end + 1;
    return s;
  }
  private sequence(close: string, depth: number): Literal[] {
    this.pos++;
    const out: Literal[] = [];
    while (this.peek() !== close) {
      out.push(this.value(depth + 1));
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== close) this.fail(`header: expected ',' or '${close}' at character ${this.pos}`);
    }
    this.pos++;
    return out;
  }
  private dict(depth: number): { [key: string]: Literal } {
    this.pos++;
    const out: { [key: string]: Literal } = {};
    while (this.peek() !== "}") {
      const key = this.value(depth + 1);
      if (typeof key !== "string") this.fail("header: dict keys must be strings");
      this.expect(":");
      if (Object.prototype.hasOwnProperty.call(out, key as string)) this.fail(`header: duplicate key '${key}'`);
      Object.defineProperty(out, key as string, { value: this.value(depth + 1), enumerable: true });
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== "}") this.fail(`header: expected ',' or '}' at character ${this.pos}`);
    }
    this.pos++;
    return out;
  }
  end(): void {
    if (this.peek() !== "") this.fail(`header: unexpected text after the dict at character ${this.pos}`);
  }
}

/** Parses and validates the header of a .npy file in `bytes`. */
export function readNpyHeader(bytes: Uint8Array, fileName?: string): NpyHeader {
  const fail = (message: string, at?: number): never => {
    throw new FormatError(message, fileName, at);
  };
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) fail("not a .npy file (no \\x93NUMPY magic)", 0);
  const major = bytes[6]!;
  if (major !== 1 && major !== 2 && major !== 3) fail(`unknown .npy version ${major}.${bytes[7]}`, 6);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthSize) fail("truncated header length", 8);
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthSize;
  if (length > MAX_HEADER) fail(`header length ${length} exceeds ${MAX_HEADER}`, 8);
  if (start + length > bytes.length) fail(`header of ${length} bytes runs past the end of the file (${bytes.length} bytes)`, 8);
  const raw = bytes.subarray(start, start + length);
  let text = "";
  if (major === 3) text = new TextDecoder("utf-8").decode(raw);
  else for (const b of raw) text += String.fromCharCode(b); // latin-1

  const parser = new LiteralParser(text, (m) => fail(m, start));
  const dict = parser.value();
  parser.end();
  if (typeof dict !== "object" || Array.isArray(dict)) return fail("header is not a dict", start);
  const { descr, fortran_order: fortran, shape } = dict as Record<string, Literal | undefined>;
  const keys = Object.keys(dict).sort().join(",");
  if (keys !== "descr,fortran_order,shape") fail(`header keys must be descr, fortran_order and shape, got ${keys}`, start);
  if (typeof fortran !== "boolean") fail("header: fortran_order must be True or False", start);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === "number" && d >= 0))
    fail(`header: shape must be a tuple of non-negative integers, got ${JSON.stringify(shape)}`, start);
  if (Array.isArray(descr)) throw new UnsupportedError(`${fileName !== undefined ? fileName + ": " : ""}structured numpy dtypes are not supported (descr ${JSON.stringify(descr)})`);
  if (typeof descr !== "string") return fail(`header: descr must be a string, got ${JSON.stringify(descr)}`, start);
  return { version: major as 1 | 2 | 3, descr, fortranOrder: fortran as boolean, shape: shape as number[], dataOffset: start + length };
}

/** The header bytes numpy writes (`_write_array_header`), data following on a multiple of 64. */
export function npyHeaderBytes(descr: string, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // numpy leaves room to grow the first dim in place (GROWTH_AXIS_MAX_DIGITS = 21).
  if (shape.length > 0) dict += " ".repeat(21 - String(shape[0]).length);
  let version = 1;
  let prefix = 10;
  let total = prefix + dict.length + 1;
  if (Math.ceil(total / 64) * 64 - prefix > 0xffff) {
    version = 2;
    prefix = 12;
    total = prefix + dict.length + 1;
  }
  const padded = Math.ceil(total / 64) * 64;
  const text = dict + " ".repeat(padded - total) + "\n";
  const out = new Uint8Array(padded);
  out.set(NPY_MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
  return out;
}
