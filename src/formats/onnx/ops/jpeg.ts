/**
 * A baseline JPEG decoder that reproduces libjpeg(-turbo)'s default output, as PIL gives
 * it: Huffman decoding, the integer "islow" inverse DCT (jidctint.c), fancy (triangle)
 * upsampling of h2v1 / h2v2 chroma (jdsample.c) and the fixed-point YCbCr -> RGB tables of
 * jdcolor.c. Progressive and arithmetic-coded files are refused. Every length is checked.
 */
import { FormatError } from "../../../core/errors.ts";

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  td: number;
  ta: number;
  /** Coefficient blocks, dequantized later: blocksPerLine x blocksPerColumn x 64. */
  blocks: Int32Array;
  bpl: number;
  bpc: number;
  pred: number;
}

interface Huffman {
  /** code length -> (first code, first index) and the symbols in order */
  maxcode: Int32Array;
  valptr: Int32Array;
  mincode: Int32Array;
  symbols: Uint8Array;
}

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50,
  43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

function buildHuffman(counts: Uint8Array, symbols: Uint8Array): Huffman {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    valptr[l] = k;
    mincode[l] = code;
    code += counts[l - 1]!;
    k += counts[l - 1]!;
    maxcode[l] = counts[l - 1] ? code - 1 : -1;
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { maxcode, valptr, mincode, symbols };
}

class BitReader {
  private pos: number;
  private bits = 0;
  private count = 0;
  constructor(private readonly b: Uint8Array, start: number) {
    this.pos = start;
  }
  bit(): number {
    if (this.count === 0) {
      if (this.pos >= this.b.length) throw new FormatError("JPEG: scan data ends early");
      let byte = this.b[this.pos++]!;
      if (byte === 0xff) {
        const next = this.b[this.pos];
        if (next === 0) this.pos++;
        else byte = 0; // a marker: pad with zeros as libjpeg does
      }
      this.bits = byte;
      this.count = 8;
    }
    this.count--;
    return (this.bits >> this.count) & 1;
  }
  receive(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit();
    return v;
  }
  decode(h: Huffman): number {
    let code = this.bit();
    let l = 1;
    while (code > h.maxcode[l]!) {
      code = (code << 1) | this.bit();
      if (++l > 16) throw new FormatError("JPEG: bad Huffman code");
    }
    return h.symbols[h.valptr[l]! + code - h.mincode[l]!]!;
  }
  /** The byte where the next marker after the scan data starts. */
  nextMarker(): number {
    let p = this.pos;
    while (p + 1 < this.b.length && !(this.b[p] === 0xff && this.b[p + 1] !== 0 && !(this.b[p + 1]! >= 0xd0 && this.b[p + 1]! <= 0xd7))) p++;
    return p;
  }
  /** Skips to the byte after the next RSTn marker. */
  restart(): void {
    this.count = 0;
    while (this.pos + 1 < this.b.length && !(this.b[this.pos] === 0xff && this.b[this.pos + 1]! >= 0xd0 && this.b[this.pos + 1]! <= 0xd7)) this.pos++;
    this.pos += 2;
  }
}

const extend = (v: number, n: number) => (n === 0 ? 0 : v < 1 << (n - 1) ? v - (1 << n) + 1 : v);

// jidctint.c constants (CONST_BITS 13)
const F = { c0298: 2446, c0390: 3196, c0541: 4433, c0765: 6270, c0899: 7373, c1175: 9633, c1501: 12299, c1847: 15137, c1961: 16069, c2053: 16819, c2562: 20995, c3072: 25172 };
const CONST_BITS = 13;
const PASS1_BITS = 2;
const descale = (x: number, n: number) => (x + (1 << (n - 1))) >> n;
const clamp255 = (x: number) => (x < 0 ? 0 : x > 255 ? 255 : x);

