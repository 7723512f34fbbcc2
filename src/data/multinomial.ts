/**
 * `torch.multinomial` on CPU for one row of float64 weights, drawing from a Generator
 * exactly as PyTorch 1.13 does (aten/src/ATen/native/Distributions.cpp and
 * cpu/MultinomialKernel.cpp):
 *
 * - without replacement: q_i ~ Exp(1) as -log(1 - u_i) with u_i a 53-bit
 *   uniform double, then the indices of the largest w_i / q_i (argmax for one sample, topk
 *   for several — the Gumbel-max trick);
 * - with replacement: the cumulative sums of the weights divided by their total, the last
 *   one set to 1, and for each sample a uniform double located by binary search (the first
 *   bucket whose cumulative probability is >= u).
 */
import { ValueError } from "../core/errors.ts";
import { log } from "../core/glibc-math.ts";
import type { Generator } from "../core/random.ts";

/** A uniform double in [0, 1) from 53 bits, as `uniform_real_distribution<double>(0, 1)`. */
function uniformDouble(gen: Generator): number {
  const hi = gen.random();
  const lo = gen.random();
  return ((hi & 0x1fffff) * 4294967296 + lo) * 2 ** -53;
}

function checkWeights(weights: Float64Array): void {
  let sum = 0;
  for (const w of weights) {
    if (!(w >= 0) || w === Infinity) throw new ValueError("multinomial: probability tensor contains either inf, nan or element < 0");
    sum += w;
  }
  if (!(sum > 0)) throw new ValueError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
}

/** `numSamples` category indices drawn with probabilities proportional to `weights`. */
export function multinomial(weights: Float64Array, numSamples: number, replacement: boolean, gen: Generator): number[] {
  const n = weights.length;
  if (n === 0) throw new ValueError("multinomial: the weights must not be empty");
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new ValueError(`multinomial: cannot sample ${numSamples} samples`);
  if (!replacement && numSamples > n)
    throw new ValueError(`multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement (${numSamples} > ${n})`);
  checkWeights(weights);
  if (!replacement) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = weights[i]! / -log(1 - uniformDouble(gen));
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => keys[b]! - keys[a]! || a - b);
    return order.slice(0, numSamples);
  }
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cumulative[i] = sum += weights[i]!;
  for (let i = 0; i < n; i++) cumulative[i]! /= sum;
  cumulative[n - 1] = 1;
  const out: number[] = [];
  for (let s = 0; s < numSamples; s++) {
    const u = uniformDouble(gen);
    let left = 0;
    let right = n;
    while (right - left > 0) {
      const mid = left + ((right - left) >> 1);
      if (cumulative[mid]! < u) left = mid + 1;
      else right = mid;
    }
    out.push(left);
  }
  return out;
}
