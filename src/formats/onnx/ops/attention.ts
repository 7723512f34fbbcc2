/**
 * Attention (opset 23/24): 3-D inputs split into heads, past key/value caches, grouped
 * query heads, causal and explicit masks (bool or additive, padded to the key length),
 * nonpad_kv_seqlen, softcap, the qk_matmul_output modes and softmax_precision — as ONNX's
 * reference (onnx/reference/ops/op_attention.py) computes them.
 */
import type { DType } from "../../../core/dtype.ts";
import { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import type { GraphValue } from "../../../graph/value.ts";
import { arange, full, zeros } from "../../../ops/creation.ts";
import * as b from "../../../ops/defs/binary.ts";
import { matmul } from "../../../ops/defs/linalg.ts";
import { amax } from "../../../ops/defs/reduce.ts";
import { cat, pad } from "../../../ops/defs/shape.ts";
import { softmax } from "../../../ops/defs/softmax.ts";
import { stack } from "../../../ops/composite/shape.ts";
import { permute, reshape, to, transpose } from "../../../ops/views.ts";
import { dtypeOfCode } from "./tensor.ts";
import type { OpFamily } from "./table.ts";
import { invalid, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

/** [B, L, heads·size] -> [B, heads, L, size]. */
function splitHeads(x: Tensor, heads: number): Tensor {
  return permute(reshape(x, [x.shape[0]!, x.shape[1]!, heads, -1]), [0, 2, 1, 3]);
}

/** 0 where allowed, -inf elsewhere, in `dtype`. */
function bias(allowed: Tensor, dtype: DType): Tensor {
  return b.where(allowed, full([], 0, { dtype }), full([], -Infinity, { dtype }));
}

/** Bottom-right aligned causal bias: query i sees key j iff j <= i + offset (offset per batch as [B, 1, 1, 1]). */
function causalBias(q: number, kv: number, offset: Tensor, dtype: DType): Tensor {
  const i = reshape(arange(q), [q, 1]);
  const j = reshape(arange(kv), [1, kv]);
  return bias(b.le(j, i.add(offset)), dtype);
}

function attention(inputs: Inputs, ctx: OpContext): Tensor[] {
  let q = tensorAt(inputs, 0, ctx);
  let k = tensorAt(inputs, 1, ctx);
  let v = tensorAt(inputs, 2, ctx);
  let mask = optionalTensorAt(inputs, 3, ctx);
  const pastKey = optionalTensorAt(inputs, 4, ctx);
  const pastValue = optionalTensorAt(inputs, 5, ctx);
  const nonpad = optionalTensorAt(inputs, 6, ctx);
  const dtype = q.dtype;
  const rank3 = q.ndim === 3;
  const a = ctx.attrs;
  if (rank3) {
    q = splitHeads(q, a.int("q_num_heads", 1));
    k = splitHeads(k, a.int("kv_num_heads", 1));
    v = splitHeads(v, a.int("kv_num_heads", 1));
  }
  const scale = Math.sqrt(a.float("scale", 1 / Math.sqrt(q.shape[3]!)));
  const presentKey = pastKey ? cat([pastKey, k], 2) : k;
  const presentValue = pastValue ? cat([pastValue, v], 2) : v;
  k = presentKey;
  v = presentValue;
  const [batch, qLen, kvLen] = [q.shape[0]!, q.shape[2]!, k.shape[2]!];

  if (mask && mask.shape[mask.ndim - 1]! < kvLen) {
    const width = kvLen - mask.shape[mask.ndim - 1]!;
    mask = mask.dtype === "bool" ? pad(mask.to("uint8"), [0, width], "constant", 0).to("bool") : pad(mask, [0, width], "constant", -Infinity);
  }
  let attnBias: Tensor = zeros([qLen, kvLen], { dtype });
  if (a.int("is_causal", 0) === 1) {
    const base = mask ? (mask.dtype === "bool" ? bias(mask, dtype) : mask) : attnBias;
    const offset = !pastKey && nonpad ? reshape(to(nonpad, "int64").sub(qLen), [batch, 1, 1, 1]) : full([], pastKey ? pastKey.shape[2]! : 0, { dtype: "int64" });
    attnBias = base.add(causalBias(qLen, kvLen, offset, dtype));
  } else if (mask) {
    attnBias = attnBias.add(mask.dtype === "bool" ? bias(mask, dtype) : mask);
  }
  if (nonpad) {
    const lens = reshape(to(nonpad, "int64"), [batch, 1, 1, 1]);
    attnBias = attnBias.add(bias(b.lt(reshape(arange(kvLen), [1, 1, 1, kvLen]), lens), dtype));
  }

  const qHeads = q.shape[1]!;
  const kvHeads = k.shape[1]!;
  if (qHeads !== kvHeads && qHeads % kvHeads === 0) {
    k = k.repeatInterleave(qHeads / kvHeads, 1);
    v = v.repeatInterleave(qHeads / kvHeads, 1);
  }
  let qk = matmul(q.mul(scale), transpose(k, 2, 3).mul(scale));
  const softcap = a.float("softcap", 0);
  if (softcap > 0) qk = qk.div(softcap).tanh().mul(softcap);
  const mode = a.int("qk_matmul_output_mode", 0);
  let qkOut = qk;
  let withBias = qk.add(attnBias);
  if (mode === 2) qkOut = withBias;
  const precision = a.int("softmax_precision");
  if (precision !== undefined) withBias = to(withBias, dtypeOfCode(precision, ctx));
  // Fully masked rows (every bias -inf) give zeros, not NaN.
  const rowMasked = b.eq(amax(attnBias, [-1], { keepdim: true }), -Infinity);
  let probs = softmax(withBias, -1);
  probs = b.where(rowMasked, full([], 0, { dtype: probs.dtype }), probs);
  if (mode === 3) qkOut = probs;
  let y = to(matmul(to(probs, dtype), v), dtype);
  if (rank3) y = reshape(permute(y, [0, 2, 1, 3]), [y.shape[0]!, y.shape[2]!, -1]);
  return [y, presentKey, presentValue, to(qkOut, dtype)];
}

/** RotaryEmbedding (opset 23): rotates the first rotary_embedding_dim features of each head by cos/sin caches. */
function rotaryEmbedding(inputs: Inputs, ctx: OpContext): Tensor[] {
  const input = tensorAt(inputs, 0, ctx);
  let cos = tensorAt(inputs, 1, ctx);
  let sin = tensorAt(inputs, 2, ctx);
  const positions = optionalTensorAt(inputs, 3, ctx);
  const interleaved = ctx.attrs.int("interleaved", 0) === 1;
  // [B, S, heads, size] whatever the input layout.
  let x = input.ndim === 4 ? permute(input, [0, 2, 1, 3]) : input;
  if (x.ndim === 3) x = reshape(x, [x.shape[0]!, x.shape[1]!, ctx.attrs.int("num_heads", 1), -1]);
  const head = x.shape[3]!;
  const dim = ctx.attrs.int("rotary_embedding_dim", 0) || head;
  const rotate = x.narrow(3, 0, dim);
  const keep = x.narrow(3, dim, head - dim);
  if (positions) {
    const flat = reshape(to(positions, "int64"), [positions.size]);
    cos = reshape(cos.indexSelect(0, flat), [...positions.shape, -1]);
    sin = reshape(sin.indexSelect(0, flat), [...positions.shape, -1]);
  }
  cos = cos.unsqueeze(2);
  sin = sin.unsqueeze(2);
  const half = dim / 2;
  const x1 = interleaved ? rotate.slice(3, 0, dim, 2) : rotate.narrow(3, 0, half);
  const x2 = interleaved ? rotate.slice(3, 1, dim, 2) : rotate.narrow(3, half, half);
  const real = cos.mul(x1).sub(sin.mul(x2));
  const imag = sin.mul(x1).add(cos.mul(x2));
  const rotated = interleaved ? reshape(stack([real, imag], -1), rotate.shape) : cat([real, imag], 3);
  const out = cat([rotated, keep], 3);
  return [input.ndim === 3 ? reshape(out, input.shape) : permute(out, [0, 2, 1, 3])];
}

/** LinearAttention (opset 27): a recurrent state S (d_k x d_v per head) updated per step by the linear, gated, delta or gated-delta rule. */
function linearAttention(inputs: Inputs, ctx: OpContext): Tensor[] {
  const [query, key, value] = [0, 1, 2].map((i) => tensorAt(inputs, i, ctx));
  const past = optionalTensorAt(inputs, 3, ctx);
  const decay = optionalTensorAt(inputs, 4, ctx);
  const beta = optionalTensorAt(inputs, 5, ctx);
  const rule = ctx.attrs.string("update_rule", "gated_delta");
  const qHeads = ctx.attrs.int("q_num_heads", 0);
  const kvHeads = ctx.attrs.int("kv_num_heads", 0);
  if (qHeads <= 0 || kvHeads <= 0 || qHeads % kvHeads !== 0) throw invalid(ctx, `q_num_heads ${qHeads} must be a positive multiple of kv_num_heads ${kvHeads}`);
  const gating = rule === "gated" || rule === "gated_delta";
  const delta = rule === "delta" || rule === "gated_delta";
  if (gating !== (decay !== undefined) || delta !== (beta !== undefined)) throw invalid(ctx, `update_rule ${rule} does not match the decay and beta inputs given`);
  const [b, t] = [query!.shape[0]!, query!.shape[1]!];
  const f32 = (x: Tensor) => to(x, "float32");
  const q = f32(splitHeads(query!, qHeads));
  const k = f32(splitHeads(key!, kvHeads));
  const v = f32(splitHeads(value!, kvHeads));
  const dk = q.shape[3]!;
  const dv = v.shape[3]!;
  const g = decay && f32(decay.shape[2] === kvHeads ? permute(reshape(decay, [b, t, kvHeads, 1]), [0, 2, 1, 3]) : splitHeads(decay, kvHeads));
  const bt = beta && f32(permute(reshape(beta, [b, t, beta.shape[2]!, 1]), [0, 2, 1, 3]));
  let state = past ? f32(past) : zeros([b, kvHeads, dk, dv], { dtype: "float32" });
  const scaleAttr = ctx.attrs.float("scale", 0);
  const scale = scaleAttr === 0 ? 1 / Math.sqrt(dk) : scaleAttr;
  const group = qHeads / kvHeads;
  const outs: Tensor[] = [];
  for (let i = 0; i < t; i++) {
    const kt = k.select(2, i);
    let vt = v.select(2, i);
    if (g) state = state.mul(g.select(2, i).exp().unsqueeze(-1));
    if (bt) {
      const retrieved = matmul(kt.unsqueeze(2), state).squeeze(2);
      vt = bt.select(2, i).mul(vt.sub(retrieved));
    }
    state = state.add(kt.unsqueeze(-1).mul(vt.unsqueeze(2)));
    const read = group === 1 ? state : state.repeatInterleave(group, 1);
    outs.push(matmul(q.select(2, i).unsqueeze(2), read).squeeze(2).mul(scale));
  }
  const out = stack(outs, 2);
  const y = reshape(permute(out, [0, 2, 1, 3]), [b, t, qHeads * dv]);
  return [to(y, query!.dtype), to(state, past ? past.dtype : query!.dtype)];
}

/** FlexAttention (ai.onnx.preview 1): attention with score_mod / prob_mod subgraphs applied to the scores and probabilities. */
function flexAttention(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const q = tensorAt(inputs, 0, ctx);
  let k = tensorAt(inputs, 1, ctx);
  let v = tensorAt(inputs, 2, ctx);
  const [qHeads, kvHeads] = [q.shape[1]!, k.shape[1]!];
  if (qHeads !== kvHeads) {
    if (qHeads % kvHeads !== 0) throw invalid(ctx, "q heads must be a multiple of kv heads");
    k = k.repeatInterleave(qHeads / kvHeads, 1);
    v = v.repeatInterleave(qHeads / kvHeads, 1);
  }
  const scale = Math.sqrt(Math.fround(ctx.attrs.float("scale", 1 / Math.sqrt(q.shape[3]!))));
  const precision = ctx.attrs.int("softmax_precision");
  const compute: DType = precision !== undefined ? dtypeOfCode(precision, ctx) : q.dtype === "float64" ? "float64" : "float32";
  let scores = to(matmul(q.mul(scale), transpose(k.mul(scale), -1, -2)), compute);
  const mod = (name: string, x: Tensor): Tensor => {
    const g = ctx.attrs.graph(name);
    if (!g) return x;
    const out = ctx.runSubgraph(g, [x])[0];
    if (!(out instanceof Tensor)) throw invalid(ctx, `${name} must produce a tensor`);
    return to(out, compute);
  };
  scores = mod("score_mod", scores);
  const probs = mod("prob_mod", softmax(scores, -1));
  return [to(matmul(probs, to(v, compute)), v.dtype)];
}

export const attentionOps: OpFamily = {
  "ai.onnx.preview/FlexAttention": flexAttention,
  LinearAttention: linearAttention,
  Attention: attention,
  RotaryEmbedding: rotaryEmbedding,
};
