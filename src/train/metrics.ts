/**
 * Classification metrics: functional forms over tensors and stateful accumulators that
 * the fit loop feeds batch by batch. Predictions are logits/probabilities [N, C] (the
 * class is their argmax) or class indices [N]; targets are class indices [N].
 */
import type { Tensor } from "../core/tensor.ts";
import { ShapeError, ValueError } from "../core/errors.ts";
import { noGrad } from "../autograd/grad-mode.ts";

export type Average = "macro" | "micro" | "weighted";

function toClasses(t: Tensor, what: string): number[] {
  if (t.ndim === 2) return toClasses(noGrad(() => t.argmax(1)), what);
  if (t.ndim !== 1) throw new ShapeError(`${what}: expected class indices [N] or scores [N, C], got ${t.ndim} dims`);
  return Array.from(t.dataSync() as ArrayLike<number | bigint>, Number);
}

/** Fraction of rows whose predicted class (argmax of scores, or the index itself) equals the target. */
export function accuracy(prediction: Tensor, target: Tensor): number {
  const p = toClasses(prediction, "accuracy");
  const t = toClasses(target, "accuracy");
  if (p.length !== t.length) throw new ShapeError(`accuracy: ${p.length} predictions for ${t.length} targets`);
  if (p.length === 0) return Number.NaN;
  let hit = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) hit++;
  return hit / p.length;
}

/** Fraction of rows whose target is among the k highest scores. */
export function topKAccuracy(scores: Tensor, target: Tensor, k: number): number {
  const { hits, count } = topKCounts(scores, target, k);
  return count === 0 ? Number.NaN : hits / count;
}

function topKCounts(scores: Tensor, target: Tensor, k: number): { hits: number; count: number } {
  if (scores.ndim !== 2) throw new ShapeError(`topKAccuracy: scores must be [N, C], got ${scores.ndim} dims`);
  const [n, c] = scores.shape as [number, number];
  if (!Number.isInteger(k) || k < 1 || k > c) throw new ValueError(`topKAccuracy: k must be in [1, ${c}], got ${k}`);
  const t = toClasses(target, "topKAccuracy");
  if (t.length !== n) throw new ShapeError(`topKAccuracy: ${n} rows of scores for ${t.length} targets`);
  const s = noGrad(() => scores.to("float64").contiguous()).dataSync() as Float64Array;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const own = s[i * c + t[i]!]!;
    // The target is in the top k when fewer than k classes score strictly higher (ties favour the lower index, as topk).
    let above = 0;
    for (let j = 0; j < c && above < k; j++) {
      const v = s[i * c + j]!;
      if (v > own || (v === own && j < t[i]!)) above++;
    }
    if (above < k) hits++;
  }
  return { hits, count: n };
}

/** Counts [target][predicted] for `numClasses` classes. */
export function confusionMatrix(prediction: Tensor, target: Tensor, numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  addToConfusion(m, toClasses(prediction, "confusionMatrix"), toClasses(target, "confusionMatrix"));
  return m;
}

