/**
 * Pooling layers (torch.nn.MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d,
 * AdaptiveMaxPool1d/2d/3d) over the pooling ops. Max pools built with
 * `returnIndices: true` return [values, indices] (int64, flat within each plane), as
 * PyTorch's do; the type parameter tracks which.
 */
import type { Tensor } from "../../core/tensor.ts";
import type { SizeArg } from "../../ops/defs/conv.ts";
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d, adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d,
  avgPool1d, avgPool2d, avgPool3d, maxPool1d, maxPool2d, maxPool3d, type AdaptiveSize,
} from "../../ops/defs/pool.ts";
import { Module } from "../module.ts";
import { pyBool, pyIntOrTuple, pyTuple } from "./repr.ts";

/** What a max pool returns: the values, or [values, indices] with `returnIndices`. */
export type PoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

export interface MaxPoolOptions<R extends boolean = boolean> {
  /** Default: the kernel size. */
  stride?: SizeArg | null;
  padding?: SizeArg;
  dilation?: SizeArg;
  /** Return the int64 index of each maximum too. */
  returnIndices?: R;
  /** Count a last window that starts inside the (left-padded) input but runs past its end. */
  ceilMode?: boolean;
}

type MaxPoolFn = (x: Tensor, k: SizeArg, s: SizeArg | null, p: SizeArg, d: SizeArg, ceil: boolean, indices: true) => [Tensor, Tensor];

/** PyTorch's _MaxPoolNd. */
abstract class MaxPool<R extends boolean> extends Module {
  readonly kernelSize: SizeArg;
  readonly stride: SizeArg;
  readonly padding: SizeArg;
  readonly dilation: SizeArg;
  readonly returnIndices: R;
  readonly ceilMode: boolean;
  protected abstract readonly pool: MaxPoolFn;

  constructor(kernelSize: SizeArg, options: MaxPoolOptions<R> = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.returnIndices = (options.returnIndices ?? false) as R;
    this.ceilMode = options.ceilMode ?? false;
  }

