/** Flatten and Unflatten: reshapes as modules (torch.nn.Flatten, torch.nn.Unflatten). */
import type { Shape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { Module } from "../module.ts";
import { pyTuple } from "./repr.ts";

/**
 * Flattens dims startDim..endDim into one (by default every dim but the batch dim).
 *
 * ```ts
 * new Flatten().forward(randn([8, 32, 7, 7])).shape; // [8, 1568]
 * ```
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Splits dim `dim` into `unflattenedSize` (one entry may be −1). */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];
  constructor(readonly dim: number, unflattenedSize: Shape) {
    super();
    this.unflattenedSize = [...unflattenedSize];
  }
  override forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
