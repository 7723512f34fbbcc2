/** PixelShuffle and PixelUnshuffle modules (`torch.nn.PixelShuffle`, `torch.nn.PixelUnshuffle`). */
import type { Tensor } from "../../core/tensor.ts";
import { ValueError } from "../../core/errors.ts";
import { Module } from "../module.ts";
import { pixelShuffle, pixelUnshuffle } from "../functional/pixel-shuffle.ts";

function checkFactor(factor: number, what: string): void {
  if (!Number.isInteger(factor) || factor <= 0) throw new ValueError(`${what} must be a positive integer, got ${factor}`);
}

/** Rearranges [*, C·r², H, W] into [*, C, H·r, W·r] (sub-pixel convolution's last step). */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
    checkFactor(upscaleFactor, "upscale_factor");
  }

  override forward(input: Tensor): Tensor {
    return pixelShuffle(input, this.upscaleFactor);
  }

  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/** Rearranges [*, C, H·r, W·r] into [*, C·r², H, W], the inverse of PixelShuffle. */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
    checkFactor(downscaleFactor, "downscale_factor");
  }

  override forward(input: Tensor): Tensor {
    return pixelUnshuffle(input, this.downscaleFactor);
  }

  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}
