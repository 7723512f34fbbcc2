/**
 * Recurrent layers: RNN (tanh or relu), LSTM (with optional projection) and GRU, as
 * `torch.nn.RNN`, `LSTM`, `GRU` in PyTorch 1.13 — the same parameter names and order
 * (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, [weight_hr_l0], then `_reverse`
 * for the backward direction, layer by layer), the same gate order, the same default
 * initialisation and the same output tuples, so PyTorch's state dicts load unchanged.
 *
 * ```ts
 * const lstm = new LSTM(10, 20, { numLayers: 2, batchFirst: true });
 * const [output, [hN, cN]] = lstm.forward(randn([3, 5, 10])); // output [3, 5, 20], hN and cN [2, 3, 20]
 * ```
 */
import type { DType } from "../../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape, shapesEqual } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { zeros } from "../../ops/creation.ts";
import { cat } from "../../ops/defs/shape.ts";
import { stack } from "../../ops/composite/shape.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { uniform_ } from "../init.ts";
import { dropout } from "../functional/dropout.ts";
import { unbind } from "../../ops/defs/shape.ts";
import { PackedSequence, layoutOf, packPadded, padPacked, type PackedLayout } from "../functional/rnn-packing.ts";
import { GATE_COUNT, runDirection, type CellWeights, type RNNMode } from "../functional/rnn.ts";

/** An input brought to time-major [T, B, I], with what is needed to give the output back. */
interface Prepared {
  readonly x: Tensor;
  readonly batched: boolean;
  readonly packed: PackedSequence | null;
  readonly layout: PackedLayout | null;
  /** Per step, bool [B, 1]: which sequences are still running (packed input only). */
  readonly valid: readonly Tensor[] | null;
}

export interface RNNOptions {
  /** Stacked layers, each reading the previous one's output (default 1). */
  numLayers?: number;
  /** Adds bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Inputs and outputs as [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Adds a backward direction; outputs concatenate both along the features (default false). */
  bidirectional?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: "float32" | "float64";
}

export interface ElmanRNNOptions extends RNNOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
}

export interface LSTMOptions extends RNNOptions {
  /** When > 0, h is projected to this size by weight_hr (default 0: no projection). */
  projSize?: number;
}

/**
 * Fills every parameter of `module` with U(−bound, bound) in registration order (PyTorch's
 * RNN reset_parameters) — so after the same `manualSeed`, a concord RNN starts from
 * PyTorch's weights.
 */
export function resetUniform(module: Module, bound: number): void {
  for (const p of module.parameters()) uniform_(p, -bound, bound);
}

export function checkPositiveInt(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new ValueError(`${what} must be a positive integer, got ${value}`);
}

/** The machinery the three recurrent layers share (PyTorch's `RNNBase`). */
export abstract class RNNBase extends Module {
  readonly mode: RNNMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** Parameter names in PyTorch's `_flat_weights_names` order. */
  readonly flatWeightsNames: readonly string[];

  protected constructor(mode: RNNMode, inputSize: number, hiddenSize: number, options: LSTMOptions) {
    super();
    checkPositiveInt(inputSize, "input_size");
    checkPositiveInt(hiddenSize, "hidden_size");
    const numLayers = options.numLayers ?? 1;
    checkPositiveInt(numLayers, "num_layers");
    const dropout = options.dropout ?? 0;
    if (!(dropout >= 0 && dropout <= 1))
      throw new ValueError(`dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${dropout}`);
    const projSize = options.projSize ?? 0;
    if (!Number.isInteger(projSize) || projSize < 0) throw new ValueError(`proj_size should be a positive integer or zero to disable projections, got ${projSize}`);
    if (projSize >= hiddenSize && projSize > 0) throw new ValueError(`proj_size has to be smaller than hidden_size, got ${projSize} and ${hiddenSize}`);
    if (projSize > 0 && mode !== "LSTM") throw new ValueError("proj_size argument is only supported for LSTM, not RNN or GRU");
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = dropout;
    this.bidirectional = options.bidirectional ?? false;
    this.projSize = projSize;

    const dtype: DType = options.dtype ?? "float32";
    const gates = GATE_COUNT[mode] * hiddenSize;
    const realHidden = projSize > 0 ? projSize : hiddenSize;
    const directions = this.bidirectional ? 2 : 1;
    const names: string[] = [];
    for (let layer = 0; layer < numLayers; layer++) {
      for (let dir = 0; dir < directions; dir++) {
        const layerInput = layer === 0 ? inputSize : realHidden * directions;
        const suffix = `_l${layer}${dir === 1 ? "_reverse" : ""}`;
        const shapes: [string, number[]][] = [[`weight_ih${suffix}`, [gates, layerInput]], [`weight_hh${suffix}`, [gates, realHidden]]];
        if (this.bias) shapes.push([`bias_ih${suffix}`, [gates]], [`bias_hh${suffix}`, [gates]]);
        if (projSize > 0) shapes.push([`weight_hr${suffix}`, [projSize, hiddenSize]]);
        for (const [name, shape] of shapes) {
          this.registerParameter(name, new Parameter(zeros(shape, { dtype })));
          names.push(name);
        }
      }
    }
    this.flatWeightsNames = names;
    this.resetParameters();
  }

