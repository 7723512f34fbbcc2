/**
 * Recurrent cells as functions (`torch._VF.rnn_tanh_cell`, `lstm_cell`, `gru_cell`) and the
 * per-direction loop the RNN modules run. Everything is written with ops, so it is
 * differentiable to any order and runs on every backend.
 *
 * Note: RNN gate layout. The weights hold the gates stacked along dim 0, in PyTorch's order:
 * LSTM [i, f, g, o] (input, forget, cell, output), GRU [r, z, n] (reset, update, new). The
 * GRU's new gate applies the reset gate after the hidden projection and its bias:
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), and h' = (1 − z) ⊙ n + z ⊙ h.
 *
 * Note: RNN input projection. A layer's input projections do not depend on the state, so
 * they are computed for the whole sequence in one matrix product before the loop (as ATen's
 * CPU path does with `pre_compute_input`); each step then adds only W_hh h. The projections
 * are split into steps with `unbind`, whose vjp is one stack: slicing each step with
 * `select` would make the backward scatter a full-size gradient per step. Each step's
 * gates are split the same way.
 */
import { ShapeError, ValueError } from "../../core/errors.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { stack } from "../../ops/composite/shape.ts";
import { unbind } from "../../ops/defs/shape.ts";
import { where } from "../../ops/defs/binary.ts";
import { linear } from "./linear.ts";

/** The recurrences the RNN modules implement (PyTorch's `mode` strings). */
export type RNNMode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

/** How many gates each mode stacks in its weights (see Note: RNN gate layout). */
export const GATE_COUNT: Record<RNNMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** One direction of one layer: weight_ih, weight_hh, the optional biases and LSTM's projection weight_hr. */
export interface CellWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  /** LSTM with proj_size: h = W_hr (o ⊙ tanh c). */
  wHr?: Tensor | null;
}

/** The gates stacked along the last dim, split with one unbind (see Note: RNN input projection). */
function gates(x: Tensor, count: number): Tensor[] {
  return unbind(x.unflatten(-1, [count, x.shape[x.ndim - 1]! / count]), -2);
}

/**
 * One step given the input's projection `gi` (W_ih x + b_ih): the new hidden state, and
 * for LSTM the new cell state.
 */
export function cellStep(mode: RNNMode, gi: Tensor, h: Tensor, c: Tensor | null, w: CellWeights): [Tensor, Tensor | null] {
  const gh = linear(h, w.wHh, w.bHh);
  switch (mode) {
    case "RNN_TANH":
      return [gh.add(gi).tanh(), null];
    case "RNN_RELU":
      return [gh.add(gi).relu(), null];
    case "LSTM": {
      const [i, f, g, o] = gates(gh.add(gi), 4) as [Tensor, Tensor, Tensor, Tensor];
      const cy = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
      const hy = o.sigmoid().mul(cy.tanh());
      return [w.wHr ? hy.matmul(w.wHr.t()) : hy, cy];
    }
    case "GRU": {
      const [ir, iz, inew] = gates(gi, 3) as [Tensor, Tensor, Tensor];
      const [hr, hz, hnew] = gates(gh, 3) as [Tensor, Tensor, Tensor];
      const r = ir.add(hr).sigmoid();
      const z = iz.add(hz).sigmoid();
      const n = inew.add(r.mul(hnew)).tanh();
      return [h.sub(n).mul(z).add(n), null];
    }
  }
}

