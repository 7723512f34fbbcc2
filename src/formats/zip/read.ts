/**
 * Zip reader: lists the entries of an archive held in memory and reads one (stored or
 * deflated) at a time, with limits for untrusted files.
 *
 * The central directory is the truth (sizes, CRC, offsets); local headers are only used to
 * find where each entry's data starts, so archives written with data descriptors (PyTorch's
 * writer) read the same as others. ZIP64 sizes and offsets are understood. Every declared
 * size is checked against the bytes actually there before anything is allocated, inflated
 * output is bounded by the declared size and checked against the CRC.
 */
import { inflateSync } from "fflate";
import { FormatError, UnsupportedError } from "../../core/errors.ts";
import { crc32 } from "./crc32.ts";
import { unsafeNameReason } from "./names.ts";

export interface ZipEntry {
  readonly name: string;
  readonly method: "stored" | "deflated";
  /** Uncompressed size in bytes. */
  readonly size: number;
  readonly compressedSize: number;
  readonly crc32: number;
  /** Offset of the local file header. */
  readonly headerOffset: number;
}

export interface ZipReadOptions {
  /** Names the file in error messages. */
  fileName?: string;
  /** Most entries accepted (default 65 536). */
  maxEntries?: number;
  /** Largest uncompressed size of one entry (default 4 GiB). */
  maxEntrySize?: number;
  /** Largest sum of uncompressed sizes (default 16 GiB). */
  maxTotalSize?: number;
  /** Check each entry's CRC-32 when it is read (default true). */
  checkCrc?: boolean;
}

interface ZipLimits {
  maxEntries: number;
  maxEntrySize: number;
  maxTotalSize: number;
}

export const ZIP_DEFAULT_LIMITS: Readonly<ZipLimits> = {
  maxEntries: 65_536,
  maxEntrySize: 4 * 2 ** 30,
  maxTotalSize: 16 * 2 ** 30,
};

/** Deflate cannot expand data by more than ~1032:1; a declared size beyond that is a lie. */
const MAX_DEFLATE_RATIO = 1032;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;

