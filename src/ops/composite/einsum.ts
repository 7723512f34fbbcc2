/**
 * einsum, written with views, sum, mul and matmul: it needs no kernel, and gradients and
 * export come from the ops it is made of. The plan follows PyTorch's (aten Linear.cpp):
 *
 * 1. Parse the equation: one term of letters per operand, each with at most one "...",
 *    and an output that is explicit ("->") or implicit (the "..." dims, then the letters
 *    that appear exactly once, in ASCII order, so uppercase before lowercase).
 * 2. Take the diagonal of each letter repeated within one operand ("ii->i").
 * 3. Align every operand to one layout — the output labels, then the summed ones — with
 *    size-1 dims for the labels it lacks, so operands broadcast against each other.
 * 4. Sum away labels that only one operand has and the output does not.
 * 5. Multiply the operands in from left to right; a label that no later operand and not
 *    the output needs is contracted by the pair's product, as one batched matmul.
 */
import { ShapeError, ValueError } from "../../core/errors.ts";
import { numel } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { mul } from "../defs/binary.ts";
import { matmul } from "../defs/linalg.ts";
import { sum } from "../defs/reduce.ts";

/** One operand's subscripts: letters, with the position of its "..." (or -1). */
interface Term {
  readonly letters: readonly string[];
  readonly ellipsis: number;
}

const isLetter = (ch: string) => /^[a-zA-Z]$/.test(ch);

/** Parses the term `text`, which starts at `start` in the equation (for messages). */
function parseTerm(text: string, start: number, what: string): Term {
  const letters: string[] = [];
  let ellipsis = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === " ") continue;
    if (ch === ".") {
      if (ellipsis >= 0) throw new ValueError(`einsum(): found '.' for ${what} for which an ellipsis was already found`);
      if (text.slice(i, i + 3) !== "...") throw new ValueError(`einsum(): found '.' for ${what} that is not part of any ellipsis`);
      ellipsis = letters.length;
      i += 2;
    } else if (isLetter(ch)) {
      letters.push(ch);
    } else {
      throw new ValueError(`einsum(): invalid subscript given at index ${start + i} in the equation string, subscripts must be in [a-zA-Z]`);
    }
  }
  return { letters, ellipsis };
}

/** The key of ellipsis dim `i` (counted from the left of the widest "..."): never a letter. */
const ellipsisKey = (i: number) => `...${i}`;

/** The labels of each dim of an operand: letters, and ellipsis keys right-aligned to `rank`. */
function labelsOf(term: Term, ndim: number, rank: number): string[] {
  const covered = ndim - term.letters.length;
  const dots = Array.from({ length: covered }, (_, j) => ellipsisKey(rank - covered + j));
  return term.ellipsis < 0 ? [...term.letters] : [...term.letters.slice(0, term.ellipsis), ...dots, ...term.letters.slice(term.ellipsis)];
}

/**
 * The diagonal over the dims `dims` (all of size n): those dims are moved last, flattened to
 * n^r elements and read with step 1 + n + … + n^(r−1), which lands on the entries whose r
 * indices agree. Made of permute, reshape and slice, so it is differentiable.
 */
function diagonal(x: Tensor, dims: readonly number[]): Tensor {
  const n = x.shape[dims[0]!]!;
  const rest = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const moved = x.permute([...rest, ...dims]);
  const flat = moved.reshape([...rest.map((i) => x.shape[i]!), n ** dims.length]);
  const step = n > 1 ? (n ** dims.length - 1) / (n - 1) : 1;
  return flat.slice(-1, 0, null, step);
}

/**
 * Product of `left` and `right` (aligned: same rank, size 1 where a label is missing)
 * summed over `summed` dims, as PyTorch's sumproduct_pair: the dims both share are the
 * batch of one matmul, the dims of one side only are its rows or columns. A summed dim
 * that only one side has (the other has size 1) is summed on that side first.
 */
