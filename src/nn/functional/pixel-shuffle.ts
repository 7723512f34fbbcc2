/**
 * `torch.nn.functional.pixel_shuffle` and `pixel_unshuffle`, written as reshape → permute →
 * reshape (as ATen's math: views, so their gradients and export come free).
 */
import { ShapeError, ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";

function checkFactor(op: string, factor: number, what: string): void {
  if (!Number.isInteger(factor) || factor <= 0) throw new ValueError(`${op} expects a positive ${what}, but got ${factor}`);
}

function checkRank(op: string, x: Tensor): void {
  if (x.ndim < 3) throw new ShapeError(`${op} expects input to have at least 3 dimensions, but got input with ${x.ndim} dimension(s)`);
}

/**
 * [*, C·r², H, W] → [*, C, H·r, W·r]: out[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w].
 *
 * ```ts
 * pixelShuffle(randn([1, 8, 3, 3]), 2).shape; // [1, 2, 6, 6]
 * ```
 */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  const op = "pixel_shuffle";
  checkRank(op, input);
  checkFactor(op, upscaleFactor, "upscale_factor");
  const r = upscaleFactor;
  const [c, h, w] = input.shape.slice(-3) as [number, number, number];
  if (c % (r * r) !== 0)
    throw new ShapeError(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r}`);
  const batch = input.shape.slice(0, -3);
  const n = batch.length;
  const oc = c / (r * r);
  // [*, oc, r, r, h, w] → [*, oc, h, r, w, r]
  const perm = [...batch.map((_, i) => i), n, n + 3, n + 1, n + 4, n + 2];
  return input.reshape([...batch, oc, r, r, h, w]).permute(perm).reshape([...batch, oc, h * r, w * r]);
}

/**
 * The inverse of pixelShuffle: [*, C, H·r, W·r] → [*, C·r², H, W].
 *
 * ```ts
 * pixelUnshuffle(randn([1, 2, 6, 6]), 2).shape; // [1, 8, 3, 3]
 * ```
 */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  const op = "pixel_unshuffle";
  checkRank(op, input);
  checkFactor(op, downscaleFactor, "downscale_factor");
  const r = downscaleFactor;
  const [c, h, w] = input.shape.slice(-3) as [number, number, number];
  if (h % r !== 0) throw new ShapeError(`pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${h} is not divisible by ${r}`);
  if (w % r !== 0) throw new ShapeError(`pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${w} is not divisible by ${r}`);
  const batch = input.shape.slice(0, -3);
  const n = batch.length;
  const [oh, ow] = [h / r, w / r];
  // [*, c, oh, r, ow, r] → [*, c, r, r, oh, ow]
  const perm = [...batch.map((_, i) => i), n, n + 2, n + 4, n + 1, n + 3];
  return input.reshape([...batch, c, oh, r, ow, r]).permute(perm).reshape([...batch, c * r * r, oh, ow]);
}
