/**
 * Pickle opcodes (protocols 0-5) and a decoder that reads one opcode and its argument at a
 * time from untrusted bytes. Every length is checked against the bytes left before anything
 * is allocated; the scanner and the VM share this decoder so they see the same opcodes.
 */
import { FormatError } from "../../core/errors.ts";

export const OP = {
  MARK: 0x28, // (
  STOP: 0x2e, // .
  POP: 0x30, // 0
  POP_MARK: 0x31, // 1
  DUP: 0x32, // 2
  FLOAT: 0x46, // F
  INT: 0x49, // I
  BININT: 0x4a, // J
  BININT1: 0x4b, // K
  LONG: 0x4c, // L
  BININT2: 0x4d, // M
  NONE: 0x4e, // N
  PERSID: 0x50, // P
  BINPERSID: 0x51, // Q
  REDUCE: 0x52, // R
  STRING: 0x53, // S
  BINSTRING: 0x54, // T
  SHORT_BINSTRING: 0x55, // U
  UNICODE: 0x56, // V
  BINUNICODE: 0x58, // X
  APPEND: 0x61, // a
  BUILD: 0x62, // b
  GLOBAL: 0x63, // c
  DICT: 0x64, // d
  EMPTY_DICT: 0x7d, // }
  APPENDS: 0x65, // e
  GET: 0x67, // g
  BINGET: 0x68, // h
  INST: 0x69, // i
  LONG_BINGET: 0x6a, // j
  LIST: 0x6c, // l
  EMPTY_LIST: 0x5d, // ]
  OBJ: 0x6f, // o
  PUT: 0x70, // p
  BINPUT: 0x71, // q
  LONG_BINPUT: 0x72, // r
  SETITEM: 0x73, // s
  TUPLE: 0x74, // t
  EMPTY_TUPLE: 0x29, // )
  SETITEMS: 0x75, // u
  BINFLOAT: 0x47, // G
  PROTO: 0x80,
  NEWOBJ: 0x81,
  EXT1: 0x82,
  EXT2: 0x83,
  EXT4: 0x84,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  LONG4: 0x8b,
  BINBYTES: 0x42, // B
  SHORT_BINBYTES: 0x43, // C
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  NEWOBJ_EX: 0x92,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
  BYTEARRAY8: 0x96,
  NEXT_BUFFER: 0x97,
  READONLY_BUFFER: 0x98,
} as const;

const NAMES = new Map<number, string>(Object.entries(OP).map(([k, v]) => [v, k]));

export function opName(code: number): string {
  return NAMES.get(code) ?? `0x${code.toString(16).padStart(2, "0")}`;
}

/** An opcode's argument, decoded. */
export type OpArg = null | boolean | number | bigint | string | Uint8Array | readonly [string, string];

export interface Op {
  code: number;
  /** Byte offset of the opcode within the whole file. */
  offset: number;
  arg: OpArg;
}

const utf8 = new TextDecoder("utf-8");

