/**
 * The ai.onnx.preview.training domain: Adagrad, Adam and Momentum updates (one or several
 * tensors per node) and Gradient, which recomputes the graph from its `xs` with tensors
 * that require grad and differentiates `y` with concord's autograd.
 */
import { Tensor } from "../../../core/tensor.ts";
import { grad } from "../../../autograd/backward.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import type { GraphValue } from "../../../graph/value.ts";
import { detach } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { invalid, numberValues, tensorAt, type Inputs } from "./util.ts";

const DOMAIN = "ai.onnx.preview.training";

/** Inputs R, T, then `groups` lists of n tensors each; calls `update` per tensor and regroups the outputs. */
function perTensor(inputs: Inputs, ctx: OpContext, groups: number, update: (r: number, t: number, xs: Tensor[]) => Tensor[]): Tensor[] {
  const r = numberValues(tensorAt(inputs, 0, ctx))[0]!;
  const t = numberValues(tensorAt(inputs, 1, ctx))[0]!;
  const n = (inputs.length - 2) / groups;
  if (!Number.isInteger(n)) throw invalid(ctx, `expected 2 + ${groups}·n inputs, got ${inputs.length}`);
  const results = Array.from({ length: n }, (_, i) => update(r, t, Array.from({ length: groups }, (_, g) => tensorAt(inputs, 2 + g * n + i, ctx))));
  return Array.from({ length: results[0]?.length ?? 0 }, (_, k) => results.map((res) => res[k]!)).flat();
}

function adagrad(inputs: Inputs, ctx: OpContext): Tensor[] {
  const decay = ctx.attrs.float("decay_factor", 0);
  const eps = ctx.attrs.float("epsilon", 0);
  const norm = ctx.attrs.float("norm_coefficient", 0);
  return perTensor(inputs, ctx, 3, (r, t, [x, g, h]) => {
    const rate = r / (1 + t * decay);
    const gr = x!.mul(norm).add(g!);
    const hNew = h!.add(gr.mul(gr));
    return [x!.sub(gr.div(hNew.sqrt().add(eps)).mul(rate)), hNew];
  });
}

function adam(inputs: Inputs, ctx: OpContext): Tensor[] {
  const alpha = ctx.attrs.float("alpha", 0.9);
  const beta = ctx.attrs.float("beta", 0.999);
  const eps = ctx.attrs.float("epsilon", 0);
  const norm = ctx.attrs.float("norm_coefficient", 0);
  const post = ctx.attrs.float("norm_coefficient_post", 0);
  return perTensor(inputs, ctx, 4, (r, t, [x, g, v, h]) => {
    const gr = x!.mul(norm).add(g!);
    const vNew = v!.mul(alpha).add(gr.mul(1 - alpha));
    const hNew = h!.mul(beta).add(gr.mul(gr).mul(1 - beta));
    const rate = t > 0 ? (r * Math.sqrt(1 - beta ** t)) / (1 - alpha ** t) : r;
    const xNew = x!.sub(vNew.div(hNew.sqrt().add(eps)).mul(rate)).mul(1 - post);
    return [xNew, vNew, hNew];
  });
}

function momentum(inputs: Inputs, ctx: OpContext): Tensor[] {
  const alpha = ctx.attrs.float("alpha", 0);
  const beta = ctx.attrs.float("beta", 0);
  const norm = ctx.attrs.float("norm_coefficient", 0);
  const nesterov = ctx.attrs.string("mode", "standard") === "nesterov";
  return perTensor(inputs, ctx, 3, (r, t, [x, g, v]) => {
    const gr = x!.mul(norm).add(g!);
    const vNew = v!.mul(alpha).add(gr.mul(t > 0 ? beta : 1));
    const step = nesterov ? gr.add(vNew.mul(alpha)) : vNew;
    return [x!.sub(step.mul(r)), vNew];
  });
}

function gradient(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const xs = ctx.attrs.strings("xs") ?? [];
  const y = ctx.attrs.string("y");
  if (!y) throw invalid(ctx, "needs the y attribute");
  const leaves = xs.map((_, i) => {
    const leaf = detach(tensorAt(inputs, i, ctx)).clone();
    leaf.requiresGrad = true;
    return leaf;
  });
  const [out] = ctx.recompute([y], new Map(xs.map((name, i) => [name, leaves[i]!])));
  if (!(out instanceof Tensor)) throw invalid(ctx, `${y} is not a tensor`);
  return grad(out, leaves, { allowUnused: true }).map((g, i) => g ?? leaves[i]!.mul(0));
}

export const trainingOps: OpFamily = {
  [`${DOMAIN}/Adagrad`]: adagrad,
  [`${DOMAIN}/Adam`]: adam,
  [`${DOMAIN}/Momentum`]: momentum,
  [`${DOMAIN}/Gradient`]: gradient,
};
