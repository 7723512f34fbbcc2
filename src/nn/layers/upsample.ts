/**
 * Upsample, UpsamplingNearest2d and UpsamplingBilinear2d (`torch.nn.Upsample` ...): modules
 * holding interpolate's arguments.
 *
 * ```ts
 * new Upsample({ scaleFactor: 2, mode: "bilinear" }).forward(randn([1, 3, 4, 4])).shape; // [1, 3, 8, 8]
 * ```
 */
import type { Tensor } from "../../core/tensor.ts";
import { ValueError } from "../../core/errors.ts";
import { Module } from "../module.ts";
import { pyFloat, pyIntOrTuple } from "./repr.ts";
import { interpolate, type InterpolateMode } from "../functional/interpolate.ts";

export interface UpsampleOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  /** Default "nearest". */
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

/** A float, or a tuple of them, as Python's str() writes it. */
function pyFloats(v: number | readonly number[]): string {
  return typeof v === "number" ? pyFloat(v) : `(${v.map(pyFloat).join(", ")}${v.length === 1 ? "," : ""})`;
}

/** Resizes inputs by `size` or `scaleFactor` with interpolate's modes. */
export class Upsample extends Module {
  readonly size: number | readonly number[] | null;
  readonly scaleFactor: number | readonly number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;

  constructor(options: UpsampleOptions) {
    super();
    this.size = options.size ?? null;
    this.scaleFactor = options.scaleFactor ?? null;
    if (this.size === null && this.scaleFactor === null) throw new ValueError("Upsample: either size or scale_factor should be defined");
    this.mode = options.mode ?? "nearest";
    this.alignCorners = options.alignCorners ?? null;
    this.recomputeScaleFactor = options.recomputeScaleFactor ?? null;
  }

  override forward(input: Tensor): Tensor {
    return interpolate(input, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }

  override extraRepr(): string {
    const info = this.scaleFactor !== null ? `scale_factor=${pyFloats(this.scaleFactor)}` : `size=${pyIntOrTuple(this.size!)}`;
    return `${info}, mode=${this.mode}`;
  }
}

/** Nearest upsampling of [N, C, H, W] (`torch.nn.UpsamplingNearest2d`). */
export class UpsamplingNearest2d extends Upsample {
  constructor(options: { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null }) {
    super({ ...options, mode: "nearest" });
  }
}

/** Bilinear upsampling with align_corners=True (`torch.nn.UpsamplingBilinear2d`). */
export class UpsamplingBilinear2d extends Upsample {
  constructor(options: { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null }) {
    super({ ...options, mode: "bilinear", alignCorners: true });
  }
}
