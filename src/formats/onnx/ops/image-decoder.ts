/**
 * ImageDecoder (opset 20): baseline JPEG (jpeg.ts), PNG (8-bit, every color type, not
 * interlaced), BMP (uncompressed 24/32-bit), PNM (P5/P6, 8-bit) and TIFF (uncompressed
 * 8-bit strips). Output [H, W, 3] in RGB or BGR, or [H, W, 1] grayscale with PIL's integer
 * weights. JPEG 2000 and WebP are refused with an UnsupportedError.
 * The encoded bytes are untrusted: every size and offset is checked before use.
 */
import { unzlibSync } from "fflate";
import { FormatError } from "../../../core/errors.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { tensor } from "../../../ops/creation.ts";
import { decodeJpeg } from "./jpeg.ts";
import type { OpFamily } from "./table.ts";
import { invalid, tensorAt, unsupported, type Inputs } from "./util.ts";

interface Rgb {
  width: number;
  height: number;
  /** width·height·3 bytes, row-major RGB. */
  data: Uint8Array;
}

const MAX_PIXELS = 1 << 28;

function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || width * height > MAX_PIXELS)
    throw new FormatError(`${what}: invalid image size ${width}x${height}`);
}

function need(bytes: Uint8Array, end: number, what: string): void {
  if (end > bytes.length) throw new FormatError(`${what}: truncated (needs ${end} bytes, has ${bytes.length})`);
}

function decodePng(b: Uint8Array): Rgb {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 8;
  let width = 0, height = 0, depth = 0, colorType = 0, interlace = 0;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= b.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...b.subarray(pos + 4, pos + 8));
    need(b, pos + 12 + length, "PNG");
    const body = b.subarray(pos + 8, pos + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      [depth, colorType, interlace] = [body[8]!, body[9]!, body[12]!];
    } else if (type === "PLTE") palette = body;
    else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    pos += 12 + length;
  }
  checkSize(width, height, "PNG");
  if (depth !== 8 || interlace !== 0) throw new FormatError(`PNG: only 8-bit, non-interlaced images are supported (depth ${depth}, interlace ${interlace})`);
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  if (channels === undefined) throw new FormatError(`PNG: unknown color type ${colorType}`);
  const joined = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  idat.reduce((at, c) => (joined.set(c, at), at + c.length), 0);
  const raw = unzlibSync(joined);
  const stride = width * channels;
  need(raw, height * (stride + 1), "PNG image data");
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels]! : 0;
      const up = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let pred: number;
      if (filter === 0) pred = 0;
      else if (filter === 1) pred = a;
      else if (filter === 2) pred = up;
      else if (filter === 3) pred = (a + up) >> 1;
      else if (filter === 4) {
        const p = a + up - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - up), Math.abs(p - c)];
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
      } else throw new FormatError(`PNG: unknown filter ${filter}`);
      out[i] = (line[i]! + pred) & 0xff;
    }
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    if (colorType === 3) {
      const k = pixels[s]! * 3;
      if (!palette || k + 3 > palette.length) throw new FormatError("PNG: palette index out of range");
      data.set(palette.subarray(k, k + 3), p * 3);
    } else if (channels <= 2) data.fill(pixels[s]!, p * 3, p * 3 + 3);
    else data.set(pixels.subarray(s, s + 3), p * 3);
  }
  return { width, height, data };
}

function decodeBmp(b: Uint8Array): Rgb {
  need(b, 54, "BMP");
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const offset = view.getUint32(10, true);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  checkSize(width, height, "BMP");
  if ((bits !== 24 && bits !== 32) || compression !== 0) throw new FormatError(`BMP: only uncompressed 24/32-bit images are supported (${bits} bits, compression ${compression})`);
  const bpp = bits / 8;
  const stride = Math.ceil((width * bpp) / 4) * 4;
  need(b, offset + stride * height, "BMP pixel data");
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = offset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const s = row + x * bpp;
      const d = (y * width + x) * 3;
      [data[d], data[d + 1], data[d + 2]] = [b[s + 2]!, b[s + 1]!, b[s]!];
    }
  }
  return { width, height, data };
}