function sumProductPair(left: Tensor, right: Tensor, summed: readonly number[]): Tensor {
  const batch: number[] = [];
  const rows: number[] = [];
  const cols: number[] = [];
  const contracted: number[] = [];
  for (let d = 0; d < left.ndim; d++) {
    const inLeft = left.shape[d] !== 1;
    const inRight = right.shape[d] !== 1;
    if (summed.includes(d)) {
      if (inLeft && inRight) contracted.push(d);
      else if (inLeft) left = sum(left, d, { keepdim: true });
      else if (inRight) right = sum(right, d, { keepdim: true });
    } else if (inLeft && inRight) batch.push(d);
    else if (inLeft) rows.push(d);
    else if (inRight) cols.push(d);
  }
  // Nothing left to contract: a broadcast product (which, like PyTorch's, promotes dtypes).
  if (contracted.length === 0) return mul(left, right);
  const used = new Set([...batch, ...rows, ...cols, ...contracted]);
  const others = left.shape.map((_, d) => d).filter((d) => !used.has(d));
  const size = (t: Tensor, dims: readonly number[]) => numel(dims.map((d) => t.shape[d]!));
  const a = left.permute([...batch, ...rows, ...contracted, ...cols, ...others]).reshape([size(left, batch), size(left, rows), size(left, contracted)]);
  const b = right.permute([...batch, ...contracted, ...cols, ...rows, ...others]).reshape([size(right, batch), size(right, contracted), size(right, cols)]);
  const product = matmul(a, b);
  // Back to the aligned layout: batch, rows, cols, then size 1 for everything else.
  const order = [...batch, ...rows, ...cols, ...contracted, ...others];
  const unfolded = product.reshape([
    ...batch.map((d) => left.shape[d]!),
    ...rows.map((d) => left.shape[d]!),
    ...cols.map((d) => right.shape[d]!),
    ...contracted.map(() => 1),
    ...others.map(() => 1),
  ]);
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return unfolded.permute(inverse);
}

/**
 * Einstein summation (`torch.einsum`): each operand's dims are named by letters; letters
 * missing from the output are summed over, the others index the result.
 *
 * - `"ij,jk->ik"` matrix product, `"bij,bjk->bik"` batched, `"i,j->ij"` outer product
 * - `"ii"` trace, `"ii->i"` diagonal, `"ij->ji"` transpose, `"ij->"` sum
 * - `"...ij,...jk"` with "..." standing for broadcast leading dims
 * - without "->", the output is the "..." dims then the letters used once, in ASCII order
 *
 * Dims of size 1 broadcast against the same letter's size elsewhere. Operands that are
 * contracted together must share a dtype (they meet in a matmul), as in PyTorch.
 *
 * ```ts
 * einsum("bn,anm,bm->ba", x, w, y); // bilinear form
 * ```
 */
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
  const tensors = operands.length === 1 && Array.isArray(operands[0]) ? [...(operands[0] as readonly Tensor[])] : (operands as Tensor[]);
  const { inputs, output } = parseEquation(equation, tensors.map((t) => t.ndim));
  const labeled = tensors.map((x, i) => takeDiagonals(x, inputs[i]!, i));
  const sizes = labelSizes(labeled);

  // Align: the output labels, then the summed ones, each operand with 1 where it lacks a label.
  const summedLabels = [...new Set(labeled.flatMap(({ labels }) => labels))].filter((l) => !output.includes(l));
  const layout = [...output, ...summedLabels];
  const aligned = labeled.map(({ x, labels }) => {
    const present = layout.filter((l) => labels.includes(l));
    const permuted = x.permute(present.map((l) => labels.indexOf(l)));
    return permuted.reshape(layout.map((l) => (labels.includes(l) ? x.shape[labels.indexOf(l)]! : 1)));
  });
  const has = (k: number, l: string) => labeled[k]!.labels.includes(l);

  // Labels that only one operand has and the output lacks are summed right away.
  const reduced = aligned.map((x, i) => {
    const only = summedLabels.filter((l) => has(i, l) && labeled.every((_, k) => k === i || !has(k, l)));
    const dims = only.map((l) => layout.indexOf(l)).filter((d) => x.shape[d] !== 1);
    return dims.length > 0 ? sum(x, dims, { keepdim: true }) : x;
  });

  let result = reduced[0]!;
  for (let i = 1; i < reduced.length; i++) {
    const operand = reduced[i]!;
    // Contract the summed labels no later operand has, where the pair has them (size > 1 on a side).
    const done = summedLabels.filter((l) => !labeled.some((_, k) => k > i && has(k, l)));
    const dims = done.map((l) => layout.indexOf(l)).filter((d) => result.shape[d] !== 1 || operand.shape[d] !== 1);
    result = sumProductPair(result, operand, dims);
  }
  return result.reshape(output.map((l) => sizes.get(l)!));
}

