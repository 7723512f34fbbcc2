/**
 * Recurrent layers: RNN, GRU and LSTM (forward, reverse, bidirectional; layout 0 and 1;
 * sequence_lens; initial states; LSTM peepholes; clip; the activation lists), step by step
 * with concord ops so gradients flow through time.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { tensor, zeros } from "../../../ops/creation.ts";
import * as b from "../../../ops/defs/binary.ts";
import { clamp } from "../../../ops/defs/clamp.ts";
import { matmul } from "../../../ops/defs/linalg.ts";
import { stack } from "../../../ops/composite/shape.ts";
import { permute, reshape, transpose } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { intValues, invalid, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

type Act = (x: Tensor) => Tensor;

function activation(name: string, alpha: number | undefined, beta: number | undefined, ctx: OpContext): Act {
  switch (name.toLowerCase()) {
    case "sigmoid": return (x) => x.sigmoid();
    case "tanh": return (x) => x.tanh();
    case "relu": return (x) => x.relu();
    case "hardsigmoid": return (x) => clamp(x.mul(alpha ?? 0.2).add(beta ?? 0.5), 0, 1);
    case "affine": return (x) => x.mul(alpha ?? 1).add(beta ?? 0);
    case "leakyrelu": return (x) => b.where(b.lt(x, 0), x.mul(alpha ?? 0.01), x);
    case "thresholdedrelu": return (x) => b.where(b.gt(x, alpha ?? 1), x, x.mul(0));
    case "scaledtanh": return (x) => x.mul(beta ?? 1).tanh().mul(alpha ?? 1);
    case "elu": return (x) => b.where(b.lt(x, 0), x.expm1().mul(alpha ?? 1), x);
    case "softsign": return (x) => x.div(x.abs().add(1));
    case "softplus": return (x) => x.exp().add(1).log();
    default: throw invalid(ctx, `unknown activation ${name}`);
  }
}

/** The activations of each direction: `count` per direction, from the attribute or the defaults. */
function activations(ctx: OpContext, defaults: string[], directions: number): Act[][] {
  const names = ctx.attrs.strings("activations") ?? [];
  const alphas = ctx.attrs.floats("activation_alpha", []);
  const betas = ctx.attrs.floats("activation_beta", []);
  return Array.from({ length: directions }, (_, d) =>
    defaults.map((fallback, k) => {
      const i = d * defaults.length + k;
      return activation(names[i] ?? fallback, alphas[i], betas[i], ctx);
    }),
  );
}

interface Common {
  x: Tensor; // [seq, batch, input]
  w: Tensor;
  r: Tensor;
  bias: Tensor | undefined;
  lens: number[] | undefined;
  directions: number;
  hidden: number;
  layout: number;
  clip: number | undefined;
}

function common(inputs: Inputs, ctx: OpContext): Common {
  const layout = ctx.attrs.int("layout", 0);
  let x = tensorAt(inputs, 0, ctx);
  if (layout === 1) x = transpose(x, 0, 1);
  const w = tensorAt(inputs, 1, ctx);
  const direction = ctx.attrs.string("direction", "forward");
  const lens = optionalTensorAt(inputs, 4, ctx);
  return {
    x,
    w,
    r: tensorAt(inputs, 2, ctx),
    bias: optionalTensorAt(inputs, 3, ctx),
    lens: lens && intValues(lens),
    directions: direction === "bidirectional" ? 2 : 1,
    hidden: ctx.attrs.int("hidden_size", tensorAt(inputs, 2, ctx).shape[2]!),
    layout,
    clip: ctx.attrs.float("clip"),
  };
}

/** Initial state [dirs, batch, hidden] (given in the layout's order) or zeros. */
function initial(inputs: Inputs, i: number, c: Common, ctx: OpContext): Tensor {
  const t = optionalTensorAt(inputs, i, ctx);
  if (!t) return zeros([c.directions, c.x.shape[1]!, c.hidden], { dtype: c.x.dtype });
  return c.layout === 1 ? transpose(t, 0, 1) : t;
}

/**
 * Runs `step` over time for each direction. Steps past a batch entry's sequence length
 * keep its states and output zeros. Returns Y [seq, dirs, batch, hidden] and the final states.
 */
function scanTime(c: Common, ctx: OpContext, states0: Tensor[], step: (d: number, xt: Tensor, states: Tensor[]) => Tensor[]): { y: Tensor; finals: Tensor[] } {
  const [seq, batch] = [c.x.shape[0]!, c.x.shape[1]!];
  const direction = ctx.attrs.string("direction", "forward");
  const ys: Tensor[][] = [];
  const finals: Tensor[][] = [];
  for (let d = 0; d < c.directions; d++) {
    const reverse = direction === "reverse" || d === 1;
    let states = states0.map((s) => s.select(0, d));
    const out: Tensor[] = new Array<Tensor>(seq);
    for (let k = 0; k < seq; k++) {
      const t = reverse ? seq - 1 - k : k;
      const next = step(d, c.x.select(0, t), states);
      if (c.lens) {
        const active = reshape(tensor(Uint8Array.from({ length: batch }, (_, i) => (t < c.lens![i]! ? 1 : 0)), { dtype: "bool" }), [batch, 1]);
        states = next.map((s, j) => b.where(active, s, states[j]!));
        out[t] = b.where(active, next[0]!, next[0]!.mul(0));
      } else {
        states = next;
        out[t] = next[0]!;
      }
    }
    ys.push(out);
    finals.push(states);
  }
  const y = stack(ys.map((list) => stack(list, 0)), 1);
  return { y, finals: states0.map((_, j) => stack(finals.map((f) => f[j]!), 0)) };
}

