// float32 pooling kernels over [planes, D, H, W] (1-d and 2-d arrive as 3-d with size-1 dims).
//
// The JS side tabulates each spatial dim once, as in the js kernels (Note: pool windows in
// ops/defs/pool.ts): per output position o, the first input position and the count of
// window positions, stepping by the dim's dilation, plus the dim's share of the divisor.
// A window is the product of its dims' intervals. Work splits by planes (n, c): planes
// never share output, so the backward kernels scatter without races.

// Descriptor fields (i32 slots; pointers are byte addresses, strides in elements).
const X = 0; // input (or, backward, the output gradient g): [B, C, ...]
const X_BATCH = 1;
const X_CHANNEL = 2;
const CHANNELS = 3;
const IN_D = 4; // the pooled input's spatial sizes
const IN_H = 5;
const IN_W = 6;
const OUT_D = 7;
const OUT_H = 8;
const OUT_W = 9;
const OUT = 10; // dense result: pooled values, or (backward) the input gradient
const INDICES = 11; // int64 per-plane indices (max: written; max backward: read)
const TABLE_D = 12; // i32 [start, count] per output position
const TABLE_H = 13;
const TABLE_W = 14;
const STEP_D = 15;
const STEP_H = 16;
const STEP_W = 17;
const DIVISOR_D = 18; // f32 divisor share per output position
const DIVISOR_H = 19;
const DIVISOR_W = 20;
const DIVISOR = 21; // a divisor for every window (divisorOverride), or 0
const DESC_SLOTS = 22;

@inline function field(desc: usize, i: i32): i32 {
  return load<i32>(desc + (<usize>i << 2));
}

@inline function planeBase(desc: usize, plane: i32): usize {
  const channels = field(desc, CHANNELS);
  const b = plane / channels;
  return <usize>field(desc, X) + (<usize>(b * field(desc, X_BATCH) + (plane - b * channels) * field(desc, X_CHANNEL)) << 2);
}

// Every kernel reads its descriptor into locals first: stores to the output could alias
// the descriptor as far as the compiler knows, so a field read inside a loop is a load per
// iteration.

/** Zeroes n floats at p (a backward kernel's planes, before it scatters into them). */
@inline function zero(p: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(p + (<usize>i << 2), 0);
}

export function poolDescriptorSlots(): i32 {
  return DESC_SLOTS;
}

/**
 * Max over each window of planes [plane0, plane1): values and int64 flat indices within the
 * plane. The first of equal values wins, and nan wins over every number (the last nan), as
 * PyTorch's `if ((val > maxval) || std::isnan(val))` starting from the window's first position.
 * The comparisons are branch-free (which of two floats is larger is a coin toss on real
 * data), and where four neighbouring outputs of a row all have whole windows they run as
 * one vector: lane q is output w + q, whose window starts stride·q further along the row.
 */