/** ISO-8859-1 (TextDecoder's "latin1" is windows-1252, which differs in 0x80-0x9f). */
export function latin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/** Reads opcodes from `bytes[start, end)`; offsets in errors are `base + position`. */
export class PickleReader {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    readonly fileName: string | undefined,
  ) {
    this.pos = start;
  }

  error(message: string, offset = this.pos): FormatError {
    return new FormatError(message, this.fileName, offset);
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) throw this.error(`pickle is truncated: ${what} needs ${n} bytes, ${this.end - this.pos} left`);
  }

  private take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private uint(width: 1 | 2 | 4, what: string): number {
    const b = this.take(width, what);
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + b[i]!;
    return v;
  }

  private u64(what: string): number {
    const lo = this.uint(4, what);
    const hi = this.uint(4, what);
    const v = hi * 2 ** 32 + lo;
    if (hi >= 2 ** 21) throw this.error(`${what} of ${hi * 2 ** 32 + lo} bytes is beyond any file`);
    return v;
  }

  /** A protocol-0 argument up to its newline: bytes as latin1 (Python 3 reads GLOBAL names as UTF-8). */
  private line(what: string, encoding: "latin1" | "utf-8" = "latin1"): string {
    const stop = this.bytes.subarray(this.pos, this.end).indexOf(0x0a);
    if (stop < 0) throw this.error(`pickle is truncated: ${what} has no end of line`);
    const raw = this.bytes.subarray(this.pos, this.pos + stop);
    const text = encoding === "utf-8" ? utf8.decode(raw) : latin1(raw);
    this.pos += stop + 1;
    return text;
  }

  private text(n: number, what: string): string {
    return utf8.decode(this.take(n, what));
  }

  /** The next opcode with its argument. */
  next(): Op {
    const offset = this.pos;
    if (this.pos >= this.end) throw this.error("pickle ends without a STOP opcode");
    const code = this.bytes[this.pos++]!;
    return { code, offset, arg: this.argument(code, offset) };
  }

  private argument(code: number, offset: number): OpArg {
    switch (code) {
      case OP.PROTO:
      case OP.BININT1:
      case OP.BINGET:
      case OP.BINPUT:
      case OP.EXT1:
        return this.uint(1, opName(code));
      case OP.BININT2:
      case OP.EXT2:
        return this.uint(2, opName(code));
      case OP.LONG_BINGET:
      case OP.LONG_BINPUT:
      case OP.EXT4:
        return this.uint(4, opName(code));
      case OP.BININT: {
        const v = this.uint(4, "BININT");
        return v >= 2 ** 31 ? v - 2 ** 32 : v;
      }
      case OP.BINFLOAT: {
        const b = this.take(8, "BINFLOAT");
        return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, false);
      }
      case OP.FRAME:
        return this.u64("FRAME");
      case OP.LONG1:
        return decodeLong(this.take(this.uint(1, "LONG1"), "LONG1"));
      case OP.LONG4: {
        const n = this.uint(4, "LONG4");
        if (n >= 2 ** 31) throw this.error(`LONG4 has a negative length`, offset);
        return decodeLong(this.take(n, "LONG4"));
      }
      case OP.SHORT_BINSTRING:
      case OP.SHORT_BINBYTES:
        return new Uint8Array(this.take(this.uint(1, opName(code)), opName(code)));
      case OP.BINSTRING: {
        const n = this.uint(4, "BINSTRING");
        if (n >= 2 ** 31) throw this.error(`BINSTRING has a negative length`, offset);
        return new Uint8Array(this.take(n, "BINSTRING"));
      }
      case OP.BINBYTES:
        return new Uint8Array(this.take(this.uint(4, "BINBYTES"), "BINBYTES"));
      case OP.BINBYTES8:
      case OP.BYTEARRAY8:
        return new Uint8Array(this.take(this.u64(opName(code)), opName(code)));
      case OP.SHORT_BINUNICODE:
        return this.text(this.uint(1, "SHORT_BINUNICODE"), "SHORT_BINUNICODE");
      case OP.BINUNICODE:
        return this.text(this.uint(4, "BINUNICODE"), "BINUNICODE");
      case OP.BINUNICODE8:
        return this.text(this.u64("BINUNICODE8"), "BINUNICODE8");
      case OP.INT: {
        const s = this.line("INT");
        if (s === "00") return false; // protocol 0's False
        if (s === "01") return true; // protocol 0's True
        return parseDecimal(s, this, offset);
      }
      case OP.LONG:
        return parseDecimal(stripL(this.line("LONG")), this, offset);
      case OP.FLOAT: {
        const s = this.line("FLOAT").trim();
        const v = Number(s);
        if (s === "" || (Number.isNaN(v) && !/^[+-]?nan$/i.test(s))) throw this.error(`FLOAT '${s.slice(0, 40)}' is not a number`, offset);
        return v;
      }
      case OP.STRING:
        return parseQuoted(this.line("STRING"), this, offset);
      case OP.UNICODE:
        return decodeRawUnicodeEscape(this.line("UNICODE"));
      case OP.GET:
      case OP.PUT:
        return parseDecimalIndex(this.line(opName(code)), this, offset);
      case OP.PERSID:
        return this.line("PERSID");
      case OP.GLOBAL:
      case OP.INST:
        return [this.line(`${opName(code)} module`, "utf-8"), this.line(`${opName(code)} name`, "utf-8")] as const;
      default:
        return null;
    }
  }
}

/** Little-endian two's complement bytes as a bigint, or a number when it is a safe integer. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let hex = "";
  for (let i = b.length - 1; i >= 0; i--) hex += b[i]!.toString(16).padStart(2, "0");
  let v = BigInt("0x" + hex);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return toIntValue(v);
}

/** Python ints: numbers when exactly representable, bigints otherwise. */
export function toIntValue(v: bigint): number | bigint {
  return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function stripL(s: string): string {
  return s.endsWith("L") ? s.slice(0, -1) : s;
}

function parseDecimal(s: string, r: PickleReader, offset: number): number | bigint {
  const t = s.trim();
  if (!/^[+-]?\d{1,4300}$/.test(t)) throw r.error(`'${t.slice(0, 40)}' is not a decimal integer`, offset);
  return toIntValue(BigInt(t));
}

function parseDecimalIndex(s: string, r: PickleReader, offset: number): number {
  const v = parseDecimal(s, r, offset);
  if (typeof v !== "number" || v < 0) throw r.error(`memo index '${s.slice(0, 40)}' is out of range`, offset);
  return v;
}

/** Protocol 0's STRING argument: a Python repr in quotes, with backslash escapes. */
function parseQuoted(s: string, r: PickleReader, offset: number): Uint8Array {
  const q = s[0];
  if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) throw r.error("STRING argument is not quoted", offset);
  const body = s.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c !== 0x5c) {
      out.push(c & 0xff);
      continue;
    }
    const e = body[++i];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, "\\": 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11, "0": 0 };
    if (e === "x" && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e !== undefined && e in simple) out.push(simple[e]!);
    else throw r.error(`STRING has an unknown escape '\\${e ?? ""}'`, offset);
  }
  return Uint8Array.from(out);
}

/** Protocol 0's UNICODE argument: raw-unicode-escape (only \uXXXX and \UXXXXXXXX are escapes). */
function decodeRawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u4: string | undefined, u8: string | undefined) => {
    const cp = parseInt((u4 ?? u8)!, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd";
  });
}
