/**
 * Attention (opset 23/24): 3-D inputs split into heads, past key/value caches, grouped
 * query heads, causal and explicit masks (bool or additive, padded to the key length),
 * nonpad_kv_seqlen, softcap, the qk_matmul_output modes and softmax_precision — as ONNX's
 * reference (onnx/reference/ops/op_attention.py) computes them.
 */
import type { DType } from "../../../core/dtype.ts";
import { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { arange, full, zeros } from "../../../ops/creation.ts";
import * as b from "../../../ops/defs/binary.ts";
import { matmul } from "../../../ops/defs/linalg.ts";
import { amax } from "../../../ops/defs/reduce.ts";
import { cat, pad } from "../../../ops/defs/shape.ts";
import { softmax } from "../../../ops/defs/softmax.ts";
import { permute, reshape, to, transpose } from "../../../ops/views.ts";
import { dtypeOfCode } from "./tensor.ts";
import type { OpFamily } from "./table.ts";
import { optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

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

export const attentionOps: OpFamily = {
  Attention: attention,
};