/** One 8x8 block: dequantized coefficients (natural order) -> samples, as jpeg_idct_islow. */
function idctIslow(coef: Int32Array, out: Uint8Array, outOffset: number, stride: number): void {
  const ws = new Int32Array(64);
  for (let c = 0; c < 8; c++) {
    const i = (k: number) => coef[k * 8 + c]!;
    if (i(1) === 0 && i(2) === 0 && i(3) === 0 && i(4) === 0 && i(5) === 0 && i(6) === 0 && i(7) === 0) {
      const dc = i(0) << PASS1_BITS;
      for (let r = 0; r < 8; r++) ws[r * 8 + c] = dc;
      continue;
    }
    const r = butterfly(i(0), i(1), i(2), i(3), i(4), i(5), i(6), i(7), CONST_BITS - PASS1_BITS);
    for (let k = 0; k < 8; k++) ws[k * 8 + c] = r[k]!;
  }
  for (let r = 0; r < 8; r++) {
    const w = (k: number) => ws[r * 8 + k]!;
    const o = outOffset + r * stride;
    if (w(1) === 0 && w(2) === 0 && w(3) === 0 && w(4) === 0 && w(5) === 0 && w(6) === 0 && w(7) === 0) {
      const v = clamp255(descale(w(0), PASS1_BITS + 3) + 128);
      for (let k = 0; k < 8; k++) out[o + k] = v;
      continue;
    }
    const res = butterfly(w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7), CONST_BITS + PASS1_BITS + 3);
    for (let k = 0; k < 8; k++) out[o + k] = clamp255(res[k]! + 128);
  }
}

/** The even/odd butterflies of jidctint.c on one column or row, descaled by `shift`. */
function butterfly(x0: number, x1: number, x2: number, x3: number, x4: number, x5: number, x6: number, x7: number, shift: number): number[] {
  let z1 = Math.imul(x2 + x6, F.c0541);
  const t2e = z1 + Math.imul(x6, -F.c1847);
  const t3e = z1 + Math.imul(x2, F.c0765);
  const t0e = (x0 + x4) << CONST_BITS;
  const t1e = (x0 - x4) << CONST_BITS;
  const t10 = t0e + t3e, t13 = t0e - t3e, t11 = t1e + t2e, t12 = t1e - t2e;
  let t0 = x7, t1 = x5, t2 = x3, t3 = x1;
  z1 = t0 + t3;
  let z2 = t1 + t2, z3 = t0 + t2, z4 = t1 + t3;
  const z5 = Math.imul(z3 + z4, F.c1175);
  t0 = Math.imul(t0, F.c0298);
  t1 = Math.imul(t1, F.c2053);
  t2 = Math.imul(t2, F.c3072);
  t3 = Math.imul(t3, F.c1501);
  z1 = Math.imul(z1, -F.c0899);
  z2 = Math.imul(z2, -F.c2562);
  z3 = Math.imul(z3, -F.c1961) + z5;
  z4 = Math.imul(z4, -F.c0390) + z5;
  t0 += z1 + z3;
  t1 += z2 + z4;
  t2 += z2 + z3;
  t3 += z1 + z4;
  return [t10 + t3, t11 + t2, t12 + t1, t13 + t0, t13 - t0, t12 - t1, t11 - t2, t10 - t3].map((v) => descale(v, shift));
}

/** jdsample.c h2v1 / h2v2 fancy upsampling of one component plane (width w, height h, padded to blocks). */
function fancyUpsample(src: Uint8Array, sw: number, sh: number, hf: number, vf: number): Uint8Array {
  const dw = sw * hf;
  const dh = sh * vf;
  const out = new Uint8Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const sy = vf === 2 ? y >> 1 : y;
    const row = sy * sw;
    // h2v2: blend with the nearer neighbor row (3:1), replicating at the edges.
    const other = vf === 2 ? Math.min(Math.max(sy + (y & 1 ? 1 : -1), 0), sh - 1) * sw : row;
    const col = (x: number) => (vf === 2 ? src[row + x]! * 3 + src[other + x]! : src[row + x]!);
    for (let x = 0; x < sw; x++) {
      const o = y * dw + x * 2;
      if (vf === 2) {
        const cur = col(x);
        const left = x > 0 ? col(x - 1) : cur;
        const right = x < sw - 1 ? col(x + 1) : cur;
        out[o] = x === 0 ? (cur * 4 + 8) >> 4 : (cur * 3 + left + 8) >> 4;
        out[o + 1] = x === sw - 1 ? (cur * 4 + 7) >> 4 : (cur * 3 + right + 7) >> 4;
      } else {
        const cur = col(x);
        const left = x > 0 ? col(x - 1) : cur;
        const right = x < sw - 1 ? col(x + 1) : cur;
        out[o] = x === 0 ? cur : (cur * 3 + left + 1) >> 2;
        out[o + 1] = x === sw - 1 ? cur : (cur * 3 + right + 2) >> 2;
      }
    }
  }
  return out;
}

