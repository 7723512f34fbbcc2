/**
 * Resampling of the spatial dims of [N, C, ...] tensors (PyTorch's upsample_nearest*,
 * _upsample_nearest_exact*, upsample_linear1d / bilinear2d / trilinear3d, upsample_bicubic2d;
 * ONNX Resize), and its adjoint. `torch.nn.functional.interpolate` is the public face
 * (src/nn/functional/interpolate.ts).
 *
 * Note: upsample taps. Every mode is separable: along each spatial dim, output position o
 * reads a few input positions ("taps") with weights, and the N-d result applies each dim's
 * 1-d map in turn. With L the input size, O the output size and `scale` the user's scale
 * factor for that dim (null when a size was given), PyTorch 1.13's rules
 * (ATen/native/UpSample.h) are:
 *   - ratio (area_pixel_compute_scale): with alignCorners, (L − 1)/(O − 1) (0 when O = 1);
 *     otherwise 1/scale when a scale was given, else L/O. Computed in float32 for float32
 *     inputs, as ATen's scalar_t.
 *   - nearest: one tap, min(floor(o·ratio), L − 1) in float32 — except O = L (identity) and
 *     O = 2L (o >> 1), which PyTorch special-cases.
 *   - nearest-exact: min(floor((o + 0.5)·ratio), L − 1).
 *   - linear: source s = ratio·o (alignCorners) or max(ratio·(o + 0.5) − 0.5, 0), in float64
 *     (ATen's acc type); taps i0 = trunc(s) and i0 + 1 (i0 alone at the last position) with
 *     weights 1 − λ and λ = s − i0; O = L is the identity.
 *   - cubic: s unclamped; taps floor(s) − 1 … floor(s) + 2 clamped to [0, L − 1], weights
 *     Keys' cubic convolution with A = −0.75 at t = s − floor(s).
 * The op is linear in x; its vjp `upsampleBackward` applies the transposed maps (each tap
 * adds weight·g into its input position), and the vjp of that is upsample again.
 */
import { isFloating } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { apply1 } from "../apply.ts";
import { defineOp, single, type TensorMeta } from "../define-op.ts";

export type UpsampleMode = "nearest" | "nearest-exact" | "linear" | "cubic";

export interface UpsampleAttrs {
  readonly mode: UpsampleMode;
  /** Linear and cubic only: the corner pixels' centres of input and output coincide. */
  readonly alignCorners: boolean;
  /** The output's spatial sizes (1 to 3 of them). */
  readonly outputSize: readonly number[];
  /** Per spatial dim, the scale factor the user gave (used for the ratio), or null. */
  readonly scales: readonly (number | null)[];
}

export interface UpsampleBackwardAttrs extends UpsampleAttrs {
  /** The forward input's spatial sizes. */
  readonly inputSize: readonly number[];
}

const MODES: readonly UpsampleMode[] = ["nearest", "nearest-exact", "linear", "cubic"];

function checkSizes(op: string, inSizes: readonly number[], attrs: UpsampleAttrs): void {
  const nd = attrs.outputSize.length;
  if (!MODES.includes(attrs.mode)) throw new ValueError(`${op}: unknown mode '${String(attrs.mode)}' (expected one of ${MODES.join(", ")})`);
  if (nd < 1 || nd > 3) throw new ValueError(`${op}: resampling takes 1 to 3 spatial dims, got ${nd}`);
  if (attrs.scales.length !== nd) throw new ValueError(`${op}: expected ${nd} scales (or nulls), got ${attrs.scales.length}`);
  if (inSizes.length !== nd) throw new ShapeError(`${op}: expected an input with ${nd} spatial dims ([N, C, ...]), got spatial sizes [${inSizes.join(", ")}]`);
  if (attrs.outputSize.some((n) => !Number.isInteger(n)) || attrs.scales.some((s) => s !== null && !(s > 0 && Number.isFinite(s))))
    throw new ValueError(`${op}: output sizes must be integers and scales positive, got sizes [${attrs.outputSize.join(", ")}] and scales [${attrs.scales.join(", ")}]`);
  if (inSizes.some((n) => n <= 0) || attrs.outputSize.some((n) => n <= 0))
    throw new ShapeError(`${op}: input and output sizes should be greater than 0, but got input (${inSizes.join(", ")}) and output (${attrs.outputSize.join(", ")})`);
}