export function poolMax(desc: usize, plane0: i32, plane1: i32): void {
  const inH = field(desc, IN_H), inW = field(desc, IN_W);
  const od = field(desc, OUT_D), oh = field(desc, OUT_H), ow = field(desc, OUT_W);
  const stepD = field(desc, STEP_D), stepH = field(desc, STEP_H), stepW = field(desc, STEP_W);
  const tableD = <usize>field(desc, TABLE_D), tableH = <usize>field(desc, TABLE_H), tableW = <usize>field(desc, TABLE_W);
  const outBase = <usize>field(desc, OUT), indexBase = <usize>field(desc, INDICES);
  const outputs = od * oh * ow;
  // The stride along w and the full window count, from the tables (both constant inside).
  // (from the last two windows: the first ones' starts are clipped by the padding)
  const strideW = ow > 1 ? load<i32>(tableW + (<usize>(ow - 1) << 3)) - load<i32>(tableW + (<usize>(ow - 2) << 3)) : 1;
  let kw = 0;
  for (let w = 0; w < ow; w++) kw = max(kw, load<i32>(tableW + (<usize>w << 3), 4));
  const lanes = i32x4(0, strideW, 2 * strideW, 3 * strideW);
  for (let plane = plane0; plane < plane1; plane++) {
    const x = planeBase(desc, plane);
    let values = outBase + (<usize>(plane * outputs) << 2);
    let indices = indexBase + (<usize>(plane * outputs) << 3);
    for (let d = 0; d < od; d++) {
      const dStart = load<i32>(tableD + (<usize>d << 3)), dCount = load<i32>(tableD + (<usize>d << 3), 4);
      for (let h = 0; h < oh; h++) {
        const hStart = load<i32>(tableH + (<usize>h << 3)), hCount = load<i32>(tableH + (<usize>h << 3), 4);
        let w = 0;
        while (w < ow) {
          const wStart = load<i32>(tableW + (<usize>w << 3)), wCount = load<i32>(tableW + (<usize>w << 3), 4);
          const whole = w + 4 <= ow && wCount == kw && load<i32>(tableW + (<usize>(w + 3) << 3), 4) == kw &&
            load<i32>(tableW + (<usize>(w + 3) << 3)) == wStart + 3 * strideW;
          if (whole) {
            let best = f32x4.splat(-Infinity);
            let at = i32x4.add(i32x4.splat((dStart * inH + hStart) * inW + wStart), lanes);
            for (let i = 0, id = dStart; i < dCount; i++, id += stepD) {
              for (let j = 0, ih = hStart; j < hCount; j++, ih += stepH) {
                const row = (id * inH + ih) * inW;
                for (let k = 0, iw = row + wStart; k < kw; k++, iw += stepW) {
                  const p = x + (<usize>iw << 2);
                  let v: v128;
                  if (strideW == 1) v = v128.load(p);
                  else if (strideW == 2 && iw - row + 8 <= inW) v = v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
                  else {
                    v = f32x4.splat(load<f32>(p));
                    v = f32x4.replace_lane(v, 1, load<f32>(p + (<usize>strideW << 2)));
                    v = f32x4.replace_lane(v, 2, load<f32>(p + (<usize>(2 * strideW) << 2)));
                    v = f32x4.replace_lane(v, 3, load<f32>(p + (<usize>(3 * strideW) << 2)));
                  }
                  const take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
                  best = v128.bitselect(v, best, take);
                  at = v128.bitselect(i32x4.add(i32x4.splat(iw), lanes), at, take);
                }
              }
            }
            v128.store(values, best);
            v128.store(indices, i64x2.extend_low_i32x4_s(at));
            v128.store(indices, i64x2.extend_high_i32x4_s(at), 16);
            values += 16;
            indices += 32;
            w += 4;
            continue;
          }
          let best: f32 = -Infinity;
          let at = (dStart * inH + hStart) * inW + wStart;
          for (let i = 0, id = dStart; i < dCount; i++, id += stepD) {
            for (let j = 0, ih = hStart; j < hCount; j++, ih += stepH) {
              const row = (id * inH + ih) * inW;
              for (let k = 0, iw = row + wStart; k < wCount; k++, iw += stepW) {
                const v = load<f32>(x + (<usize>iw << 2));
                const take = v > best || v != v; // v != v: nan
                best = select<f32>(v, best, take);
                at = select<i32>(iw, at, take);
              }
            }
          }
          store<f32>(values, best);
          store<i64>(indices, <i64>at);
          values += 4;
          indices += 8;
          w++;
        }
      }
    }
  }
}

/** The divisor of window (d, h, w): the override, or the product of the dims' shares. */
@inline function divisorOf(fixed: i32, divD: usize, divH: usize, divW: usize, d: i32, h: i32, w: i32): f32 {
  if (fixed != 0) return <f32>fixed;
  return load<f32>(divD + (<usize>d << 2)) * load<f32>(divH + (<usize>h << 2)) * load<f32>(divW + (<usize>w << 2));
}

