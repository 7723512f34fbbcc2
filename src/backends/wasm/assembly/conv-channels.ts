// Convolutions with a large kernel and a small output — the weight gradient of a
// convolution, which ops/defs/conv.ts computes as a convolution of the input by the output
// gradient (Note: conv gradients there): kernels of 24×24 taps, outputs of 3×3 — as one
// sgemm per input channel:
//   out[co, (b, o)] += Σ_k w[co, ci, k] · G_ci[(b, o), k],   G_ci[(b, o), k] = x[b, ci, o·s − p + k·d]
// G_ci (zero where the tap falls in the padding) is gathered row by row — a row is a run
// of input values, copied whole when it lies inside the input — and multiplied by gemm.ts's
// packed sgemm with op(B) transposed. The implicit GEMM (conv.ts) would instead gather these
// columns value by value: its fast strips need 8 outputs in one row. Threads split the
// input channels, each summing into its own partial [Co, B·O] block; convChannelsReduce
// adds the partials, permutes them to [B, Co, O] and adds the bias.
//
// The descriptor is conv.ts's (same slots); here groups are 1, strides and dilations positive.
import { sgemm } from "./gemm";

// Descriptor slots used here (see conv.ts).
const X = 0, X_BATCH = 1, X_CHANNEL = 2, IN_D = 3, IN_H = 4, IN_W = 5;
const W = 6, W_OUT = 8, W_IN = 9, K_D = 10, K_H = 11, K_W = 12;
const BIAS = 13, OUT = 14, OUT_D = 15, OUT_H = 16, OUT_W = 17;
const S_D = 18, S_H = 19, S_W = 20, P_D = 21, P_H = 22, P_W = 23, D_D = 24, D_H = 25, D_W = 26;
const COUT_G = 29, BATCH = 30;

// @ts-ignore: decorator
@inline function field(desc: usize, i: i32): i32 {
  return load<i32>(desc + (<usize>i << 2));
}

/** Writes `n` zeros at p. */
// @ts-ignore: decorator
@inline function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

/** Gathers G_ci (rows (b, o), K taps each) for input channel ci into g. */
function gather(desc: usize, ci: i32, g: usize): void {
  const x = <usize>field(desc, X), xBatch = field(desc, X_BATCH), xChannel = field(desc, X_CHANNEL);
  const inD = field(desc, IN_D), inH = field(desc, IN_H), inW = field(desc, IN_W);
  const kd = field(desc, K_D), kh = field(desc, K_H), kw = field(desc, K_W);
  const od = field(desc, OUT_D), oh = field(desc, OUT_H), ow = field(desc, OUT_W);
  const sd = field(desc, S_D), sh = field(desc, S_H), sw = field(desc, S_W);
  const pd = field(desc, P_D), ph = field(desc, P_H), pw = field(desc, P_W);
  const dd = field(desc, D_D), dh = field(desc, D_H), dw = field(desc, D_W);
  const batch = field(desc, BATCH);
  let row = g;
  for (let b = 0; b < batch; b++) {
    const plane = x + (<usize>(b * xBatch + ci * xChannel) << 2);
    for (let zd = 0; zd < od; zd++)
      for (let zh = 0; zh < oh; zh++)
        for (let zw = 0; zw < ow; zw++) {
          const w0 = zw * sw - pw;
          const inside = dw == 1 && w0 >= 0 && w0 + kw <= inW;
          for (let a = 0; a < kd; a++) {
            const id = zd * sd - pd + a * dd;
            if (id < 0 || id >= inD) {
              zero(row, kh * kw);
              row += <usize>(kh * kw) << 2;
              continue;
            }
            for (let c = 0; c < kh; c++, row += <usize>kw << 2) {
              const ih = zh * sh - ph + c * dh;
              if (ih < 0 || ih >= inH) {
                zero(row, kw);
                continue;
              }
              const line = plane + (<usize>((id * inH + ih) * inW) << 2);
              if (inside) {
                memory.copy(row, line + (<usize>w0 << 2), <usize>kw << 2);
              } else {
                for (let t = 0; t < kw; t++) {
                  const iw = w0 + t * dw;
                  store<f32>(row + (<usize>t << 2), iw >= 0 && iw < inW ? load<f32>(line + (<usize>iw << 2)) : 0);
                }
              }
            }
          }
        }
  }
}

/** Bytes of G_ci for one thread (64-byte multiple). */
export function convChannelsGatherBytes(desc: usize): i32 {
  const rows = field(desc, BATCH) * field(desc, OUT_D) * field(desc, OUT_H) * field(desc, OUT_W);
  const taps = field(desc, K_D) * field(desc, K_H) * field(desc, K_W);
  return (rows * taps * 4 + 63) & ~63;
}

/**
 * Input channels [c0, c1): partial[co, (b, o)] = Σ_ci w[co, ci, :] · G_ciᵀ (overwritten by
 * the first channel). `gathered` holds convChannelsGatherBytes, `scratch` sgemmScratchBytes.
 */
export function convChannels(desc: usize, c0: i32, c1: i32, gathered: usize, partial: usize, scratch: usize): void {
  const cols = field(desc, BATCH) * field(desc, OUT_D) * field(desc, OUT_H) * field(desc, OUT_W);
  const taps = field(desc, K_D) * field(desc, K_H) * field(desc, K_W);
  const cout = field(desc, COUT_G);
  const w = <usize>field(desc, W), wOut = field(desc, W_OUT), wIn = field(desc, W_IN);
  for (let ci = c0; ci < c1; ci++) {
    gather(desc, ci, gathered);
    sgemm(0, 1, 0, cout, 0, cols, taps, 1, w + (<usize>(ci * wIn) << 2), wOut, gathered, taps, ci == c0 ? 0 : 1, partial, cols, 0, 0, scratch);
  }
}

/** out[b, co, o] = Σ_t partial_t[co, (b, o)] + bias[co], for `parts` partials `stride` bytes apart. */
export function convChannelsReduce(desc: usize, partials: usize, parts: i32, stride: i32): void {
  const positions = field(desc, OUT_D) * field(desc, OUT_H) * field(desc, OUT_W);
  const batch = field(desc, BATCH);
  const cols = batch * positions;
  const cout = field(desc, COUT_G);
  const bias = <usize>field(desc, BIAS), out = <usize>field(desc, OUT);
  for (let co = 0; co < cout; co++) {
    const b0: f32 = bias ? load<f32>(bias + (<usize>co << 2)) : 0;
    for (let b = 0; b < batch; b++) {
      const dst = out + (<usize>((b * cout + co) * positions) << 2);
      const src = partials + (<usize>(co * cols + b * positions) << 2);
      for (let o = 0; o < positions; o++) {
        let acc = load<f32>(src + (<usize>o << 2));
        for (let t = 1; t < parts; t++) acc += load<f32>(src + <usize>(t * stride) + (<usize>o << 2));
        store<f32>(dst + (<usize>o << 2), acc + b0);
      }
    }
  }
}
