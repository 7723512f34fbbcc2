/**
 * ggml's block quantizations decoded to float32, following `dequantize_row_*` in ggml's
 * ggml-quants.c operation by operation: every product and sum is rounded to float32
 * (`Math.fround`) where C rounds it, so results are bit-identical to ggml built without
 * fused multiply-add (a build with FMA contraction may differ in the last bit for the
 * types that compute `d·q − m`: Q4_1, Q5_1, Q2_K, Q4_K, Q5_K).
 *
 * Block layouts (little-endian; "half" is IEEE float16), from ggml-common.h:
 * - Q4_0 (32, 18 B): d half, qs[16] — x = (nibble − 8)·d; low nibbles are elements 0..15
 * - Q4_1 (32, 20 B): d, m half, qs[16] — x = nibble·d + m
 * - Q5_0 (32, 22 B): d, qh u32, qs[16] — the 5th bit of element j is bit j of qh; x = (q − 16)·d
 * - Q5_1 (32, 24 B): d, m, qh u32, qs[16] — x = q·d + m
 * - Q8_0 (32, 34 B): d, qs int8[32] — x = q·d
 * - Q2_K (256, 84 B): scales[16] (4-bit scale | 4-bit min), qs[64], d, dmin
 * - Q3_K (256, 110 B): hmask[32], qs[64], scales[12] (sixteen 6-bit), d
 * - Q4_K (256, 144 B): d, dmin, scales[12] (eight 6-bit scales and mins), qs[128]
 * - Q5_K (256, 176 B): d, dmin, scales[12], qh[32], qs[128]
 * - Q6_K (256, 210 B): ql[128], qh[64], scales int8[16], d
 * - Q8_K (256, 292 B): d float32, qs int8[256], bsums int16[16]
 */
import { fromBfloat16Bits, fromFloat16Bits } from "../../core/half.ts";

const f = Math.fround;

type Decoder = (data: Uint8Array, view: DataView, out: Float32Array, blocks: number) => void;

const half = (view: DataView, at: number) => fromFloat16Bits(view.getUint16(at, true));
const int8 = (byte: number) => (byte << 24) >> 24;

/** Scale and min j (0..7) of a Q4_K/Q5_K block's 12 packed bytes at `at` (`get_scale_min_k4`). */
function scaleMinK4(data: Uint8Array, at: number, j: number): [number, number] {
  if (j < 4) return [data[at + j]! & 63, data[at + j + 4]! & 63];
  return [
    (data[at + j + 4]! & 0xf) | ((data[at + j - 4]! >> 6) << 4),
    (data[at + j + 4]! >> 4) | ((data[at + j]! >> 6) << 4),
  ];
}

const q4_0: Decoder = (data, view, out, blocks) => {
  for (let i = 0; i < blocks; i++) {
    const at = i * 18;
    const d = half(view, at);
    for (let j = 0; j < 16; j++) {
      const q = data[at + 2 + j]!;
      out[i * 32 + j] = f(((q & 0xf) - 8) * d);
      out[i * 32 + j + 16] = f(((q >> 4) - 8) * d);
    }
  }
};

const q4_1: Decoder = (data, view, out, blocks) => {
  for (let i = 0; i < blocks; i++) {
    const at = i * 20;
    const d = half(view, at);
    const m = half(view, at + 2);
    for (let j = 0; j < 16; j++) {
      const q = data[at + 4 + j]!;
      out[i * 32 + j] = f(f((q & 0xf) * d) + m);
      out[i * 32 + j + 16] = f(f((q >> 4) * d) + m);
    }
  }
};

function q5(data: Uint8Array, view: DataView, out: Float32Array, blocks: number, withMin: boolean): void {
  const size = withMin ? 24 : 22;
  const qsAt = withMin ? 8 : 6;
  for (let i = 0; i < blocks; i++) {
    const at = i * size;
    const d = half(view, at);
    const m = withMin ? half(view, at + 2) : 0;
    const qh = view.getUint32(at + qsAt - 4, true);
    for (let j = 0; j < 16; j++) {
      const q = data[at + qsAt + j]!;
      const x0 = (q & 0xf) | (((qh >>> j) << 4) & 0x10);
      const x1 = (q >> 4) | ((qh >>> (j + 12)) & 0x10);
      if (withMin) {
        out[i * 32 + j] = f(f(x0 * d) + m);
        out[i * 32 + j + 16] = f(f(x1 * d) + m);
      } else {
        out[i * 32 + j] = f((x0 - 16) * d);
        out[i * 32 + j + 16] = f((x1 - 16) * d);
      }
    }
  }
}

const q8_0: Decoder = (data, view, out, blocks) => {
  for (let i = 0; i < blocks; i++) {
    const at = i * 34;
    const d = half(view, at);
    for (let j = 0; j < 32; j++) out[i * 32 + j] = f(int8(data[at + 2 + j]!) * d);
  }
};

const q2_K: Decoder = (data, view, out, blocks) => {
  let y = 0;
  for (let i = 0; i < blocks; i++) {
    const at = i * 84;
    const d = half(view, at + 80);
    const min = half(view, at + 82);
    let is = 0;
    for (let n = 0; n < 256; n += 128) {
      const q = at + 16 + n / 4;
      for (let shift = 0; shift < 8; shift += 2) {
        for (const half16 of [0, 16]) {
          const sc = data[at + is++]!;
          const dl = f(d * (sc & 0xf));
          const ml = f(min * (sc >> 4));
          for (let l = 0; l < 16; l++) out[y++] = f(f(dl * ((data[q + half16 + l]! >> shift) & 3)) - ml);
        }
      }
    }
  }
};