/**
 * Window means of planes [plane0, plane1): the sum over the window (step 1) / its divisor;
 * an empty window gives 0. As in poolMax, four neighbouring outputs with whole windows run
 * as one vector, summing in the same order as the scalar loop.
 */
export function poolAvg(desc: usize, plane0: i32, plane1: i32): void {
  const inH = field(desc, IN_H), inW = field(desc, IN_W);
  const od = field(desc, OUT_D), oh = field(desc, OUT_H), ow = field(desc, OUT_W);
  const tableD = <usize>field(desc, TABLE_D), tableH = <usize>field(desc, TABLE_H), tableW = <usize>field(desc, TABLE_W);
  const divD = <usize>field(desc, DIVISOR_D), divH = <usize>field(desc, DIVISOR_H), divW = <usize>field(desc, DIVISOR_W);
  const fixed = field(desc, DIVISOR);
  const outBase = <usize>field(desc, OUT);
  const outputs = od * oh * ow;
  // (from the last two windows: the first ones' starts are clipped by the padding)
  const strideW = ow > 1 ? load<i32>(tableW + (<usize>(ow - 1) << 3)) - load<i32>(tableW + (<usize>(ow - 2) << 3)) : 1;
  let kw = 0;
  for (let w = 0; w < ow; w++) kw = max(kw, load<i32>(tableW + (<usize>w << 3), 4));
  for (let plane = plane0; plane < plane1; plane++) {
    const x = planeBase(desc, plane);
    let out = outBase + (<usize>(plane * outputs) << 2);
    for (let d = 0; d < od; d++) {
      const dStart = load<i32>(tableD + (<usize>d << 3)), dCount = load<i32>(tableD + (<usize>d << 3), 4);
      for (let h = 0; h < oh; h++) {
        const hStart = load<i32>(tableH + (<usize>h << 3)), hCount = load<i32>(tableH + (<usize>h << 3), 4);
        let w = 0;
        while (w < ow) {
          const wStart = load<i32>(tableW + (<usize>w << 3)), wCount = load<i32>(tableW + (<usize>w << 3), 4);
          const whole = w + 4 <= ow && dCount > 0 && hCount > 0 && wCount == kw && load<i32>(tableW + (<usize>(w + 3) << 3), 4) == kw &&
            load<i32>(tableW + (<usize>(w + 3) << 3)) == wStart + 3 * strideW;
          if (whole) {
            let sum = f32x4.splat(0);
            for (let id = dStart; id < dStart + dCount; id++) {
              for (let ih = hStart; ih < hStart + hCount; ih++) {
                const row = x + (<usize>((id * inH + ih) * inW + wStart) << 2);
                for (let k = 0; k < kw; k++) {
                  const p = row + (<usize>k << 2);
                  let v: v128;
                  if (strideW == 1) v = v128.load(p);
                  else {
                    v = f32x4.splat(load<f32>(p));
                    v = f32x4.replace_lane(v, 1, load<f32>(p + (<usize>strideW << 2)));
                    v = f32x4.replace_lane(v, 2, load<f32>(p + (<usize>(2 * strideW) << 2)));
                    v = f32x4.replace_lane(v, 3, load<f32>(p + (<usize>(3 * strideW) << 2)));
                  }
                  sum = f32x4.add(sum, v);
                }
              }
            }
            const divisor = fixed != 0
              ? f32x4.splat(<f32>fixed)
              : f32x4.mul(f32x4.splat(load<f32>(divD + (<usize>d << 2)) * load<f32>(divH + (<usize>h << 2))), v128.load(divW + (<usize>w << 2)));
            v128.store(out, f32x4.div(sum, divisor));
            out += 16;
            w += 4;
            continue;
          }
          let sum: f32 = 0;
          for (let id = dStart; id < dStart + dCount; id++) {
            for (let ih = hStart; ih < hStart + hCount; ih++) {
              const row = x + (<usize>((id * inH + ih) * inW + wStart) << 2);
              for (let k = 0; k < wCount; k++) sum += load<f32>(row + (<usize>k << 2));
            }
          }
          const empty = dCount == 0 || hCount == 0 || wCount == 0;
          store<f32>(out, empty ? 0 : sum / divisorOf(fixed, divD, divH, divW, d, h, w));
          out += 4;
          w++;
        }
      }
    }
  }
}

