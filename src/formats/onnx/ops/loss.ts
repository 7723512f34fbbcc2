/**
 * Losses: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (weights, ignore_index,
 * reductions none/sum/mean, the mean weighted by the weights of the counted targets).
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { logSoftmax } from "../../../ops/defs/softmax.ts";
import { gather } from "../../../ops/defs/indexing.ts";
import { sum } from "../../../ops/defs/reduce.ts";
import * as b from "../../../ops/defs/binary.ts";
import { indexSelect } from "../../../ops/defs/indexing.ts";
import { reshape, to } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { invalid, optionalTensorAt, tensorAt, type Inputs } from "./util.ts";

/** -input[n, target[n, ...], ...] · weight[target], with ignored targets contributing 0. */
function nll(input: Tensor, target: Tensor, weight: Tensor | undefined, ctx: OpContext): Tensor {
  const ignore = ctx.attrs.int("ignore_index");
  const reduction = ctx.attrs.string("reduction", "mean");
  const t = to(target, "int64");
  const ignored = ignore === undefined ? null : b.eq(t, ignore);
  const safe = ignored ? b.where(ignored, 0, t) : t;
  const picked = gather(input, 1, safe.unsqueeze(1)).squeeze(1).neg();
  let w = weight ? reshape(indexSelect(weight, 0, reshape(safe, [safe.size])), safe.shape) : picked.mul(0).add(1);
  if (ignored) w = b.where(ignored, 0, w);
  const loss = picked.mul(w);
  if (reduction === "none") return loss;
  if (reduction === "sum") return sum(loss);
  if (reduction === "mean") return sum(loss).div(sum(w));
  throw invalid(ctx, `unknown reduction ${reduction}`);
}

function nllLoss(inputs: Inputs, ctx: OpContext): Tensor[] {
  return [nll(tensorAt(inputs, 0, ctx), tensorAt(inputs, 1, ctx), optionalTensorAt(inputs, 2, ctx), ctx)];
}

function softmaxCrossEntropy(inputs: Inputs, ctx: OpContext): Tensor[] {
  const scores = tensorAt(inputs, 0, ctx);
  const logProb = logSoftmax(scores, 1);
  return [nll(logProb, tensorAt(inputs, 1, ctx), optionalTensorAt(inputs, 2, ctx), ctx), logProb];
}

export const lossOps: OpFamily = {
  NegativeLogLikelihoodLoss: nllLoss,
  SoftmaxCrossEntropyLoss: softmaxCrossEntropy,
};