const q3_K: Decoder = (data, view, out, blocks) => {
  let y = 0;
  const scales = new Int32Array(16);
  for (let i = 0; i < blocks; i++) {
    const at = i * 110;
    const dAll = half(view, at + 108);
    const s = at + 96;
    // Sixteen 6-bit scales: low 4 bits in bytes 0..7 (low then high nibbles), high 2 bits in bytes 8..11.
    for (let j = 0; j < 16; j++) {
      const low = j < 8 ? data[s + j]! & 0xf : data[s + j - 8]! >> 4;
      const high = (data[s + 8 + (j % 4)]! >> (2 * Math.floor(j / 4))) & 3;
      scales[j] = (low | (high << 4)) - 32;
    }
    let is = 0;
    let m = 1;
    for (let n = 0; n < 256; n += 128) {
      const q = at + 32 + n / 4;
      for (let shift = 0; shift < 8; shift += 2) {
        for (const half16 of [0, 16]) {
          const dl = f(dAll * scales[is++]!);
          for (let l = 0; l < 16; l++) {
            const v = ((data[q + half16 + l]! >> shift) & 3) - (data[at + half16 + l]! & m ? 0 : 4);
            out[y++] = f(dl * v);
          }
        }
        m <<= 1;
      }
    }
  }
};

function qK(data: Uint8Array, view: DataView, out: Float32Array, blocks: number, five: boolean): void {
  const size = five ? 176 : 144;
  let y = 0;
  for (let i = 0; i < blocks; i++) {
    const at = i * size;
    const d = half(view, at);
    const min = half(view, at + 2);
    const qh = at + 16;
    let ql = at + (five ? 48 : 16);
    let u1 = 1;
    let u2 = 2;
    for (let is = 0; is < 8; is += 2) {
      const [sc1, m1] = scaleMinK4(data, at + 4, is);
      const [sc2, m2] = scaleMinK4(data, at + 4, is + 1);
      const d1 = f(d * sc1), min1 = f(min * m1);
      const d2 = f(d * sc2), min2 = f(min * m2);
      for (let l = 0; l < 32; l++) {
        const q = (data[ql + l]! & 0xf) + (five && data[qh + l]! & u1 ? 16 : 0);
        out[y++] = f(f(d1 * q) - min1);
      }
      for (let l = 0; l < 32; l++) {
        const q = (data[ql + l]! >> 4) + (five && data[qh + l]! & u2 ? 16 : 0);
        out[y++] = f(f(d2 * q) - min2);
      }
      ql += 32;
      u1 <<= 2;
      u2 <<= 2;
    }
  }
}

const q6_K: Decoder = (data, view, out, blocks) => {
  for (let i = 0; i < blocks; i++) {
    const at = i * 210;
    const d = half(view, at + 208);
    for (let n = 0; n < 2; n++) {
      const ql = at + n * 64;
      const qh = at + 128 + n * 32;
      const sc = at + 192 + n * 8;
      const y = i * 256 + n * 128;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = data[qh + l]!;
        const q1 = ((data[ql + l]! & 0xf) | ((h & 3) << 4)) - 32;
        const q2 = ((data[ql + l + 32]! & 0xf) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((data[ql + l]! >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((data[ql + l + 32]! >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[y + l] = f(f(d * int8(data[sc + is]!)) * q1);
        out[y + l + 32] = f(f(d * int8(data[sc + is + 2]!)) * q2);
        out[y + l + 64] = f(f(d * int8(data[sc + is + 4]!)) * q3);
        out[y + l + 96] = f(f(d * int8(data[sc + is + 6]!)) * q4);
      }
    }
  }
};

const q8_K: Decoder = (data, view, out, blocks) => {
  for (let i = 0; i < blocks; i++) {
    const at = i * 292;
    const d = view.getFloat32(at, true);
    for (let j = 0; j < 256; j++) out[i * 256 + j] = f(d * int8(data[at + 4 + j]!));
  }
};

const f16: Decoder = (_data, view, out, n) => {
  for (let i = 0; i < n; i++) out[i] = fromFloat16Bits(view.getUint16(i * 2, true));
};
const bf16: Decoder = (_data, view, out, n) => {
  for (let i = 0; i < n; i++) out[i] = fromBfloat16Bits(view.getUint16(i * 2, true));
};

/** The ggml types concord decodes to float32, by name; `blocks` counts blocks (elements for F16/BF16). */
export const DEQUANTIZERS: Readonly<Record<string, Decoder>> = {
  F16: f16,
  BF16: bf16,
  Q4_0: q4_0,
  Q4_1: q4_1,
  Q5_0: (d, v, o, b) => q5(d, v, o, b, false),
  Q5_1: (d, v, o, b) => q5(d, v, o, b, true),
  Q8_0: q8_0,
  Q2_K: q2_K,
  Q3_K: q3_K,
  Q4_K: (d, v, o, b) => qK(d, v, o, b, false),
  Q5_K: (d, v, o, b) => qK(d, v, o, b, true),
  Q6_K: q6_K,
  Q8_K: q8_K,
};
