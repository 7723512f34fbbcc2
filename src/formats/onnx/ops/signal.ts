/**
 * Signal processing: DFT (forward, inverse, one-sided, as matrix products with the DFT
 * basis in float64 so gradients flow), STFT, the Hann/Hamming/Blackman windows and
 * MelWeightMatrix, as ONNX's reference computes them.
 */
import type { DType } from "../../../core/dtype.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { tensor, zeros } from "../../../ops/creation.ts";
import { indexSelect } from "../../../ops/defs/indexing.ts";
import { matmul } from "../../../ops/defs/linalg.ts";
import { cat, unfold } from "../../../ops/defs/shape.ts";
import { stack } from "../../../ops/composite/shape.ts";
import { permute, to, transpose } from "../../../ops/views.ts";
import { dtypeOfCode } from "./tensor.ts";
import type { OpFamily } from "./table.ts";
import { checkCount, int64Tensor, intValues, invalid, movedim, normAxis, numberValues, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

/** cos and sin of 2π·j·k/L as [bins, L] float64 matrices. */
function basis(bins: number, L: number): { cos: Tensor; sin: Tensor } {
  const c = new Float64Array(bins * L);
  const s = new Float64Array(bins * L);
  for (let k = 0; k < bins; k++)
    for (let j = 0; j < L; j++) {
      const a = (2 * Math.PI * ((j * k) % L)) / L;
      c[k * L + j] = Math.cos(a);
      s[k * L + j] = Math.sin(a);
    }
  return { cos: tensor(c, { shape: [bins, L] }), sin: tensor(s, { shape: [bins, L] }) };
}

/** Pads with zeros or truncates the last dim to L. */
function fitLength(x: Tensor, L: number): Tensor {
  const n = x.shape[x.ndim - 1]!;
  if (n === L) return x;
  if (n > L) return x.narrow(-1, 0, L);
  return cat([x, zeros([...x.shape.slice(0, -1), L - n], { dtype: x.dtype })], -1);
}

/**
 * The DFT of complex x (real and imaginary parts, transform along their last dim) of
 * length L; `inverse` divides by L; `onesided` keeps L/2+1 bins forward, and inverse takes
 * them as the half of a Hermitian spectrum and returns the real signal.
 */
function dft(re: Tensor, im: Tensor, L: number, inverse: boolean, onesided: boolean): { re: Tensor; im: Tensor | null } {
  if (inverse && onesided) {
    // Rebuild the full spectrum: X[L-k] = conj(X[k]).
    const n = re.shape[re.ndim - 1]!;
    const src = Array.from({ length: L }, (_, k) => Math.min(k <= L / 2 ? k : L - k, n - 1));
    const sign = tensor(Float64Array.from({ length: L }, (_, k) => (k <= L / 2 ? 1 : -1)));
    re = indexSelect(re, -1, int64Tensor(src));
    im = indexSelect(im, -1, int64Tensor(src)).mul(sign);
  } else {
    re = fitLength(re, L);
    im = fitLength(im, L);
  }
  const bins = !inverse && onesided ? Math.floor(L / 2) + 1 : L;
  const { cos, sin } = basis(bins, L);
  const [cT, sT] = [transpose(cos, 0, 1), transpose(sin, 0, 1)];
  if (!inverse) return { re: matmul(re, cT).add(matmul(im, sT)), im: matmul(im, cT).sub(matmul(re, sT)) };
  const outRe = matmul(re, cT).sub(matmul(im, sT)).div(L);
  return { re: outRe, im: onesided ? null : matmul(im, cT).add(matmul(re, sT)).div(L) };
}

/** [..., 1 or 2] real/complex -> parts as float64. */
function parts(x: Tensor): { re: Tensor; im: Tensor } {
  const f = to(x, "float64");
  const last = x.shape[x.ndim - 1]!;
  const re = f.select(-1, 0);
  return { re, im: last === 2 ? f.select(-1, 1) : re.mul(0) };
}

function dftOp(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const lengthInput = optionalTensorAt(inputs, 1, ctx, true);
  const axisInput = ctx.opset >= 20 ? optionalTensorAt(inputs, 2, ctx) : undefined;
  const rawAxis = axisInput ? intValues(axisInput)[0]! : ctx.opset >= 20 ? -2 : ctx.attrs.int("axis", 1);
  const axis = normAxis(rawAxis, x.ndim, ctx);
  if (axis === x.ndim - 1) throw invalid(ctx, "the transform axis cannot be the last (complex) dim");
  const inverse = ctx.attrs.int("inverse", 0) === 1;
  const onesided = ctx.attrs.int("onesided", 0) === 1;
  const L = lengthInput ? intValues(lengthInput)[0]! : inverse && onesided ? 2 * (x.shape[axis]! - 1) : x.shape[axis]!;
  if (L < 1) throw invalid(ctx, `dft_length must be positive, got ${L}`);
  checkCount(L * L, ctx, "the DFT basis");
  const { re, im } = parts(x);
  const out = dft(movedim(re, axis, re.ndim - 1), movedim(im, axis, im.ndim - 1), L, inverse, onesided);
  const back = (t: Tensor) => movedim(t, t.ndim - 1, axis);
  const result = out.im ? stack([back(out.re), back(out.im)], -1) : back(out.re).unsqueeze(-1);
  return [to(result, x.dtype)];
}

function stft(inputs: Inputs, ctx: OpContext): Tensor[] {
  const x = tensorAt(inputs, 0, ctx);
  const step = intValues(tensorAt(inputs, 1, ctx))[0]!;
  const window = optionalTensorAt(inputs, 2, ctx, true);
  const lengthInput = optionalTensorAt(inputs, 3, ctx, true);
  const frameLength = lengthInput ? intValues(lengthInput)[0]! : window ? window.shape[0]! : x.shape[x.ndim - 2]!;
  const onesided = ctx.attrs.int("onesided", 1) === 1;
  // [B, T, C] -> frames [B, F, C, frameLength]
  const frames = unfold(x, 1, frameLength, step);
  let { re, im } = parts(permute(frames, [0, 1, 3, 2]));
  if (window) {
    const w = to(window, "float64");
    re = re.mul(w);
    im = im.mul(w);
  }
  // parts() took the last dim (C) as real/imag; the transform runs over the frame samples.
  const out = dft(re, im, frameLength, false, onesided);
  return [to(stack([out.re, out.im!], -1), x.dtype)];
}

function window(kind: "hann" | "hamming" | "blackman") {
  return (inputs: Inputs, ctx: OpContext): Tensor[] => {
    const size = checkCount(intValues(tensorAt(inputs, 0, ctx))[0]!, ctx, "the window");
    const periodic = ctx.attrs.int("periodic", 1) === 1;
    const dtype: DType = dtypeOfCode(ctx.attrs.int("output_datatype", 1), ctx);
    const N = periodic ? size : size - 1;
    const values = Float64Array.from({ length: size }, (_, n) => {
      const a = (2 * Math.PI * n) / N;
      if (kind === "hann") return Math.sin((Math.PI * n) / N) ** 2;
      if (kind === "hamming") return 25 / 46 - (1 - 25 / 46) * Math.cos(a);
      return 0.42 - 0.5 * Math.cos(a) + 0.08 * Math.cos(2 * a);
    });
    return [tensor(values, { dtype })];
  };
}

function melWeightMatrix(inputs: Inputs, ctx: OpContext): Tensor[] {
  const [bins, dftLength, sampleRate] = [0, 1, 2].map((i) => intValues(tensorAt(inputs, i, ctx))[0]!) as [number, number, number];
  const [lower, upper] = [3, 4].map((i) => numberValues(tensorAt(inputs, i, ctx))[0]!) as [number, number];
  const spectrogramBins = Math.floor(dftLength / 2) + 1;
  checkCount(spectrogramBins * bins, ctx, "the mel weight matrix");
  const lowMel = 2595 * Math.log10(1 + lower / 700);
  const highMel = 2595 * Math.log10(1 + upper / 700);
  const step = (highMel - lowMel) / (bins + 2);
  const freq = Array.from({ length: bins + 2 }, (_, i) => {
    const hz = 700 * (10 ** ((i * step + lowMel) / 2595) - 1);
    return Math.trunc(Math.floor(((dftLength + 1) * hz) / sampleRate));
  });
  const out = new Float64Array(spectrogramBins * bins);
  for (let i = 0; i < bins; i++) {
    const [lo, center, hi] = [freq[i]!, freq[i + 1]!, freq[i + 2]!];
    if (center === lo) out[center * bins + i] = 1;
    else for (let j = lo; j <= center; j++) out[j * bins + i] = (j - lo) / (center - lo);
    if (hi > center) for (let j = center; j < hi; j++) out[j * bins + i] = (hi - j) / (hi - center);
  }
  return [tensor(out, { shape: [spectrogramBins, bins], dtype: dtypeOfCode(ctx.attrs.int("output_datatype", 1), ctx) })];
}

export const signalOps: OpFamily = {
  DFT: dftOp,
  STFT: stft,
  HannWindow: window("hann"),
  HammingWindow: window("hamming"),
  BlackmanWindow: window("blackman"),
  MelWeightMatrix: melWeightMatrix,
};