/**
 * The label of every dim of every operand, and the output's labels. Letters label
 * themselves; the dims under "..." get keys `...0`, `...1`, … right-aligned across operands,
 * so that they broadcast like the leading dims of elementwise ops.
 */
function parseEquation(equation: string, ndims: readonly number[]): { inputs: string[][]; output: string[] } {
  const arrow = equation.indexOf("->");
  const lhs = arrow < 0 ? equation : equation.slice(0, arrow);
  const texts = lhs.split(",");
  if (texts.length > ndims.length) throw new ValueError("einsum(): fewer operands were provided than specified in the equation");
  if (texts.length < ndims.length) throw new ValueError("einsum(): more operands were provided than specified in the equation");
  let at = 0;
  const terms = texts.map((text, i) => {
    const term = parseTerm(text, at, `operand ${i}`);
    at += text.length + 1;
    const ndim = ndims[i]!;
    if (term.ellipsis < 0 && term.letters.length !== ndim)
      throw new ShapeError(
        `einsum(): the number of subscripts in the equation (${term.letters.length}) does not match the number of dimensions (${ndim}) for operand ${i} and no ellipsis was given`,
      );
    if (term.letters.length > ndim)
      throw new ShapeError(
        `einsum(): the number of subscripts in the equation (${term.letters.length}) is more than the number of dimensions (${ndim}) for operand ${i}`,
      );
    return term;
  });
  const rank = Math.max(0, ...terms.map((t, i) => (t.ellipsis < 0 ? 0 : ndims[i]! - t.letters.length)));
  const dotKeys = Array.from({ length: rank }, (_, j) => ellipsisKey(j));
  const inputs = terms.map((t, i) => labelsOf(t, ndims[i]!, rank));

  const counts = new Map<string, number>();
  for (const t of terms) for (const l of t.letters) counts.set(l, (counts.get(l) ?? 0) + 1);
  if (arrow < 0) {
    const once = [...counts].filter(([, n]) => n === 1).map(([l]) => l).sort();
    return { inputs, output: [...dotKeys, ...once] };
  }
  const out = parseTerm(equation.slice(arrow + 2), arrow + 2, "the output");
  const seen = new Set<string>();
  for (const l of out.letters) {
    if (!counts.has(l)) throw new ValueError(`einsum(): output subscript ${l} does not appear in the equation for any input operand`);
    if (seen.has(l)) throw new ValueError(`einsum(): output subscript ${l} appears more than once in the output`);
    seen.add(l);
  }
  // Without "..." in an explicit output, the "..." dims are summed (as PyTorch does).
  const output = out.ellipsis < 0 ? [...out.letters] : [...out.letters.slice(0, out.ellipsis), ...dotKeys, ...out.letters.slice(out.ellipsis)];
  return { inputs, output };
}

/** Replaces the dims of each letter repeated in operand `i` by their diagonal (labeled last). */
function takeDiagonals(x: Tensor, labels: string[], i: number): { x: Tensor; labels: string[] } {
  for (const l of new Set(labels)) {
    const dims = labels.flatMap((m, d) => (m === l ? [d] : []));
    if (dims.length < 2) continue;
    const sizes = dims.map((d) => x.shape[d]!);
    const bad = sizes.find((s) => s !== sizes[0]);
    if (bad !== undefined)
      throw new ShapeError(`einsum(): subscript ${l} is repeated for operand ${i} but the sizes don't match, ${bad} != ${sizes[0]}`);
    x = diagonal(x, dims);
    labels = [...labels.filter((m) => m !== l), l];
  }
  return { x, labels };
}

/** One size per label: all operands agree, or have 1 (broadcast). */
function labelSizes(labeled: readonly { x: Tensor; labels: readonly string[] }[]): Map<string, number> {
  const sizes = new Map<string, number>();
  labeled.forEach(({ x, labels }, i) => {
    labels.forEach((l, d) => {
      const size = x.shape[d]!;
      const seen = sizes.get(l);
      if (seen === undefined || seen === 1) sizes.set(l, size);
      else if (size !== 1 && size !== seen) {
        const what = l.startsWith("...") ? `dimension ${Number(l.slice(3))} covered by ellipsis` : `subscript ${l}`;
        throw new ShapeError(`einsum(): ${what} has size ${size} for operand ${i} which does not broadcast with previously seen size ${seen}`);
      }
    });
  });
  return sizes;
}