  override forward(x: Tensor): PoolResult<R> {
    const [values, indices] = this.pool(x, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode, true);
    return (this.returnIndices ? [values, indices] : values) as PoolResult<R>;
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}, ` +
      `dilation=${pyIntOrTuple(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** 1-D max pooling over [N, C, L] (torch.nn.MaxPool1d). */
export class MaxPool1d<R extends boolean = false> extends MaxPool<R> {
  protected readonly pool: MaxPoolFn = maxPool1d;
}

/**
 * 2-D max pooling over [N, C, H, W] (torch.nn.MaxPool2d).
 *
 * ```ts
 * new MaxPool2d(2).forward(randn([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 * const [values, indices] = new MaxPool2d(2, { returnIndices: true }).forward(x);
 * ```
 */
export class MaxPool2d<R extends boolean = false> extends MaxPool<R> {
  protected readonly pool: MaxPoolFn = maxPool2d;
}

/** 3-D max pooling over [N, C, D, H, W] (torch.nn.MaxPool3d). */
export class MaxPool3d<R extends boolean = false> extends MaxPool<R> {
  protected readonly pool: MaxPoolFn = maxPool3d;
}

export interface AvgPoolOptions {
  /** Default: the kernel size. */
  stride?: SizeArg | null;
  padding?: SizeArg;
  ceilMode?: boolean;
  /** Count padded positions in each window's divisor (default true). */
  countIncludePad?: boolean;
}

export interface AvgPool2dOptions extends AvgPoolOptions {
  /** A divisor for every window instead of its size (2-D and 3-D only). */
  divisorOverride?: number | null;
}

/** PyTorch's _AvgPoolNd. */
abstract class AvgPool extends Module {
  readonly kernelSize: SizeArg;
  readonly stride: SizeArg;
  readonly padding: SizeArg;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: SizeArg, options: AvgPoolOptions) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}`;
  }
}

/** 1-D average pooling over [N, C, L] (torch.nn.AvgPool1d). */
export class AvgPool1d extends AvgPool {
  constructor(kernelSize: SizeArg, options: AvgPoolOptions = {}) {
    super(kernelSize, options);
  }

  override forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad);
  }

  /** AvgPool1d keeps its sizes as 1-tuples (PyTorch's _single), and prints them so. */
  override extraRepr(): string {
    const single = (v: SizeArg) => pyTuple(typeof v === "number" ? [v] : v);
    return `kernel_size=${single(this.kernelSize)}, stride=${single(this.stride)}, padding=${single(this.padding)}`;
  }
}

/** Average pooling with an optional divisor override (2-D and 3-D). */
abstract class AvgPoolWithDivisor extends AvgPool {
  readonly divisorOverride: number | null;
  protected abstract readonly pool: typeof avgPool2d;

  constructor(kernelSize: SizeArg, options: AvgPool2dOptions = {}) {
    super(kernelSize, options);
    this.divisorOverride = options.divisorOverride ?? null;
  }

  override forward(x: Tensor): Tensor {
    return this.pool(x, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
}

/**
 * 2-D average pooling over [N, C, H, W] (torch.nn.AvgPool2d).
 *
 * ```ts
 * new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }).forward(randn([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 * ```
 */
export class AvgPool2d extends AvgPoolWithDivisor {
  protected readonly pool = avgPool2d;
}

/** 3-D average pooling over [N, C, D, H, W] (torch.nn.AvgPool3d). */
export class AvgPool3d extends AvgPoolWithDivisor {
  protected readonly pool = avgPool3d;
}

function adaptiveRepr(size: AdaptiveSize): string {
  if (typeof size === "number") return String(size);
  const items = size.map((v) => (v === null ? "None" : String(v)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

/** PyTorch's _AdaptiveAvgPoolNd. */
abstract class AdaptiveAvgPool extends Module {
  protected abstract readonly pool: (x: Tensor, size: AdaptiveSize) => Tensor;

  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return this.pool(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${adaptiveRepr(this.outputSize)}`;
  }
}

/** Adaptive 1-D average pooling to `outputSize` positions (torch.nn.AdaptiveAvgPool1d). */
export class AdaptiveAvgPool1d extends AdaptiveAvgPool {
  protected readonly pool = adaptiveAvgPool1d;
}

/**
 * Adaptive 2-D average pooling (torch.nn.AdaptiveAvgPool2d); an int for both sides, null
 * to keep a side's size.
 *
 * ```ts
 * new AdaptiveAvgPool2d(1).forward(randn([2, 512, 7, 7])).shape; // [2, 512, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends AdaptiveAvgPool {
  protected readonly pool = adaptiveAvgPool2d;
}

/** Adaptive 3-D average pooling (torch.nn.AdaptiveAvgPool3d). */
export class AdaptiveAvgPool3d extends AdaptiveAvgPool {
  protected readonly pool = adaptiveAvgPool3d;
}

type AdaptiveMaxFn = (x: Tensor, size: AdaptiveSize, indices: true) => [Tensor, Tensor];

/** PyTorch's _AdaptiveMaxPoolNd. */
abstract class AdaptiveMaxPool<R extends boolean> extends Module {
  readonly returnIndices: R;
  protected abstract readonly pool: AdaptiveMaxFn;

  constructor(readonly outputSize: AdaptiveSize, options: { returnIndices?: R } = {}) {
    super();
    this.returnIndices = (options.returnIndices ?? false) as R;
  }

  override forward(x: Tensor): PoolResult<R> {
    const [values, indices] = this.pool(x, this.outputSize, true);
    return (this.returnIndices ? [values, indices] : values) as PoolResult<R>;
  }

  override extraRepr(): string {
    return `output_size=${adaptiveRepr(this.outputSize)}`;
  }
}

/** Adaptive 1-D max pooling (torch.nn.AdaptiveMaxPool1d). */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPool<R> {
  protected readonly pool: AdaptiveMaxFn = adaptiveMaxPool1d;
}

/** Adaptive 2-D max pooling (torch.nn.AdaptiveMaxPool2d). */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPool<R> {
  protected readonly pool: AdaptiveMaxFn = adaptiveMaxPool2d;
}

/** Adaptive 3-D max pooling (torch.nn.AdaptiveMaxPool3d). */
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPool<R> {
  protected readonly pool: AdaptiveMaxFn = adaptiveMaxPool3d;
}
