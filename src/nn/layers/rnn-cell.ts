/**
 * Single-step recurrent cells, as `torch.nn.RNNCell`, `LSTMCell` and `GRUCell`: parameters
 * weight_ih, weight_hh, bias_ih, bias_hh (PyTorch's names, order and U(−1/√H, 1/√H)
 * initialisation); inputs [B, I] or unbatched [I].
 *
 * ```ts
 * const cell = new LSTMCell(3, 5);
 * let [h, c] = cell.forward(randn([2, 3]));
 * [h, c] = cell.forward(randn([2, 3]), [h, c]);
 * ```
 */
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { zeros } from "../../ops/creation.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { GATE_COUNT, gruCell, lstmCell, rnnReluCell, rnnTanhCell, type RNNMode } from "../functional/rnn.ts";
import { checkPositiveInt, resetUniform } from "./rnn.ts";

export interface RNNCellOptions {
  /** Adds bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: "float32" | "float64";
}

/** The parameters and checks the cells share (PyTorch's `RNNCellBase`). */
abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  declare weightIh: Parameter;
  declare weightHh: Parameter;
  declare biasIh: Parameter | null;
  declare biasHh: Parameter | null;

  protected constructor(mode: RNNMode, inputSize: number, hiddenSize: number, options: RNNCellOptions) {
    super();
    checkPositiveInt(inputSize, "input_size");
    checkPositiveInt(hiddenSize, "hidden_size");
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = options.bias ?? true;
    const dtype = options.dtype ?? "float32";
    const gates = GATE_COUNT[mode] * hiddenSize;
    this.registerParameter("weight_ih", new Parameter(zeros([gates, inputSize], { dtype })));
    this.registerParameter("weight_hh", new Parameter(zeros([gates, hiddenSize], { dtype })));
    this.registerParameter("bias_ih", this.bias ? new Parameter(zeros([gates], { dtype })) : null);
    this.registerParameter("bias_hh", this.bias ? new Parameter(zeros([gates], { dtype })) : null);
    this.resetParameters();
  }

  resetParameters(): void {
    resetUniform(this, 1 / Math.sqrt(this.hiddenSize));
  }

  /** Checks input and state as PyTorch's cells do; returns whether the input is batched. */
  protected check(input: Tensor, states: readonly (Tensor | null | undefined)[]): boolean {
    const name = this.constructor.name;
    if (input.ndim !== 1 && input.ndim !== 2) throw new ShapeError(`${name}: Expected input to be 1-D or 2-D but received ${input.ndim}-D tensor`);
    if (input.shape[input.ndim - 1] !== this.inputSize)
      throw new ShapeError(`${name}: input has inconsistent input_size: got ${input.shape[input.ndim - 1]} expected ${this.inputSize}`);
    if (input.dtype !== this.weightIh.dtype) throw new DTypeError(`${name}: input must have the type ${this.weightIh.dtype}, got type ${input.dtype}`);
    const expected = input.ndim === 2 ? [input.shape[0]!, this.hiddenSize] : [this.hiddenSize];
    for (const s of states) {
      if (!s) continue;
      if (s.ndim !== expected.length || s.shape.some((d, i) => d !== expected[i]))
        throw new ShapeError(`${name}: expected hidden state ${formatShape(expected)}, got ${formatShape(s.shape)}`);
      if (s.dtype !== input.dtype) throw new DTypeError(`${name}: hidden state must have the type ${input.dtype}, got type ${s.dtype}`);
    }
    return input.ndim === 2;
  }

  /** A [B, H] state: the caller's (unsqueezed when unbatched) or zeros. */
  protected state(s: Tensor | null | undefined, input: Tensor): Tensor {
    if (s) return input.ndim === 1 ? s.unsqueeze(0) : s;
    return zeros([input.ndim === 2 ? input.shape[0]! : 1, this.hiddenSize], { dtype: input.dtype });
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? "" : ", bias=False"}`;
  }
}

/** h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu), as `torch.nn.RNNCell`. */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: "tanh" | "relu";

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    const nonlinearity = options.nonlinearity ?? "tanh";
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") throw new ValueError(`Unknown nonlinearity: ${String(nonlinearity)}`);
    super(nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  /** input [B, I] or [I]; hx [B, H] or [H] (zeros by default). Returns h' of hx's shape. */
  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const batched = this.check(input, [hx]);
    const x = batched ? input : input.unsqueeze(0);
    const cell = this.nonlinearity === "tanh" ? rnnTanhCell : rnnReluCell;
    const h = cell(x, this.state(hx, input), this.weightIh, this.weightHh, this.biasIh, this.biasHh);
    return batched ? h : h.squeeze(0);
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity !== "tanh" ? `, nonlinearity=${this.nonlinearity}` : "");
  }
}

/** One LSTM step, as `torch.nn.LSTMCell`; returns [h', c']. */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super("LSTM", inputSize, hiddenSize, options);
  }

  /** input [B, I] or [I]; hx = [h, c], each [B, H] or [H] (zeros by default). */
  override forward(input: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const batched = this.check(input, hx ?? []);
    const x = batched ? input : input.unsqueeze(0);
    const [h, c] = lstmCell(x, [this.state(hx?.[0], input), this.state(hx?.[1], input)], this.weightIh, this.weightHh, this.biasIh, this.biasHh);
    return batched ? [h, c] : [h.squeeze(0), c.squeeze(0)];
  }
}

/** One GRU step, as `torch.nn.GRUCell`. */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super("GRU", inputSize, hiddenSize, options);
  }

  /** input [B, I] or [I]; hx [B, H] or [H] (zeros by default). Returns h'. */
  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const batched = this.check(input, [hx]);
    const x = batched ? input : input.unsqueeze(0);
    const h = gruCell(x, this.state(hx, input), this.weightIh, this.weightHh, this.biasIh, this.biasHh);
    return batched ? h : h.squeeze(0);
  }
}