function checkDType(op: string, x: TensorMeta, mode: UpsampleMode): void {
  // PyTorch's CPU kernels: floating types, and uint8 for nearest modes.
  if (!isFloating(x.dtype) && !(x.dtype === "uint8" && (mode === "nearest" || mode === "nearest-exact")))
    throw new DTypeError(`${op}: "${mode}" is not implemented for ${x.dtype}`);
}

function forwardAttrs(attrs: UpsampleBackwardAttrs): UpsampleAttrs {
  const { inputSize: _, ...forward } = attrs;
  return forward;
}

export const upsampleOps = {
  /** Resamples the spatial dims of [N, C, ...] to `outputSize` (see Note: upsample taps). */
  upsample: defineOp<UpsampleAttrs>({
    name: "upsample",
    inputs: ["x"],
    infer: ([x], attrs) => {
      if (x!.shape.length < 3) throw new ShapeError(`upsample: expected an [N, C, ...] input with 1 to 3 spatial dims, got ${formatShape(x!.shape)}`);
      checkSizes("upsample", x!.shape.slice(2), attrs);
      checkDType("upsample", x!, attrs.mode);
      return single([x!.shape[0]!, x!.shape[1]!, ...attrs.outputSize], x!.dtype);
    },
    vjp: ([g], { metas, attrs }): (Tensor | null)[] => [apply1(upsampleOps.upsampleBackward, [g!], { ...attrs, inputSize: metas[0]!.shape.slice(2) })],
    onnx: {
      type: "Resize",
      sinceOpset: 11,
      pattern:
        "Resize: nearest (nearest_mode floor, coordinate_transformation_mode asymmetric), nearest-exact (round_prefer_ceil, half_pixel), " +
        "linear or cubic (cubic_coeff_a −0.75) with align_corners or pytorch_half_pixel; the scales input when the user gave scales, else sizes",
    },
  }),
  /** The adjoint of upsample: each tap adds weight·g into its input position (Note: upsample taps). */
  upsampleBackward: defineOp<UpsampleBackwardAttrs>({
    name: "upsampleBackward",
    inputs: ["g"],
    infer: ([g], attrs) => {
      if (g!.shape.length !== attrs.inputSize.length + 2)
        throw new ShapeError(`upsampleBackward: gradient ${formatShape(g!.shape)} does not have ${attrs.inputSize.length} spatial dims`);
      checkSizes("upsampleBackward", attrs.inputSize, attrs);
      if (g!.shape.slice(2).some((n, i) => n !== attrs.outputSize[i]))
        throw new ShapeError(`upsampleBackward: gradient ${formatShape(g!.shape)} does not match the output size [${attrs.outputSize.join(", ")}]`);
      if (!isFloating(g!.dtype)) throw new DTypeError(`upsampleBackward: gradients are floating point, got ${g!.dtype}`);
      return single([g!.shape[0]!, g!.shape[1]!, ...attrs.inputSize], g!.dtype);
    },
    vjp: ([gg], { attrs }): (Tensor | null)[] => [apply1(upsampleOps.upsample, [gg!], forwardAttrs(attrs))],
    onnx: {
      type: "ScatterElements",
      sinceOpset: 16,
      pattern: "per spatial dim and tap, Mul by the tap weights then ScatterElements with reduction=add at the tap indices into zeros",
    },
  }),
};

/**
 * Resamples [N, C, ...spatial] to `outputSize` with the given mode — the primitive under
 * `interpolate`, which computes outputSize and scales from PyTorch's arguments.
 */
export function upsample(x: Tensor, attrs: UpsampleAttrs): Tensor {
  return apply1(upsampleOps.upsample, [x], attrs);
}
