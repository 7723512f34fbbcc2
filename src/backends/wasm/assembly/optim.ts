// Fused optimizer updates over contiguous float32 arrays (see ops/defs/optim-step.ts), four
// lanes at a time and the tail one by one with the same float32 operations, so an
// element's result never depends on how threads split the range. Plain multiply and add
// (no fused multiply-add), so both builds give the same bits.

/**
 * One Adam/AdamW step over elements [start, end): reads p, g, m, v and writes the new
 * values to pOut, mOut, vOut. 1 − β1 and 1 − β2 come computed in float64 and rounded once,
 * as PyTorch passes them. `decay` multiplies p first (AdamW, when `decoupled`), `l2`·p
 * adds to g (Adam, when non-zero), `sign` is −1 to maximize.
 */
// @ts-ignore: decorator
@inline function adamStepF32(
  p: usize, g: usize, m: usize, v: usize, pOut: usize, mOut: usize, vOut: usize,
  beta1: f32, beta2: f32, oneMinusB1: f32, oneMinusB2: f32, eps: f32, decay: f32, l2: f32, sign: f32, stepSize: f32, bc2Sqrt: f32,
  decoupled: i32, start: i32, end: i32,
): void {
  const useDecay = decoupled != 0 && decay != <f32>1;
  const useL2 = decoupled == 0 && l2 != <f32>0;
  const vb1 = f32x4.splat(beta1), vb2 = f32x4.splat(beta2), v1b1 = f32x4.splat(oneMinusB1), v1b2 = f32x4.splat(oneMinusB2);
  const veps = f32x4.splat(eps), vdecay = f32x4.splat(decay), vl2 = f32x4.splat(l2), vsign = f32x4.splat(sign);
  const vstep = f32x4.splat(stepSize), vbc2 = f32x4.splat(bc2Sqrt);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const o = <usize>i << 2;
    let pv = v128.load(p + o);
    let gv = f32x4.mul(v128.load(g + o), vsign);
    if (useDecay) pv = f32x4.mul(pv, vdecay);
    if (useL2) gv = f32x4.add(gv, f32x4.mul(pv, vl2));
    const mv = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(gv, v1b1));
    const vv = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(gv, gv), v1b2));
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc2), veps);
    v128.store(mOut + o, mv);
    v128.store(vOut + o, vv);
    v128.store(pOut + o, f32x4.sub(pv, f32x4.mul(vstep, f32x4.div(mv, denom))));
  }
  for (; i < end; i++) {
    const o = <usize>i << 2;
    let pv = load<f32>(p + o);
    let gv = load<f32>(g + o) * sign;
    if (useDecay) pv = pv * decay;
    if (useL2) gv = gv + pv * l2;
    const mv = load<f32>(m + o) * beta1 + gv * oneMinusB1;
    const vv = load<f32>(v + o) * beta2 + gv * gv * oneMinusB2;
    const denom = Mathf.sqrt(vv) / bc2Sqrt + eps;
    store<f32>(mOut + o, mv);
    store<f32>(vOut + o, vv);
    store<f32>(pOut + o, pv - stepSize * (mv / denom));
  }
}

/** adamStepF32 over units [start, end) of 16 elements of an n-element array. */
export function adamStepF32Units(
  p: usize, g: usize, m: usize, v: usize, pOut: usize, mOut: usize, vOut: usize,
  beta1: f32, beta2: f32, oneMinusB1: f32, oneMinusB2: f32, eps: f32, decay: f32, l2: f32, sign: f32, stepSize: f32, bc2Sqrt: f32,
  decoupled: i32, n: i32, start: i32, end: i32,
): void {
  adamStepF32(p, g, m, v, pOut, mOut, vOut, beta1, beta2, oneMinusB1, oneMinusB2, eps, decay, l2, sign, stepSize, bc2Sqrt, decoupled, start * 16, min(end * 16, n));
}