const FIX = (x: number) => Math.round(x * 65536);
const CR_R = Array.from({ length: 256 }, (_, i) => (FIX(1.402) * (i - 128) + 32768) >> 16);
const CB_B = Array.from({ length: 256 }, (_, i) => (FIX(1.772) * (i - 128) + 32768) >> 16);
const CR_G = Array.from({ length: 256 }, (_, i) => -FIX(0.71414) * (i - 128));
const CB_G = Array.from({ length: 256 }, (_, i) => -FIX(0.34414) * (i - 128) + 32768);

/** Decodes a baseline JPEG to row-major RGB. */
export function decodeJpeg(b: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const qt: Int32Array[] = [];
  const dc: Huffman[] = [];
  const ac: Huffman[] = [];
  let components: Component[] = [];
  let width = 0, height = 0, restartInterval = 0, hmax = 1, vmax = 1;
  let pos = 2;
  const u16 = (at: number) => {
    if (at + 2 > b.length) throw new FormatError("JPEG: truncated");
    return (b[at]! << 8) | b[at + 1]!;
  };
  for (;;) {
    if (pos + 2 > b.length) break;
    if (b[pos] !== 0xff) throw new FormatError(`JPEG: expected a marker at byte ${pos}`);
    const marker = b[pos + 1]!;
    if (marker === 0xd9) break;
    const len = u16(pos + 2);
    const seg = b.subarray(pos + 4, pos + 2 + len);
    if (seg.length !== len - 2) throw new FormatError("JPEG: truncated segment");
    if (marker === 0xdb) {
      for (let p = 0; p < seg.length; ) {
        const [pq, tq] = [seg[p]! >> 4, seg[p]! & 15];
        const table = new Int32Array(64);
        for (let k = 0; k < 64; k++) table[ZIGZAG[k]!] = pq ? (seg[p + 1 + 2 * k]! << 8) | seg[p + 2 + 2 * k]! : seg[p + 1 + k]!;
        qt[tq] = table;
        p += 1 + 64 * (pq ? 2 : 1);
      }
    } else if (marker === 0xc4) {
      for (let p = 0; p < seg.length; ) {
        const [tc, th] = [seg[p]! >> 4, seg[p]! & 15];
        const counts = seg.subarray(p + 1, p + 17);
        const total = counts.reduce((s, c) => s + c, 0);
        const table = buildHuffman(counts, seg.subarray(p + 17, p + 17 + total));
        (tc === 0 ? dc : ac)[th] = table;
        p += 17 + total;
      }
    } else if (marker === 0xc0 || marker === 0xc1) {
      if (seg[0] !== 8) throw new FormatError("JPEG: only 8-bit samples are supported");
      height = (seg[1]! << 8) | seg[2]!;
      width = (seg[3]! << 8) | seg[4]!;
      if (width === 0 || height === 0 || width * height > 1 << 28) throw new FormatError(`JPEG: invalid size ${width}x${height}`);
      components = Array.from({ length: seg[5]! }, (_, i) => {
        const s = seg.subarray(6 + 3 * i, 9 + 3 * i);
        return { id: s[0]!, h: s[1]! >> 4, v: s[1]! & 15, tq: s[2]!, td: 0, ta: 0, blocks: new Int32Array(0), bpl: 0, bpc: 0, pred: 0 };
      });
      hmax = Math.max(...components.map((c) => c.h));
      vmax = Math.max(...components.map((c) => c.v));
      const mcux = Math.ceil(width / (8 * hmax));
      const mcuy = Math.ceil(height / (8 * vmax));
      for (const c of components) {
        c.bpl = mcux * c.h;
        c.bpc = mcuy * c.v;
        c.blocks = new Int32Array(c.bpl * c.bpc * 64);
      }
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new FormatError("JPEG: only baseline (sequential Huffman) files are supported");
    } else if (marker === 0xdd) {
      restartInterval = u16(pos + 4);
    } else if (marker === 0xda) {
      const n = seg[0]!;
      const scan = Array.from({ length: n }, (_, i) => {
        const c = components.find((x) => x.id === seg[1 + 2 * i]);
        if (!c) throw new FormatError("JPEG: scan names an unknown component");
        c.td = seg[2 + 2 * i]! >> 4;
        c.ta = seg[2 + 2 * i]! & 15;
        return c;
      });
      pos = decodeScan(b, pos + 2 + len, scan, dc, ac, restartInterval, hmax, vmax, width, height);
      continue;
    } else if (marker === 0xd9) break;
    pos += 2 + len;
  }
  // Samples per component, then upsampling and color conversion.
  const planes = components.map((c) => {
    const q = qt[c.tq];
    if (!q) throw new FormatError("JPEG: missing quantization table");
    const w = c.bpl * 8;
    const plane = new Uint8Array(w * c.bpc * 8);
    const coef = new Int32Array(64);
    for (let by = 0; by < c.bpc; by++)
      for (let bx = 0; bx < c.bpl; bx++) {
        const base = (by * c.bpl + bx) * 64;
        for (let k = 0; k < 64; k++) coef[k] = c.blocks[base + k]! * q[k]!;
        idctIslow(coef, plane, by * 8 * w + bx * 8, w);
      }
    const hf = hmax / c.h;
    const vf = vmax / c.v;
    if (hf === 1 && vf === 1) return { data: plane, w };
    if (!((hf === 2 && (vf === 1 || vf === 2)) || (hf === 1 && vf === 1))) throw new FormatError(`JPEG: sampling ${c.h}x${c.v} of ${hmax}x${vmax} is not supported`);
    // libjpeg upsamples the component's own (downsampled) image width, not the padded one.
    const sw = Math.ceil((width * c.h) / hmax);
    const sh = Math.ceil((height * c.v) / vmax);
    const tight = new Uint8Array(sw * sh);
    for (let y = 0; y < sh; y++) tight.set(plane.subarray(y * w, y * w + sw), y * sw);
    return { data: fancyUpsample(tight, sw, sh, hf, vf), w: sw * hf };
  });
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (planes.length === 1) {
        data.fill(planes[0]!.data[y * planes[0]!.w + x]!, o, o + 3);
        continue;
      }
      const Y = planes[0]!.data[y * planes[0]!.w + x]!;
      const cb = planes[1]!.data[y * planes[1]!.w + x]!;
      const cr = planes[2]!.data[y * planes[2]!.w + x]!;
      data[o] = clamp255(Y + CR_R[cr]!);
      data[o + 1] = clamp255(Y + ((CB_G[cb]! + CR_G[cr]!) >> 16));
      data[o + 2] = clamp255(Y + CB_B[cb]!);
    }
  return { width, height, data };
}

