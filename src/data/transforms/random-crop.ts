/** `torchvision.transforms.RandomCrop` on tensors. */
import { ShapeError, ValueError } from "../../core/errors.ts";
import { fillRandint, type Generator } from "../../core/random.ts";
import type { Tensor } from "../../core/tensor.ts";
import { tensor } from "../../ops/creation.ts";
import { indexSelect } from "../../ops/defs/indexing.ts";
import { pad } from "../../ops/defs/shape.ts";
import { slice } from "../../ops/views.ts";
import type { TransformSpec } from "../worker/spec.ts";
import { generatorOf, generatorState, Transform } from "./transform.ts";

export type PaddingMode = "constant" | "edge" | "reflect" | "symmetric";

export interface RandomCropOptions {
  /** Padding before cropping: one value for all sides, [left/right, top/bottom], or [left, top, right, bottom]. */
  padding?: number | readonly number[];
  /** Pad (by the missing size, on both sides, as torchvision does) when the image is smaller than the crop. */
  padIfNeeded?: boolean;
  /** The value of constant padding (default 0). */
  fill?: number;
  /** constant (default), edge (repeat the border), reflect (mirror without the border), symmetric (mirror with it). */
  paddingMode?: PaddingMode;
  /** Where the crop offsets are drawn from (default: the default generator). */
  generator?: Generator;
}

type Sides = [left: number, top: number, right: number, bottom: number];

function normalizePadding(p: number | readonly number[]): Sides {
  const sides = typeof p === "number" ? [p, p, p, p] : p.length === 2 ? [p[0]!, p[1]!, p[0]!, p[1]!] : p.length === 4 ? [...p] : null;
  if (sides === null) throw new ValueError(`RandomCrop: padding must be a number or have 2 or 4 values, got ${(p as readonly number[]).length}`);
  if (sides.some((s) => !Number.isInteger(s) || s < 0)) throw new ValueError(`RandomCrop: padding must be non-negative integers, got [${sides.join(", ")}]`);
  return sides as Sides;
}

/** Source index of output position o along a dim of size n padded by [before, after], mirroring with the edge. */
function symmetricIndex(n: number, before: number, o: number): number {
  let i = o - before;
  const period = 2 * n;
  i = ((i % period) + period) % period;
  return i < n ? i : period - 1 - i;
}

/** Pads the last two dims of an image by [left, top, right, bottom] (torchvision's F.pad on tensors). */
export function padImage(x: Tensor, [left, top, right, bottom]: Sides, mode: PaddingMode, fill: number): Tensor {
  if (left + top + right + bottom === 0) return x;
  if (mode === "constant") return pad(x, [left, right, top, bottom], "constant", fill);
  if (mode === "edge") return pad(x, [left, right, top, bottom], "replicate");
  if (mode === "reflect") return pad(x, [left, right, top, bottom], "reflect");
  const h = x.shape[x.ndim - 2]!;
  const w = x.shape[x.ndim - 1]!;
  const rows = tensor(BigInt64Array.from({ length: h + top + bottom }, (_, o) => BigInt(symmetricIndex(h, top, o))));
  const cols = tensor(BigInt64Array.from({ length: w + left + right }, (_, o) => BigInt(symmetricIndex(w, left, o))));
  return indexSelect(indexSelect(x, -2, rows), -1, cols);
}

/**
 * Crops a random [height, width] window from the last two dims, after optional padding.
 * Offsets are drawn as torchvision draws them — `torch.randint(0, h - th + 1, (1,))` for the
 * top, then the same for the left — and nothing is drawn when the image already has the
 * crop's size. The result is a view of the (padded) image.
 *
 * @example new RandomCrop(28, { padding: 4 }) // the usual MNIST / CIFAR augmentation
 */
export class RandomCrop extends Transform {
  readonly size: readonly [number, number];
  readonly padding: Sides | null;
  readonly padIfNeeded: boolean;
  readonly fill: number;
  readonly paddingMode: PaddingMode;
  readonly generator: Generator | undefined;

  constructor(size: number | readonly [number, number], options: RandomCropOptions = {}) {
    super();
    const s = typeof size === "number" ? ([size, size] as const) : size;
    if (s.length !== 2 || s.some((v) => !Number.isInteger(v) || v <= 0))
      throw new ValueError(`RandomCrop: size must be a positive integer or [height, width], got ${String(size)}`);
    this.size = [s[0], s[1]];
    this.padding = options.padding === undefined ? null : normalizePadding(options.padding);
    this.padIfNeeded = options.padIfNeeded ?? false;
    this.fill = options.fill ?? 0;
    this.paddingMode = options.paddingMode ?? "constant";
    if (!["constant", "edge", "reflect", "symmetric"].includes(this.paddingMode))
      throw new ValueError(`RandomCrop: paddingMode must be constant, edge, reflect or symmetric, got '${this.paddingMode}'`);
    this.generator = options.generator;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 2) throw new ShapeError(`RandomCrop: expected an image [..., H, W], got [${x.shape.join(", ")}]`);
    let img = this.padding ? padImage(x, this.padding, this.paddingMode, this.fill) : x;
    const [th, tw] = this.size;
    const width = img.shape[img.ndim - 1]!;
    if (this.padIfNeeded && width < tw) img = padImage(img, [tw - width, 0, tw - width, 0], this.paddingMode, this.fill);
    const height = img.shape[img.ndim - 2]!;
    if (this.padIfNeeded && height < th) img = padImage(img, [0, th - height, 0, th - height], this.paddingMode, this.fill);
    const h = img.shape[img.ndim - 2]!;
    const w = img.shape[img.ndim - 1]!;
    if (h < th || w < tw) throw new ValueError(`RandomCrop: required crop size [${th}, ${tw}] is larger than the input image size [${h}, ${w}]`);
    if (h === th && w === tw) return img;
    const gen = generatorOf(this.generator);
    const offset = new BigInt64Array(1);
    fillRandint(gen, offset, 0n, BigInt(h - th + 1));
    const top = Number(offset[0]);
    fillRandint(gen, offset, 0n, BigInt(w - tw + 1));
    const left = Number(offset[0]);
    return slice(slice(img, -2, top, top + th), -1, left, left + tw);
  }

  toSpec(): TransformSpec {
    return {
      kind: "random-crop",
      size: this.size,
      padding: this.padding,
      padIfNeeded: this.padIfNeeded,
      fill: this.fill,
      paddingMode: this.paddingMode,
      generatorState: generatorState(this.generator),
    };
  }
}
