/**
 * Convolution layers (torch.nn.Conv1d/2d/3d, ConvTranspose1d/2d/3d): weight [out, in/groups,
 * k...] ([in, out/groups, k...] when transposed) and bias [out], initialized as PyTorch's
 * _ConvNd.reset_parameters (kaiming_uniform(a = √5), then bias ~ U(±1/√fan_in)).
 * Convolutions pad with zeros unless `paddingMode` is "reflect", "replicate" or
 * "circular", which pad the input first (PyTorch's _conv_forward).
 */
import type { DType } from "../../core/dtype.ts";
import { ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { empty } from "../../ops/creation.ts";
import { conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, type ConvPadding, type SizeArg } from "../../ops/defs/conv.ts";
import { pad } from "../../ops/defs/shape.ts";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { pyTuple } from "./repr.ts";

export type ConvPaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface ConvOptions {
  stride?: SizeArg;
  /** Ints, or "valid" (none) or "same" (output size = input size; stride 1 only). Default 0. */
  padding?: ConvPadding;
  dilation?: SizeArg;
  groups?: number;
  bias?: boolean;
  paddingMode?: ConvPaddingMode;
  dtype?: DType;
}

export interface ConvTransposeOptions {
  stride?: SizeArg;
  padding?: SizeArg;
  /** Extra positions kept at the end of each output dim (less than stride or dilation). */
  outputPadding?: SizeArg;
  groups?: number;
  bias?: boolean;
  dilation?: SizeArg;
  dtype?: DType;
}

/** PyTorch's _single / _pair / _triple. */
function ntuple(name: string, value: SizeArg, nd: number): number[] {
  const list = typeof value === "number" ? new Array<number>(nd).fill(value) : [...value];
  if (list.length !== nd || !list.every(Number.isInteger)) throw new ValueError(`${name} must be an int or ${nd} ints, got [${list.join(", ")}]`);
  return list;
}

type ConvFn = (x: Tensor, w: Tensor, b: Tensor | null, stride: SizeArg, padding: ConvPadding, dilation: SizeArg, groups: number) => Tensor;
type ConvTransposeFn = (x: Tensor, w: Tensor, b: Tensor | null, stride: SizeArg, padding: SizeArg, outputPadding: SizeArg, groups: number, dilation: SizeArg) => Tensor;

/** What Conv and ConvTranspose share: PyTorch's _ConvNd. */
abstract class ConvNd extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: ConvPaddingMode;

  protected constructor(
    nd: number, transposed: boolean, inChannels: number, outChannels: number, kernelSize: SizeArg,
    options: { stride: SizeArg; padding: ConvPadding; dilation: SizeArg; outputPadding: SizeArg; groups: number; bias: boolean; paddingMode: ConvPaddingMode; dtype: DType },
  ) {
    super();
    const { groups, padding, paddingMode } = options;
    if (!Number.isInteger(groups) || groups <= 0) throw new ValueError("groups must be a positive integer");
    if (inChannels % groups !== 0) throw new ValueError("in_channels must be divisible by groups");
    if (outChannels % groups !== 0) throw new ValueError("out_channels must be divisible by groups");
    if (!["zeros", "reflect", "replicate", "circular"].includes(paddingMode))
      throw new ValueError(`padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${String(paddingMode)}'`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = ntuple("kernel_size", kernelSize, nd);
    this.stride = ntuple("stride", options.stride, nd);
    this.dilation = ntuple("dilation", options.dilation, nd);
    this.outputPadding = ntuple("output_padding", options.outputPadding, nd);
    this.groups = groups;
    this.paddingMode = paddingMode;
    if (typeof padding === "string") {
      if (padding !== "same" && padding !== "valid") throw new ValueError(`Invalid padding string '${String(padding)}', should be one of ['same', 'valid']`);
      if (padding === "same" && this.stride.some((s) => s !== 1)) throw new ValueError("padding='same' is not supported for strided convolutions");
      this.padding = padding;
    } else {
      this.padding = ntuple("padding", padding, nd);
    }
    const shape = transposed ? [inChannels, outChannels / groups, ...this.kernelSize] : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = new Parameter(empty(shape, { dtype: options.dtype }));
    this.bias = options.bias ? new Parameter(empty([outChannels], { dtype: options.dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        uniform_(this.bias, -bound, bound);
      }
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** A convolution over `nd` spatial dims (PyTorch's ConvNd forward with padding modes). */
abstract class Conv extends ConvNd {
  protected abstract readonly conv: ConvFn;

  protected constructor(nd: number, inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvOptions) {
    super(nd, false, inChannels, outChannels, kernelSize, {
      stride: options.stride ?? 1,
      padding: options.padding ?? 0,
      dilation: options.dilation ?? 1,
      outputPadding: 0,
      groups: options.groups ?? 1,
      bias: options.bias ?? true,
      paddingMode: options.paddingMode ?? "zeros",
      dtype: options.dtype ?? "float32",
    });
  }

  /** F.pad's list for the padding mode: last dim first, [begin, end] each. */
  #reversedPadding(): number[] {
    const out: number[] = [];
    for (let i = this.kernelSize.length - 1; i >= 0; i--) {
      if (this.padding === "valid") out.push(0, 0);
      else if (this.padding === "same") {
        const total = this.dilation[i]! * (this.kernelSize[i]! - 1);
        const left = Math.floor(total / 2);
        out.push(left, total - left);
      } else out.push(this.padding[i]!, this.padding[i]!);
    }
    return out;
  }

  override forward(x: Tensor): Tensor {
    if (this.paddingMode === "zeros") return this.conv(x, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
    const padded = pad(x, this.#reversedPadding(), this.paddingMode);
    return this.conv(padded, this.weight, this.bias, this.stride, 0, this.dilation, this.groups);
  }
}

/**
 * 1-D convolution over [N, C, L] (torch.nn.Conv1d).
 *
 * ```ts
 * new Conv1d(2, 4, 3, { padding: "same", paddingMode: "reflect" }).forward(randn([1, 2, 10])).shape; // [1, 4, 10]
 * ```
 */
export class Conv1d extends Conv {
  protected readonly conv: ConvFn = conv1d;
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, options);
  }
}

/**
 * 2-D convolution over [N, C, H, W] (torch.nn.Conv2d).
 *
 * ```ts
 * const conv = new Conv2d(1, 32, 3, { padding: 1 });
 * conv.forward(randn([8, 1, 28, 28])).shape; // [8, 32, 28, 28]
 * String(conv); // "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
 * ```
 */
export class Conv2d extends Conv {
  protected readonly conv: ConvFn = conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, options);
  }
}

/** 3-D convolution over [N, C, D, H, W] (torch.nn.Conv3d). */
export class Conv3d extends Conv {
  protected readonly conv: ConvFn = conv3d;
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, options);
  }
}

/** A transposed convolution over `nd` spatial dims; forward may ask for an exact output size. */
abstract class ConvTranspose extends ConvNd {
  protected abstract readonly convTranspose: ConvTransposeFn;

  protected constructor(nd: number, inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvTransposeOptions & { paddingMode?: string }) {
    if (options.paddingMode !== undefined && options.paddingMode !== "zeros")
      throw new ValueError(`Only "zeros" padding mode is supported for ConvTranspose${nd}d`);
    super(nd, true, inChannels, outChannels, kernelSize, {
      stride: options.stride ?? 1,
      padding: options.padding ?? 0,
      dilation: options.dilation ?? 1,
      outputPadding: options.outputPadding ?? 0,
      groups: options.groups ?? 1,
      bias: options.bias ?? true,
      paddingMode: "zeros",
      dtype: options.dtype ?? "float32",
    });
  }

  /** PyTorch's _output_padding: the output padding that gives `outputSize`, checked against the reachable range. */
  #outputPaddingFor(x: Tensor, outputSize: readonly number[] | null): number[] {
    if (outputSize === null) return this.outputPadding;
    const nd = this.kernelSize.length;
    const nonSpatial = x.ndim === nd + 2 ? 2 : 1;
    const size = outputSize.length === nonSpatial + nd ? outputSize.slice(nonSpatial) : [...outputSize];
    if (size.length !== nd)
      throw new ValueError(`ConvTranspose${nd}D: for ${x.ndim}D input, output_size must have ${nd} or ${nonSpatial + nd} elements (got ${outputSize.length})`);
    const padding = this.padding as number[];
    return size.map((want, d) => {
      const min = (x.shape[d + nonSpatial]! - 1) * this.stride[d]! - 2 * padding[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1;
      const max = min + this.stride[d]! - 1;
      if (want < min || want > max)
        throw new ValueError(`requested an output size of [${size.join(", ")}], but valid sizes range from ${min} to ${max} (for an input of [${x.shape.slice(nonSpatial).join(", ")}])`);
      return want - min;
    });
  }

  /** `outputSize` (spatial, or with the leading dims) picks the output padding, as PyTorch's forward(input, output_size). */
  override forward(x: Tensor, outputSize: readonly number[] | null = null): Tensor {
    const outputPadding = this.#outputPaddingFor(x, outputSize);
    return this.convTranspose(x, this.weight, this.bias, this.stride, this.padding as number[], outputPadding, this.groups, this.dilation);
  }
}

/** 1-D transposed convolution (torch.nn.ConvTranspose1d). */
export class ConvTranspose1d extends ConvTranspose {
  protected readonly convTranspose: ConvTransposeFn = convTranspose1d;
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvTransposeOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, options);
  }
}

/**
 * 2-D transposed convolution (torch.nn.ConvTranspose2d).
 *
 * ```ts
 * new ConvTranspose2d(8, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }).forward(randn([1, 8, 7, 7])).shape; // [1, 4, 14, 14]
 * ```
 */
export class ConvTranspose2d extends ConvTranspose {
  protected readonly convTranspose: ConvTransposeFn = convTranspose2d;
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvTransposeOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, options);
  }
}

/** 3-D transposed convolution (torch.nn.ConvTranspose3d). */
export class ConvTranspose3d extends ConvTranspose {
  protected readonly convTranspose: ConvTransposeFn = convTranspose3d;
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvTransposeOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, options);
  }
}