function checkCellWeights(what: string, input: Tensor, h: Tensor, w: CellWeights, gates: number): void {
  if (w.wIh.ndim !== 2 || w.wHh.ndim !== 2 || w.wIh.shape[0] !== w.wHh.shape[0] || w.wHh.shape[0]! !== gates * w.wHh.shape[1]!)
    throw new ShapeError(`${what}: expected weight_ih [${gates}·H, I] and weight_hh [${gates}·H, H], got ${formatShape(w.wIh.shape)} and ${formatShape(w.wHh.shape)}`);
  if (input.ndim !== h.ndim || input.ndim > 2)
    throw new ShapeError(`${what}: expected input and hidden state of the same rank (1 or 2), got ${formatShape(input.shape)} and ${formatShape(h.shape)}`);
  if (input.shape[input.ndim - 1] !== w.wIh.shape[1])
    throw new ShapeError(`${what}: input has inconsistent input_size: got ${input.shape[input.ndim - 1]} expected ${w.wIh.shape[1]}`);
  if (h.shape[h.ndim - 1] !== w.wHh.shape[1])
    throw new ShapeError(`${what}: hidden state ${formatShape(h.shape)} does not match weight_hh ${formatShape(w.wHh.shape)}`);
  if (input.ndim > 1 && h.ndim > 1 && input.shape[0] !== h.shape[0])
    throw new ShapeError(`${what}: input has batch size ${input.shape[0]} but hidden state has ${h.shape[0]}`);
}

/** One step of an Elman cell: tanh(W_ih x + b_ih + W_hh h + b_hh) (`torch._VF.rnn_tanh_cell`). */
export function rnnTanhCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  const w = { wIh, wHh, bIh, bHh };
  checkCellWeights("rnn_tanh_cell", input, hx, w, 1);
  return cellStep("RNN_TANH", linear(input, wIh, bIh), hx, null, w)[0];
}

/** One step of an Elman cell with relu in place of tanh (`torch._VF.rnn_relu_cell`). */
export function rnnReluCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  const w = { wIh, wHh, bIh, bHh };
  checkCellWeights("rnn_relu_cell", input, hx, w, 1);
  return cellStep("RNN_RELU", linear(input, wIh, bIh), hx, null, w)[0];
}

/**
 * One LSTM step (`torch._VF.lstm_cell`): gates [i, f, g, o] = W_ih x + b_ih + W_hh h + b_hh,
 * c' = σ(f) c + σ(i) tanh(g), h' = σ(o) tanh(c'). Returns [h', c'].
 */
export function lstmCell(
  input: Tensor, hx: readonly [Tensor, Tensor], wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null,
): [Tensor, Tensor] {
  const w = { wIh, wHh, bIh, bHh };
  checkCellWeights("lstm_cell", input, hx[0], w, 4);
  const [h, c] = cellStep("LSTM", linear(input, wIh, bIh), hx[0], hx[1], w);
  return [h, c!];
}

/** One GRU step (`torch._VF.gru_cell`), gates [r, z, n] (see Note: RNN gate layout). */
export function gruCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  const w = { wIh, wHh, bIh, bHh };
  checkCellWeights("gru_cell", input, hx, w, 3);
  return cellStep("GRU", linear(input, wIh, bIh), hx, null, w)[0];
}

/**
 * Runs one direction of one layer over a [T, B, I] sequence from (h0, c0): the outputs
 * [T, B, H_out] in time order and the final states. `reverse` walks from the last step to
 * the first, as the backward direction of a bidirectional RNN does. With `valid` (per step,
 * bool [B, 1]) a sequence's state changes only at its valid steps, so each sequence ends
 * (or, reversed, starts) at its own length; outputs at other steps are meaningless.
 */
export function runDirection(
  mode: RNNMode, input: Tensor, h0: Tensor, c0: Tensor | null, w: CellWeights, reverse: boolean, valid: readonly Tensor[] | null = null,
): { output: Tensor; h: Tensor; c: Tensor | null } {
  const steps = input.shape[0]!;
  if (steps === 0) throw new ValueError("RNN: expected a sequence of length larger than 0");
  const gi = unbind(linear(input, w.wIh, w.bIh), 0); // see Note: RNN input projection
  const outputs: Tensor[] = new Array<Tensor>(steps);
  let h = h0;
  let c = c0;
  for (let k = 0; k < steps; k++) {
    const t = reverse ? steps - 1 - k : k;
    const [hNext, cNext] = cellStep(mode, gi[t]!, h, c, w);
    outputs[t] = hNext;
    const keep = valid?.[t];
    h = keep ? where(keep, hNext, h) : hNext;
    c = keep && cNext ? where(keep, cNext, c!) : cNext;
  }
  return { output: stack(outputs, 0), h, c };
}