  /** U(−1/√hidden_size, 1/√hidden_size) for every weight and bias, as PyTorch. */
  resetParameters(): void {
    resetUniform(this, 1 / Math.sqrt(this.hiddenSize));
  }

  /** The parameters per layer and direction, in PyTorch's `all_weights` order. */
  get allWeights(): Parameter[][] {
    const perGroup = this.flatWeightsNames.length / (this.numLayers * (this.bidirectional ? 2 : 1));
    const out: Parameter[][] = [];
    for (let i = 0; i < this.flatWeightsNames.length; i += perGroup)
      out.push(this.flatWeightsNames.slice(i, i + perGroup).map((n) => this.getParameter(n)));
    return out;
  }

  #weights(layer: number, reverse: boolean): CellWeights {
    const suffix = `_l${layer}${reverse ? "_reverse" : ""}`;
    const get = (name: string): Tensor => this.getParameter(name + suffix);
    return {
      wIh: get("weight_ih"),
      wHh: get("weight_hh"),
      bIh: this.bias ? get("bias_ih") : null,
      bHh: this.bias ? get("bias_hh") : null,
      wHr: this.projSize > 0 ? get("weight_hr") : null,
    };
  }

  protected get modeName(): string {
    return this.mode === "LSTM" ? "LSTM" : this.mode === "GRU" ? "GRU" : "RNN";
  }

  /**
   * Checks the input and brings it to [T, B, I]: a batched tensor (transposed when
   * batchFirst), an unbatched one (a batch of 1), or a PackedSequence (padded, with the
   * per-step masks of its lengths; see Note: packed layout).
   */
  protected prepare(input: Tensor | PackedSequence): Prepared {
    const dtype = this.getParameter(this.flatWeightsNames[0]!).dtype;
    const data = input instanceof PackedSequence ? input.data : input;
    if (input instanceof PackedSequence ? data.ndim !== 2 : data.ndim !== 2 && data.ndim !== 3)
      throw new ShapeError(`${this.modeName}: Expected input to be 2-D or 3-D but received ${data.ndim}-D tensor`);
    if (data.shape[data.ndim - 1] !== this.inputSize)
      throw new ShapeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${data.shape[data.ndim - 1]}`);
    if (data.dtype !== dtype) throw new DTypeError(`${this.modeName}: input must have the type ${dtype}, got type ${data.dtype}`);
    if (input instanceof PackedSequence) {
      const layout = layoutOf(input);
      return { x: padPacked(data, layout, 0), batched: true, packed: input, layout, valid: unbind(layout.valid, 0) };
    }
    const batched = data.ndim === 3;
    const x = !batched ? data.unsqueeze(1) : this.batchFirst ? data.transpose(0, 1) : data;
    return { x, batched, packed: null, layout: null, valid: null };
  }

  /**
   * A state given by the caller, brought to [L·D, B, size] (in sorted order for packed
   * input, as PyTorch's permute_hidden); or zeros. `which` names it in errors ("hidden",
   * "hidden[0]", "hidden[1]").
   */
  protected initialState(state: Tensor | null | undefined, p: Prepared, size: number, which: string): Tensor {
    const dtype = p.x.dtype;
    const expected = [this.numLayers * (this.bidirectional ? 2 : 1), p.x.shape[1]!, size];
    if (state === null || state === undefined) return zeros(expected, { dtype });
    if (!p.batched && state.ndim !== 2)
      throw new ShapeError(`For unbatched 2-D input, hx should also be 2-D but got ${state.ndim}-D tensor`);
    if (p.batched && state.ndim !== 3) throw new ShapeError(`For batched 3-D input, hx should also be 3-D but got ${state.ndim}-D tensor`);
    const s = p.batched ? state : state.unsqueeze(1);
    if (!shapesEqual(s.shape, expected))
      throw new ShapeError(`Expected ${which} size ${formatShape(expected)}, got ${formatShape(s.shape)}`);
    if (s.dtype !== dtype) throw new DTypeError(`${this.modeName}: ${which} must have the type ${dtype}, got type ${s.dtype}`);
    return p.packed?.sortedIndices ? s.indexSelect(1, p.packed.sortedIndices) : s;
  }

  /** A final state in the caller's batch order and rank. */
  protected finalState(state: Tensor, p: Prepared): Tensor {
    if (p.packed?.unsortedIndices) return state.indexSelect(1, p.packed.unsortedIndices);
    return p.batched ? state : state.squeeze(1);
  }

  /** The output in the caller's layout: a PackedSequence for packed input. */
  protected callerLayout(output: Tensor, p: Prepared): Tensor | PackedSequence {
    if (p.packed) return new PackedSequence(packPadded(output, p.layout!), p.packed.batchSizes, p.packed.sortedIndices, p.packed.unsortedIndices);
    if (!p.batched) return output.squeeze(1);
    return this.batchFirst ? output.transpose(0, 1) : output;
  }

  /**
   * Runs every layer and direction. `input` is [T, B, I] (time first); h0 (and c0) are
   * [L·D, B, ·]. Returns the last layer's outputs [T, B, D·H_out] and the stacked final states.
   */
  protected run(p: Prepared, h0: Tensor, c0: Tensor | null): { output: Tensor; h: Tensor; c: Tensor | null } {
    const directions = this.bidirectional ? 2 : 1;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let x = p.x;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let dir = 0; dir < directions; dir++) {
        const k = layer * directions + dir;
        const r = runDirection(this.mode, x, h0.select(0, k), c0 ? c0.select(0, k) : null, this.#weights(layer, dir === 1), dir === 1, p.valid);
        outs.push(r.output);
        hs.push(r.h);
        if (r.c) cs.push(r.c);
      }
      x = outs.length === 1 ? outs[0]! : cat(outs, -1);
      if (this.training && this.dropout > 0 && layer < this.numLayers - 1) x = dropout(x, this.dropout, true);
    }
    return { output: x, h: stack(hs, 0), c: c0 ? stack(cs, 0) : null };
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += ", batch_first=True";
    if (this.dropout !== 0) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ", bidirectional=True";
    return s;
  }
}

/** Shared forward of RNN and GRU: one hidden state. */
abstract class SingleStateRNN extends RNNBase {
  /**
   * input [T, B, I] ([B, T, I] with batchFirst, unbatched [T, I], or a PackedSequence);
   * hx [L·D, B, H] (unbatched [L·D, H]), zeros by default. Returns [output, h_n]: output
   * [T, B, D·H] (packed like the input for a PackedSequence).
   */
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const p = this.prepare(input);
    const h0 = this.initialState(hx, p, this.hiddenSize, "hidden");
    const { output, h } = this.run(p, h0, null);
    return [this.callerLayout(output, p), this.finalState(h, p)];
  }
}

/**
 * Elman RNN, h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) (or relu), as `torch.nn.RNN`.
 *
 * ```ts
 * const rnn = new RNN(4, 8, { nonlinearity: "relu" });
 * const [out, hN] = rnn.forward(randn([6, 2, 4])); // [6, 2, 8], [1, 2, 8]
 * ```
 */
export class RNN extends SingleStateRNN {
  readonly nonlinearity: "tanh" | "relu";

  constructor(inputSize: number, hiddenSize: number, options: ElmanRNNOptions = {}) {
    const nonlinearity = options.nonlinearity ?? "tanh";
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") throw new ValueError(`Unknown nonlinearity '${String(nonlinearity)}'. Select from 'tanh' or 'relu'.`);
    super(nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity !== "tanh" ? `, nonlinearity=${this.nonlinearity}` : "");
  }
}

/**
 * Gated recurrent unit, as `torch.nn.GRU` (gates [r, z, n]; see Note: RNN gate layout in
 * functional/rnn.ts).
 */
export class GRU extends SingleStateRNN {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super("GRU", inputSize, hiddenSize, options);
  }
}

/**
 * Long short-term memory, as `torch.nn.LSTM`: gates [i, f, g, o]; with `projSize` the
 * hidden state is projected by weight_hr to that size (the cell state keeps hiddenSize).
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super("LSTM", inputSize, hiddenSize, options);
  }

  /**
   * input as for RNN; hx = [h0, c0] with h0 [L·D, B, H_out] and c0 [L·D, B, H] (zeros by
   * default). Returns [output, [h_n, c_n]], output [T, B, D·H_out] (or packed).
   */
  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  override forward(input: PackedSequence, hx?: readonly [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(input: Tensor | PackedSequence, hx: readonly [Tensor, Tensor] | null = null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    const p = this.prepare(input);
    const realHidden = this.projSize > 0 ? this.projSize : this.hiddenSize;
    const h0 = this.initialState(hx?.[0], p, realHidden, "hidden[0]");
    const c0 = this.initialState(hx?.[1], p, this.hiddenSize, "hidden[1]");
    const { output, h, c } = this.run(p, h0, c0);
    return [this.callerLayout(output, p), [this.finalState(h, p), this.finalState(c!, p)]];
  }
}
