/**
 * TfIdfVectorizer: n-gram counts (with skips) of int64 or string rows against a pool of
 * n-grams, weighted TF / IDF / TFIDF — the trie walk of ONNX's reference implementation.
 */
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { HostTensor, type GraphValue } from "../../../graph/value.ts";
import { tensor } from "../../../ops/creation.ts";
import type { OpFamily } from "./table.ts";
import { intValues, invalid, tensorAt, type Inputs } from "./util.ts";

type Item = string | number;

/** A trie node: the n-gram id ending here (0: none) and the longer n-grams through it. */
interface Trie {
  id: number;
  next: Map<Item, Trie> | null;
}

function buildTrie(pool: Item[], counts: number[], minGram: number, maxGram: number): Trie {
  const root: Trie = { id: -10, next: new Map() };
  let id = 1;
  counts.forEach((start, i) => {
    const size = i + 1;
    const end = i + 1 < counts.length ? counts[i + 1]! : pool.length;
    const ngrams = Math.floor((end - start) / size);
    if (size < minGram || size > maxGram) {
      id += ngrams;
      return;
    }
    let at = start;
    for (let g = 0; g < ngrams; g++) {
      let node = root;
      for (let n = 1; n <= size && at < pool.length; n++, at++) {
        let child = node.next!.get(pool[at]!);
        if (!child) {
          child = { id: 0, next: null };
          node.next!.set(pool[at]!, child);
        }
        if (n === size) child.id = id++;
        else child.next ??= new Map();
        node = child;
      }
    }
  });
  return root;
}

function tfidf(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = inputs[0];
  const a = ctx.attrs;
  const items: Item[] = x instanceof HostTensor ? (x.data as string[]) : intValues(tensorAt(inputs, 0, ctx));
  const shape = (x as Tensor | HostTensor).shape;
  if (shape.length > 2) throw invalid(ctx, "input must be [C] or [B, C]");
  const rows = shape.length === 2 ? shape[0]! : 1;
  const width = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const minGram = a.int("min_gram_length", 1);
  const maxGram = a.int("max_gram_length", 1);
  const maxSkip = a.int("max_skip_count", 0);
  const indexes = a.ints("ngram_indexes", []);
  const weights = a.floats("weights", []);
  const mode = a.string("mode", "TF");
  const pool: Item[] = a.strings("pool_strings") ?? a.ints("pool_int64s", []);
  const trie = buildTrie(pool, a.ints("ngram_counts", []), minGram, maxGram);
  const outSize = indexes.reduce((m, v) => Math.max(m, v), -1) + 1;
  const freq = new Array<number>(rows * outSize).fill(0);
  for (let r = 0; r < rows; r++) {
    const row = items.slice(r * width, (r + 1) * width);
    let startSize = minGram;
    for (let skip = 1; skip <= maxSkip + 1; skip++) {
      for (let start = 0; start < row.length; start++) {
        if (start + skip * (startSize - 1) >= row.length) break;
        let node = trie;
        let size = 1;
        for (let at = start; node.next && node.next.size > 0 && size <= maxGram && at < row.length; at += skip, size++) {
          const hit = node.next.get(row[at]!);
          if (!hit) break;
          if (size >= startSize && hit.id !== 0) freq[r * outSize + indexes[hit.id - 1]!]!++;
          node = hit;
        }
      }
      if (startSize === 1) {
        startSize++;
        if (startSize > maxGram) break;
      }
    }
  }
  const out = freq.map((f, p) => {
    const w = weights[p % outSize];
    if (mode === "TF") return f;
    if (mode === "IDF") return weights.length ? (f > 0 ? w! : 0) : f > 0 ? 1 : 0;
    if (mode === "TFIDF") return weights.length ? w! * f : f;
    throw invalid(ctx, `unknown mode ${mode}`);
  });
  return [tensor(Float32Array.from(out), { shape: shape.length === 2 ? [rows, outSize] : [outSize] })];
}

export const tfidfOps: OpFamily = {
  TfIdfVectorizer: tfidf,
};
