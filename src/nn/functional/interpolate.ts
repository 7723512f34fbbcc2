/**
 * `torch.nn.functional.interpolate` as PyTorch 1.13 defines it: the output size from
 * `size` or from `scaleFactor` (floor(L·s)), the user's scale factors passed on to the
 * resampling unless `recomputeScaleFactor` (then the ratio is L/O), and the mode picked by
 * name and rank. The resampling is the `upsample` primitive (src/ops/defs/upsample.ts);
 * "area" is adaptive average pooling.
 */
import { ShapeError, UnsupportedError, ValueError } from "../../core/errors.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d } from "../../ops/defs/pool.ts";
import { upsample, type UpsampleMode } from "../../ops/defs/upsample.ts";

export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "bicubic" | "trilinear" | "area";

export interface InterpolateOptions {
  /** Output spatial size: one number for every dim, or one per dim. Exclusive with scaleFactor. */
  size?: number | readonly number[] | null;
  /** Multiplier of the spatial sizes: one for every dim, or one per dim. */
  scaleFactor?: number | readonly number[] | null;
  /** Default "nearest". */
  mode?: InterpolateMode;
  /** Linear modes and bicubic only (default false). */
  alignCorners?: boolean | null;
  /** Use L/O as the ratio instead of 1/scaleFactor (default: as false). */
  recomputeScaleFactor?: boolean | null;
  /** Not supported (PyTorch's anti-aliased bilinear/bicubic downsampling). */
  antialias?: boolean;
}

/** The rank each interpolating mode needs (nearest and area take any of 3, 4, 5). */
const RANK: Partial<Record<InterpolateMode, number>> = { linear: 3, bilinear: 4, bicubic: 4, trilinear: 5 };

function perDim(value: number | readonly number[], dim: number, input: Tensor, what: "output size" | "scale_factor"): number[] {
  if (typeof value === "number") return new Array<number>(dim).fill(value);
  if (value.length !== dim) {
    const spatial = `[${input.shape.slice(2).join(", ")}]`;
    throw new ValueError(
      what === "output size"
        ? `Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${spatial} and output size of [${value.join(", ")}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`
        : `Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${spatial} and scale_factor of shape [${value.join(", ")}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`,
    );
  }
  return [...value];
}

/**
 * Resizes the spatial dims of [N, C, L], [N, C, H, W] or [N, C, D, H, W].
 *
 * ```ts
 * interpolate(x, { scaleFactor: 2, mode: "bilinear" }); // [N, C, 2H, 2W]
 * interpolate(x, { size: [5, 7], mode: "bicubic", alignCorners: true });
 * ```
 */
export function interpolate(input: Tensor, options: InterpolateOptions = {}): Tensor {
  const mode = options.mode ?? "nearest";
  const linearLike = mode === "linear" || mode === "bilinear" || mode === "bicubic" || mode === "trilinear";
  if (!linearLike && mode !== "nearest" && mode !== "nearest-exact" && mode !== "area")
    throw new ValueError(`interpolate: unknown mode '${String(mode)}' (nearest | nearest-exact | linear | bilinear | bicubic | trilinear | area)`);
  const alignCorners = options.alignCorners ?? null;
  if (alignCorners !== null && !linearLike)
    throw new ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
  if (input.ndim < 3 || input.ndim > 5)
    throw new ShapeError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`);
  const need = RANK[mode];
  if (need !== undefined && input.ndim !== need)
    throw new UnsupportedError(`Got ${input.ndim}D input, but ${mode} mode needs ${need}D input`);
  if (options.antialias) throw new UnsupportedError("interpolate: antialias is not supported");
  const dim = input.ndim - 2;
  const { size = null, scaleFactor = null } = options;
  if (size !== null && scaleFactor !== null) throw new ValueError("only one of size or scale_factor should be defined");
  if (size === null && scaleFactor === null) throw new ValueError("either size or scale_factor should be defined");
  if (options.recomputeScaleFactor && size !== null) throw new ValueError("recompute_scale_factor is not meaningful with an explicit size.");

  let outputSize: number[];
  let scales: (number | null)[];
  if (size !== null) {
    outputSize = perDim(size, dim, input, "output size");
    scales = outputSize.map(() => null);
  } else {
    const factors = perDim(scaleFactor!, dim, input, "scale_factor");
    if (factors.some((s) => !(s > 0) || !Number.isFinite(s))) throw new ValueError(`interpolate: scale factors must be positive and finite, got [${factors.join(", ")}]`);
    outputSize = factors.map((s, i) => Math.floor(input.shape[i + 2]! * s));
    // "area" always recomputes, as PyTorch: it has no use for scales.
    scales = options.recomputeScaleFactor || mode === "area" ? factors.map(() => null) : factors;
  }
  if (outputSize.some((n) => !Number.isInteger(n) || n <= 0))
    throw new ShapeError(`interpolate: output size must be positive integers, got [${outputSize.join(", ")}] for input ${formatShape(input.shape)}`);

  if (mode === "area") {
    if (dim === 1) return adaptiveAvgPool1d(input, outputSize);
    return dim === 2 ? adaptiveAvgPool2d(input, outputSize) : adaptiveAvgPool3d(input, outputSize);
  }
  const primitive: UpsampleMode = mode === "nearest" || mode === "nearest-exact" ? mode : mode === "bicubic" ? "cubic" : "linear";
  return upsample(input, { mode: primitive, alignCorners: alignCorners ?? false, outputSize, scales });
}