function decodePnm(b: Uint8Array): Rgb {
  // Header: magic, width, height, maxval, separated by whitespace and # comments.
  let pos = 2;
  const fields: number[] = [];
  while (fields.length < 3) {
    while (pos < b.length && (/\s/.test(String.fromCharCode(b[pos]!)) || b[pos] === 0x23)) {
      if (b[pos] === 0x23) while (pos < b.length && b[pos] !== 0x0a) pos++;
      else pos++;
    }
    let text = "";
    while (pos < b.length && /[0-9]/.test(String.fromCharCode(b[pos]!))) text += String.fromCharCode(b[pos++]!);
    if (!text) throw new FormatError("PNM: bad header");
    fields.push(Number(text));
  }
  pos++;
  const [width, height, maxval] = fields as [number, number, number];
  checkSize(width, height, "PNM");
  if (maxval !== 255) throw new FormatError(`PNM: only 8-bit images are supported (maxval ${maxval})`);
  const gray = b[1] === 0x35;
  need(b, pos + width * height * (gray ? 1 : 3), "PNM pixel data");
  if (!gray) return { width, height, data: b.slice(pos, pos + width * height * 3) };
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.fill(b[pos + p]!, p * 3, p * 3 + 3);
  return { width, height, data };
}

function decodeTiff(b: Uint8Array): Rgb {
  need(b, 8, "TIFF");
  const little = b[0] === 0x49;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (at: number) => (need(b, at + 2, "TIFF"), view.getUint16(at, little));
  const u32 = (at: number) => (need(b, at + 4, "TIFF"), view.getUint32(at, little));
  const ifd = u32(4);
  const tags = new Map<number, number[]>();
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const [tag, type, n] = [u16(e), u16(e + 2), u32(e + 4)];
    const size = type === 3 ? 2 : 4;
    if (n > 1 << 20) throw new FormatError("TIFF: tag value count too large");
    const base = n * size > 4 ? u32(e + 8) : e + 8;
    tags.set(tag, Array.from({ length: n }, (_, k) => (size === 2 ? u16(base + 2 * k) : u32(base + 4 * k))));
  }
  const get = (tag: number, fallback?: number[]) => tags.get(tag) ?? fallback ?? [];
  const [width, height] = [get(256)[0]!, get(257)[0]!];
  checkSize(width, height, "TIFF");
  const samples = get(277, [1])[0]!;
  if (get(259, [1])[0] !== 1 || get(258, [8]).some((v) => v !== 8) || get(284, [1])[0] !== 1 || (samples !== 3 && samples !== 4 && samples !== 1))
    throw new FormatError("TIFF: only uncompressed, 8-bit, chunky gray or RGB images are supported");
  const pixels = new Uint8Array(width * height * samples);
  let at = 0;
  get(273).forEach((offset, s) => {
    const len = get(279)[s] ?? 0;
    need(b, offset + len, "TIFF strip");
    const take = Math.min(len, pixels.length - at);
    pixels.set(b.subarray(offset, offset + take), at);
    at += take;
  });
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++)
    if (samples === 1) data.fill(pixels[p]!, p * 3, p * 3 + 3);
    else data.set(pixels.subarray(p * samples, p * samples + 3), p * 3);
  return { width, height, data };
}

function decode(b: Uint8Array, ctx: OpContext): Rgb {
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return decodePng(b);
  if (starts(0x42, 0x4d)) return decodeBmp(b);
  if (starts(0x50) && (b[1] === 0x35 || b[1] === 0x36)) return decodePnm(b);
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return decodeTiff(b);
  if (starts(0xff, 0xd8)) return decodeJpeg(b);
  throw unsupported(ctx, "image format not supported (JPEG, PNG, BMP, PNM and TIFF are)");
}

function imageDecoder(inputs: Inputs, ctx: OpContext): Tensor[] {
  const encoded = tensorAt(inputs, 0, ctx);
  if (encoded.dtype !== "uint8") throw invalid(ctx, `input must be uint8 bytes, got ${encoded.dtype}`);
  const { width, height, data } = decode(encoded.dataSync() as Uint8Array, ctx);
  const format = ctx.attrs.string("pixel_format", "RGB");
  if (format === "Grayscale") {
    // PIL's convert("L"): (R·19595 + G·38470 + B·7471 + 2^15) >> 16
    const gray = new Uint8Array(width * height);
    for (let p = 0; p < gray.length; p++) gray[p] = (data[p * 3]! * 19595 + data[p * 3 + 1]! * 38470 + data[p * 3 + 2]! * 7471 + 0x8000) >> 16;
    return [tensor(gray, { shape: [height, width, 1] })];
  }
  if (format === "BGR") for (let p = 0; p < width * height; p++) [data[p * 3], data[p * 3 + 2]] = [data[p * 3 + 2]!, data[p * 3]!];
  else if (format !== "RGB") throw invalid(ctx, `unknown pixel_format ${format}`);
  return [tensor(data, { shape: [height, width, 3] })];
}

export const imageOps: OpFamily = {
  ImageDecoder: imageDecoder,
};
