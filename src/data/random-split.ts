/** `torch.utils.data.random_split`: disjoint random subsets of given lengths or fractions. */
import { ValueError } from "../core/errors.ts";
import { defaultGenerator, randperm, type Generator } from "../core/random.ts";
import { Subset, type Dataset } from "./dataset.ts";

/** Python's math.isclose(a, b) with its default relative tolerance 1e-9. */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * The split lengths: integer lengths as given, or fractions that sum to 1 turned into
 * floor(n * f) each, with the remainder handed out one by one from the first split on.
 */
export function splitLengths(n: number, lengths: readonly number[]): number[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (isClose(total, 1) && total <= 1) {
    const sizes = lengths.map((f, i) => {
      if (!(f >= 0 && f <= 1)) throw new ValueError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * f);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]! += 1;
    return sizes;
  }
  lengths.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0) throw new ValueError(`random_split: length at index ${i} must be a non-negative integer, got ${l}`);
  });
  if (total !== n) throw new ValueError(`Sum of input lengths (${total}) does not equal the length of the input dataset (${n})!`);
  return [...lengths];
}

/**
 * Splits `dataset` into non-overlapping subsets with one `randperm` of its indices, as
 * PyTorch does — the same generator seed gives PyTorch's split.
 *
 * @example
 * const [train, val] = randomSplit(ds, [0.8, 0.2], new Generator(42));
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator: Generator = defaultGenerator): Subset<T>[] {
  const sizes = splitLengths(dataset.length, lengths);
  const total = sizes.reduce((a, b) => a + b, 0);
  const perm = Array.from(randperm(generator, total), Number);
  let offset = 0;
  return sizes.map((size) => new Subset(dataset, perm.slice(offset, (offset += size))));
}