export class ZipReader {
  readonly entries: readonly ZipEntry[];
  private readonly byName = new Map<string, ZipEntry>();
  private readonly view: DataView;
  private readonly checkCrc: boolean;
  private readonly fileName: string | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    options: ZipReadOptions = {},
  ) {
    this.fileName = options.fileName;
    this.checkCrc = options.checkCrc ?? true;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.entries = this.readCentralDirectory({
      maxEntries: options.maxEntries ?? ZIP_DEFAULT_LIMITS.maxEntries,
      maxEntrySize: options.maxEntrySize ?? ZIP_DEFAULT_LIMITS.maxEntrySize,
      maxTotalSize: options.maxTotalSize ?? ZIP_DEFAULT_LIMITS.maxTotalSize,
    });
    for (const e of this.entries) this.byName.set(e.name, e);
  }

  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  entry(name: string): ZipEntry {
    const e = this.byName.get(name);
    if (e === undefined) throw this.error(`zip has no entry '${name}'`);
    return e;
  }

  /** The uncompressed bytes of an entry. Stored entries are views into the archive's bytes. */
  read(nameOrEntry: string | ZipEntry): Uint8Array {
    const e = typeof nameOrEntry === "string" ? this.entry(nameOrEntry) : nameOrEntry;
    const start = this.dataStart(e);
    const raw = this.bytes.subarray(start, start + e.compressedSize);
    let out: Uint8Array;
    if (e.method === "stored") out = raw;
    else {
      // One spare byte: output that fills it ran past the declared size.
      let buf: Uint8Array;
      try {
        buf = new Uint8Array(e.size + 1);
      } catch {
        throw new UnsupportedError(`${this.prefix()}zip entry '${e.name}' of ${e.size} bytes is too large to inflate in memory`);
      }
      try {
        out = inflateSync(raw, { out: buf });
      } catch (err) {
        throw this.error(`entry '${e.name}' has corrupt deflate data (${(err as Error).message})`, start);
      }
      if (out.length !== e.size)
        throw this.error(`entry '${e.name}' inflates to ${out.length > e.size ? `more than ${e.size}` : out.length} bytes, its header says ${e.size}`, start);
    }
    if (this.checkCrc && crc32(out) !== e.crc32) throw this.error(`entry '${e.name}' fails its CRC-32 check`, start);
    return out;
  }

  private error(message: string, offset?: number): FormatError {
    return new FormatError(message, this.fileName, offset);
  }

  private u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  private u32(at: number): number {
    return this.view.getUint32(at, true);
  }
  private u64(at: number, what: string): number {
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.error(`zip ${what} ${v} is too large`, at);
    return Number(v);
  }

  private need(at: number, length: number, what: string): void {
    if (at < 0 || at + length > this.bytes.length)
      throw this.error(`zip is truncated: ${what} needs ${length} bytes at ${at}, file has ${this.bytes.length}`);
  }

  private findEndRecord(): number {
    const n = this.bytes.length;
    if (n < EOCD_SIZE) throw this.error(`not a zip archive: ${n} bytes is shorter than the end record`);
    const stop = Math.max(0, n - EOCD_SIZE - 0xffff);
    for (let at = n - EOCD_SIZE; at >= stop; at--) {
      if (this.u32(at) === SIG_EOCD && at + EOCD_SIZE + this.u16(at + 20) <= n) return at;
    }
    throw this.error("not a zip archive: no end-of-central-directory record");
  }

  private readCentralDirectory(limits: ZipLimits): ZipEntry[] {
    const eocd = this.findEndRecord();
    let count = this.u16(eocd + 10);
    let cdSize = this.u32(eocd + 12);
    let cdOffset = this.u32(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc >= 0 && this.u32(loc) === SIG_ZIP64_LOCATOR) {
        const rec = this.u64(loc + 8, "ZIP64 end record offset");
        this.need(rec, 56, "ZIP64 end record");
        if (this.u32(rec) !== SIG_ZIP64_EOCD) throw this.error("ZIP64 end record has a bad signature", rec);
        count = this.u64(rec + 32, "entry count");
        cdSize = this.u64(rec + 40, "central directory size");
        cdOffset = this.u64(rec + 48, "central directory offset");
      }
    }
    if (count > limits.maxEntries)
      throw this.error(`zip has ${count} entries, more than the limit of ${limits.maxEntries} (option maxEntries)`);
    this.need(cdOffset, cdSize, "central directory");
    if (count * CENTRAL_SIZE > cdSize) throw this.error(`zip central directory of ${cdSize} bytes cannot hold ${count} entries`, cdOffset);

    const entries: ZipEntry[] = [];
    const seen = new Set<string>();
    const decoder = new TextDecoder("utf-8");
    let total = 0;
    let at = cdOffset;
    const end = cdOffset + cdSize;
    for (let i = 0; i < count; i++) {
      if (at + CENTRAL_SIZE > end) throw this.error("zip central directory ends inside an entry", at);
      if (this.u32(at) !== SIG_CENTRAL) throw this.error("zip central directory entry has a bad signature", at);
      const flags = this.u16(at + 8);
      const methodCode = this.u16(at + 10);
      const crc = this.u32(at + 16);
      let compressedSize = this.u32(at + 20);
      let size = this.u32(at + 24);
      const nameLength = this.u16(at + 28);
      const extraLength = this.u16(at + 30);
      const commentLength = this.u16(at + 32);
      let headerOffset = this.u32(at + 42);
      const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
      if (next > end) throw this.error("zip central directory entry runs past the directory", at);
      const name = decoder.decode(this.bytes.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength));

      // ZIP64 extra field: the 64-bit values, in this order, for the 32-bit fields set to all ones.
      let x = at + CENTRAL_SIZE + nameLength;
      const xEnd = x + extraLength;
      while (x + 4 <= xEnd) {
        const id = this.u16(x);
        const len = this.u16(x + 2);
        if (x + 4 + len > xEnd) throw this.error(`entry '${name}' has a malformed extra field`, x);
        if (id === 0x0001) {
          let p = x + 4;
          const take = (what: string): number => {
            if (p + 8 > x + 4 + len) throw this.error(`entry '${name}' has a short ZIP64 extra field`, x);
            const v = this.u64(p, what);
            p += 8;
            return v;
          };
          if (size === 0xffffffff) size = take("size");
          if (compressedSize === 0xffffffff) compressedSize = take("compressed size");
          if (headerOffset === 0xffffffff) headerOffset = take("header offset");
        }
        x += 4 + len;
      }

      const unsafe = unsafeNameReason(name);
      if (unsafe !== null) throw this.error(`zip entry name '${name}' is refused: it has ${unsafe}`, at);
      if (seen.has(name)) throw this.error(`zip has two entries named '${name}'`, at);
      seen.add(name);
      if (flags & 1) throw new UnsupportedError(`${this.prefix()}zip entry '${name}' is encrypted`);
      let method: ZipEntry["method"];
      if (methodCode === 0) method = "stored";
      else if (methodCode === 8) method = "deflated";
      else throw new UnsupportedError(`${this.prefix()}zip entry '${name}' uses compression method ${methodCode}; only stored (0) and deflated (8) are read`);
      if (method === "stored" && size !== compressedSize)
        throw this.error(`stored entry '${name}' has size ${size} but compressed size ${compressedSize}`, at);
      if (size > limits.maxEntrySize)
        throw this.error(`entry '${name}' is ${size} bytes uncompressed, more than the limit of ${limits.maxEntrySize} (option maxEntrySize)`, at);
      if (method === "deflated" && size > compressedSize * MAX_DEFLATE_RATIO + 1024)
        throw this.error(`entry '${name}' claims ${size} bytes from ${compressedSize} compressed, beyond what deflate can produce`, at);
      total += size;
      if (total > limits.maxTotalSize)
        throw this.error(`zip entries add up to more than the limit of ${limits.maxTotalSize} bytes uncompressed (option maxTotalSize)`, at);
      if (headerOffset + LOCAL_SIZE > cdOffset) throw this.error(`entry '${name}' has a header offset ${headerOffset} outside the archive's data`, at);
      entries.push({ name, method, size, compressedSize, crc32: crc, headerOffset });
      at = next;
    }
    for (const e of entries) this.dataStart(e, cdOffset);
    return entries;
  }

  /** Where an entry's data starts, checked to lie before the central directory. */
  private dataStart(e: ZipEntry, limit = this.bytes.length): number {
    const h = e.headerOffset;
    this.need(h, LOCAL_SIZE, `local header of '${e.name}'`);
    if (this.u32(h) !== SIG_LOCAL) throw this.error(`entry '${e.name}' has a bad local header signature`, h);
    const start = h + LOCAL_SIZE + this.u16(h + 26) + this.u16(h + 28);
    if (start + e.compressedSize > limit)
      throw this.error(`entry '${e.name}' data (${e.compressedSize} bytes at ${start}) runs past the archive's data`, h);
    return start;
  }

  private prefix(): string {
    return this.fileName !== undefined ? `${this.fileName}: ` : "";
  }
}

/** Reads the central directory of a zip archive held in memory. */
export function readZip(bytes: Uint8Array, options: ZipReadOptions = {}): ZipReader {
  return new ZipReader(bytes, options);
}

/** True when `bytes` starts like a zip archive (a local file header or an empty archive's end record). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}