function addToConfusion(m: number[][], p: number[], t: number[]): void {
  if (p.length !== t.length) throw new ShapeError(`confusionMatrix: ${p.length} predictions for ${t.length} targets`);
  const n = m.length;
  for (let i = 0; i < p.length; i++) {
    const a = t[i]!;
    const b = p[i]!;
    if (!(a >= 0 && a < n && b >= 0 && b < n)) throw new ValueError(`confusionMatrix: class ${a < 0 || a >= n ? a : b} outside [0, ${n})`);
    m[a]![b]!++;
  }
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Precision, recall and F1 from a confusion matrix, averaged as scikit-learn does:
 * macro (plain mean over classes), weighted (by support), micro (from pooled counts).
 * A class with no predicted (or no true) samples counts 0 for the undefined ratio.
 */
export function precisionRecallF1(matrix: number[][], average: Average = "macro"): ClassScores {
  const n = matrix.length;
  const tp: number[] = [];
  const predicted: number[] = new Array<number>(n).fill(0);
  const support: number[] = [];
  for (let i = 0; i < n; i++) {
    tp.push(matrix[i]![i]!);
    support.push(matrix[i]!.reduce((a, b) => a + b, 0));
    for (let j = 0; j < n; j++) predicted[j]! += matrix[i]![j]!;
  }
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const f1 = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
  if (average === "micro") {
    const sumTp = tp.reduce((a, b) => a + b, 0);
    const p = ratio(sumTp, predicted.reduce((a, b) => a + b, 0));
    const r = ratio(sumTp, support.reduce((a, b) => a + b, 0));
    return { precision: p, recall: r, f1: f1(p, r) };
  }
  const total = support.reduce((a, b) => a + b, 0);
  let P = 0;
  let R = 0;
  let F = 0;
  for (let i = 0; i < n; i++) {
    const p = ratio(tp[i]!, predicted[i]!);
    const r = ratio(tp[i]!, support[i]!);
    const w = average === "weighted" ? ratio(support[i]!, total) : 1 / n;
    P += w * p;
    R += w * r;
    F += w * f1(p, r);
  }
  return { precision: P, recall: R, f1: F };
}

/** A metric accumulated over batches: `update` per batch, `compute` at the end, `reset` per epoch. */
export interface Metric {
  /** The key it is logged under ("accuracy", "top5", "f1_macro", ...). */
  readonly name: string;
  update(prediction: Tensor, target: Tensor): void;
  compute(): number;
  reset(): void;
}

export class Accuracy implements Metric {
  readonly name = "accuracy";
  #hits = 0;
  #count = 0;
  update(prediction: Tensor, target: Tensor): void {
    const p = toClasses(prediction, "accuracy");
    const t = toClasses(target, "accuracy");
    if (p.length !== t.length) throw new ShapeError(`accuracy: ${p.length} predictions for ${t.length} targets`);
    for (let i = 0; i < p.length; i++) if (p[i] === t[i]) this.#hits++;
    this.#count += p.length;
  }
  compute(): number {
    return this.#count === 0 ? Number.NaN : this.#hits / this.#count;
  }
  reset(): void {
    this.#hits = 0;
    this.#count = 0;
  }
}

export class TopKAccuracy implements Metric {
  readonly name: string;
  #hits = 0;
  #count = 0;
  constructor(readonly k: number) {
    this.name = `top${k}`;
  }
  update(scores: Tensor, target: Tensor): void {
    const { hits, count } = topKCounts(scores, target, this.k);
    this.#hits += hits;
    this.#count += count;
  }
  compute(): number {
    return this.#count === 0 ? Number.NaN : this.#hits / this.#count;
  }
  reset(): void {
    this.#hits = 0;
    this.#count = 0;
  }
}

/** The running confusion matrix, and the class scores derived from it. */
export class ConfusionMatrix implements Metric {
  readonly name = "confusion";
  #m: number[][];
  constructor(readonly numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`numClasses must be a positive integer, got ${numClasses}`);
    this.#m = this.#empty();
  }
  #empty(): number[][] {
    return Array.from({ length: this.numClasses }, () => new Array<number>(this.numClasses).fill(0));
  }
  update(prediction: Tensor, target: Tensor): void {
    addToConfusion(this.#m, toClasses(prediction, "confusionMatrix"), toClasses(target, "confusionMatrix"));
  }
  /** Accuracy (the trace over the total), so it can sit among scalar metrics. */
  compute(): number {
    const total = this.#m.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
    return total === 0 ? Number.NaN : this.#m.reduce((a, row, i) => a + row[i]!, 0) / total;
  }
  matrix(): number[][] {
    return this.#m.map((row) => [...row]);
  }
  scores(average: Average = "macro"): ClassScores {
    return precisionRecallF1(this.#m, average);
  }
  reset(): void {
    this.#m = this.#empty();
  }
}

/** Precision, recall or F1 with an averaging rule, logged as e.g. "f1_macro". */
export class ClassificationScore implements Metric {
  readonly name: string;
  readonly #cm: ConfusionMatrix;
  constructor(readonly score: keyof ClassScores, numClasses: number, readonly average: Average = "macro") {
    this.name = `${score}_${average}`;
    this.#cm = new ConfusionMatrix(numClasses);
  }
  update(prediction: Tensor, target: Tensor): void {
    this.#cm.update(prediction, target);
  }
  compute(): number {
    return this.#cm.scores(this.average)[this.score];
  }
  reset(): void {
    this.#cm.reset();
  }
}

/** Renders a confusion matrix as aligned text, rows = true class, columns = predicted. */
export function formatConfusionMatrix(matrix: number[][], labels: string[] = matrix.map((_, i) => String(i))): string {
  const width = Math.max(4, ...matrix.flat().map((v) => String(v).length), ...labels.map((l) => l.length)) + 1;
  const pad = (s: string): string => s.padStart(width);
  const head = `${"true\\pred".padEnd(10)}${labels.map(pad).join("")}`;
  const rows = matrix.map((row, i) => `${labels[i]!.padEnd(10)}${row.map((v) => pad(String(v))).join("")}`);
  return [head, ...rows].join("\n");
}