/**
 * The adjoint of poolAvg for planes [plane0, plane1): g (dense [planes, outputs], at X) over
 * its divisor, added into every position of the window in the input gradient at OUT (each
 * plane zeroed first).
 */
export function poolAvgBackward(desc: usize, plane0: i32, plane1: i32): void {
  const inD = field(desc, IN_D), inH = field(desc, IN_H), inW = field(desc, IN_W);
  const od = field(desc, OUT_D), oh = field(desc, OUT_H), ow = field(desc, OUT_W);
  const tableD = <usize>field(desc, TABLE_D), tableH = <usize>field(desc, TABLE_H), tableW = <usize>field(desc, TABLE_W);
  const divD = <usize>field(desc, DIVISOR_D), divH = <usize>field(desc, DIVISOR_H), divW = <usize>field(desc, DIVISOR_W);
  const fixed = field(desc, DIVISOR);
  const outBase = <usize>field(desc, OUT);
  const outputs = od * oh * ow;
  let g = <usize>field(desc, X) + (<usize>(plane0 * outputs) << 2);
  for (let plane = plane0; plane < plane1; plane++) {
    const gx = outBase + (<usize>(plane * inD * inH * inW) << 2);
    zero(gx, inD * inH * inW);
    for (let d = 0; d < od; d++) {
      const dStart = load<i32>(tableD + (<usize>d << 3)), dCount = load<i32>(tableD + (<usize>d << 3), 4);
      for (let h = 0; h < oh; h++) {
        const hStart = load<i32>(tableH + (<usize>h << 3)), hCount = load<i32>(tableH + (<usize>h << 3), 4);
        for (let w = 0; w < ow; w++, g += 4) {
          const wStart = load<i32>(tableW + (<usize>w << 3)), wCount = load<i32>(tableW + (<usize>w << 3), 4);
          const share = load<f32>(g) / divisorOf(fixed, divD, divH, divW, d, h, w);
          for (let id = dStart; id < dStart + dCount; id++) {
            for (let ih = hStart; ih < hStart + hCount; ih++) {
              const row = gx + (<usize>((id * inH + ih) * inW + wStart) << 2);
              for (let k = 0; k < wCount; k++) {
                const at = row + (<usize>k << 2);
                store<f32>(at, load<f32>(at) + share);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * The vjp of max pooling for planes [plane0, plane1): g[o] (dense, at X) added into the
 * input gradient at OUT (each plane zeroed first) at the plane's int64 index[o] (dense, at
 * INDICES).
 */
export function poolMaxBackward(desc: usize, plane0: i32, plane1: i32): void {
  const planeSize = field(desc, IN_D) * field(desc, IN_H) * field(desc, IN_W);
  const outputs = field(desc, OUT_D) * field(desc, OUT_H) * field(desc, OUT_W);
  const g = <usize>field(desc, X);
  const indices = <usize>field(desc, INDICES);
  const outBase = <usize>field(desc, OUT);
  for (let plane = plane0; plane < plane1; plane++) {
    const gx = outBase + (<usize>(plane * planeSize) << 2);
    zero(gx, planeSize);
    for (let o = plane * outputs, end = o + outputs; o < end; o++) {
      const at = gx + (<usize>load<i64>(indices + (<usize>o << 3)) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(g + (<usize>o << 2)));
    }
  }
}