/** x·Wᵀ + h·Rᵀ + biases for gate rows [g·hidden, (g+1)·hidden). */
function gate(c: Common, d: number, g: number, xt: Tensor, h: Tensor, gates: number): Tensor {
  const rows = (m: Tensor) => m.select(0, d).narrow(0, g * c.hidden, c.hidden);
  let y = matmul(xt, transpose(rows(c.w), 0, 1)).add(matmul(h, transpose(rows(c.r), 0, 1)));
  if (c.bias) {
    const bd = c.bias.select(0, d);
    y = y.add(bd.narrow(0, g * c.hidden, c.hidden)).add(bd.narrow(0, (gates + g) * c.hidden, c.hidden));
  }
  return c.clip === undefined ? y : clamp(y, -c.clip, c.clip);
}

/** Outputs in the node's layout: Y [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]), states [dirs, batch, hidden] ([batch, dirs, hidden]). */
function finish(c: Common, y: Tensor, finals: Tensor[]): Tensor[] {
  if (c.layout === 0) return [y, ...finals];
  return [permute(y, [2, 0, 1, 3]), ...finals.map((f) => transpose(f, 0, 1))];
}

function rnn(inputs: Inputs, ctx: OpContext): Tensor[] {
  const c = common(inputs, ctx);
  const acts = activations(ctx, ["Tanh"], c.directions);
  const { y, finals } = scanTime(c, ctx, [initial(inputs, 5, c, ctx)], (d, xt, [h]) => [acts[d]![0]!(gate(c, d, 0, xt, h!, 1))]);
  return finish(c, y, finals);
}

function gru(inputs: Inputs, ctx: OpContext): Tensor[] {
  const c = common(inputs, ctx);
  const acts = activations(ctx, ["Sigmoid", "Tanh"], c.directions);
  const linearBeforeReset = ctx.attrs.int("linear_before_reset", 0) === 1;
  const { y, finals } = scanTime(c, ctx, [initial(inputs, 5, c, ctx)], (d, xt, [h]) => {
    const [f, g] = acts[d] as [Act, Act];
    const z = f(gate(c, d, 0, xt, h!, 3));
    const r = f(gate(c, d, 1, xt, h!, 3));
    const rows = (m: Tensor) => m.select(0, d).narrow(0, 2 * c.hidden, c.hidden);
    const bd = c.bias?.select(0, d);
    const wb = bd ? bd.narrow(0, 2 * c.hidden, c.hidden) : null;
    const rb = bd ? bd.narrow(0, 5 * c.hidden, c.hidden) : null;
    let pre = matmul(xt, transpose(rows(c.w), 0, 1));
    if (wb) pre = pre.add(wb);
    let recurrent: Tensor;
    if (linearBeforeReset) {
      recurrent = matmul(h!, transpose(rows(c.r), 0, 1));
      if (rb) recurrent = recurrent.add(rb);
      recurrent = r.mul(recurrent);
    } else {
      recurrent = matmul(r.mul(h!), transpose(rows(c.r), 0, 1));
      if (rb) recurrent = recurrent.add(rb);
    }
    let candidate = pre.add(recurrent);
    if (c.clip !== undefined) candidate = clamp(candidate, -c.clip, c.clip);
    const hNew = z.neg().add(1).mul(g(candidate)).add(z.mul(h!));
    return [hNew];
  });
  return finish(c, y, finals);
}

function lstm(inputs: Inputs, ctx: OpContext): Tensor[] {
  const c = common(inputs, ctx);
  const acts = activations(ctx, ["Sigmoid", "Tanh", "Tanh"], c.directions);
  const peep = optionalTensorAt(inputs, 7, ctx);
  const inputForget = ctx.attrs.int("input_forget", 0) === 1;
  const { y, finals } = scanTime(c, ctx, [initial(inputs, 5, c, ctx), initial(inputs, 6, c, ctx)], (d, xt, [h, cell]) => {
    const [f, g, hAct] = acts[d] as [Act, Act, Act];
    const p = (k: number) => (peep ? peep.select(0, d).narrow(0, k * c.hidden, c.hidden) : null);
    const withPeep = (pre: Tensor, k: number, state: Tensor) => (p(k) ? pre.add(p(k)!.mul(state)) : pre);
    const i = f(withPeep(gate(c, d, 0, xt, h!, 4), 0, cell!));
    const forget = inputForget ? i.neg().add(1) : f(withPeep(gate(c, d, 2, xt, h!, 4), 2, cell!));
    const candidate = g(gate(c, d, 3, xt, h!, 4));
    const cNew = forget.mul(cell!).add(i.mul(candidate));
    const o = f(withPeep(gate(c, d, 1, xt, h!, 4), 1, cNew));
    return [o.mul(hAct(cNew)), cNew];
  });
  return finish(c, y, finals);
}

export const rnnOps: OpFamily = {
  RNN: rnn,
  GRU: gru,
  LSTM: lstm,
};