/** Decodes one scan into its components' blocks; returns where the next marker starts. */
function decodeScan(b: Uint8Array, start: number, scan: Component[], dc: Huffman[], ac: Huffman[], restartInterval: number, hmax: number, vmax: number, width: number, height: number): number {
  const reader = new BitReader(b, start);
  const single = scan.length === 1;
  const c0 = scan[0]!;
  // A single-component scan covers that component's own blocks; an interleaved one, MCUs.
  const mcux = single ? Math.ceil(Math.ceil((width * c0.h) / hmax) / 8) : c0.bpl / c0.h;
  const mcuy = single ? Math.ceil(Math.ceil((height * c0.v) / vmax) / 8) : c0.bpc / c0.v;
  const mcus = mcux * mcuy;
  const block = (c: Component, row: number, col: number) => {
    const hd = dc[c.td], ha = ac[c.ta];
    if (!hd || !ha) throw new FormatError("JPEG: missing Huffman table");
    const base = (row * c.bpl + col) * 64;
    const t = reader.decode(hd);
    c.pred += extend(reader.receive(t), t);
    c.blocks[base] = c.pred;
    for (let k = 1; k < 64; ) {
      const rs = reader.decode(ha);
      const [r, s] = [rs >> 4, rs & 15];
      if (s === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) throw new FormatError("JPEG: coefficient index out of range");
      c.blocks[base + ZIGZAG[k]!] = extend(reader.receive(s), s);
      k++;
    }
  };
  for (let m = 0; m < mcus; m++) {
    if (restartInterval && m > 0 && m % restartInterval === 0) {
      reader.restart();
      for (const c of scan) c.pred = 0;
    }
    const [my, mx] = [Math.floor(m / mcux), m % mcux];
    if (single) block(c0, my, mx);
    else for (const c of scan) for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) block(c, my * c.v + v, mx * c.h + h);
  }
  return reader.nextMarker();
}
