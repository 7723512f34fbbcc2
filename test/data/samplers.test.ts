/** Splits, samplers and shuffled DataLoader orders against torch 1.13 (test/fixtures/data.json). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { arange, Generator, manualSeed, rand, type Tensor } from "../../src/index.ts";
import {
  BatchSampler, DataLoader, randomSplit, RandomSampler, SequentialSampler, SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
} from "../../src/data/index.ts";
import { loadFixture } from "../helpers/fixtures.ts";

interface Case {
  kind: string;
  [key: string]: unknown;
}
const cases = loadFixture<Case>("data").cases;
const ofKind = (k: string) => cases.filter((c) => c.kind === k);

async function epoch(loader: DataLoader<Tensor[], Tensor[]>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const [b] of loader) out.push(Array.from(b!.dataSync() as BigInt64Array, Number));
  return out;
}

describe("randomSplit", () => {
  test("equals torch.utils.data.random_split for the same generator seed", () => {
    for (const c of ofKind("split")) {
      const ds = new TensorDataset(arange(c.n as number));
      const parts = randomSplit(ds, c.lengths as number[], new Generator(c.seed as number));
      assert.deepEqual(parts.map((p) => [...p.indices]), c.parts, `n=${c.n} lengths=${JSON.stringify(c.lengths)}`);
    }
  });
  test("draws from the default generator when none is given", () => {
    const [c] = ofKind("split-default");
    manualSeed(c!.seed as number);
    const parts = randomSplit(new TensorDataset(arange(c!.n as number)), c!.lengths as number[]);
    assert.deepEqual(parts.map((p) => [...p.indices]), c!.parts);
  });
  test("subsets read the right rows", () => {
    const [a, b] = randomSplit(new TensorDataset(arange(10).mul(10)), [3, 7], new Generator(42));
    assert.deepEqual(a!.getItem(0)[0]!.item(), 20n); // parts[0][0] = 2
    assert.equal(b!.length, 7);
  });
  test("rejects lengths that do not add up, and bad fractions", () => {
    const ds = new TensorDataset(arange(10));
    assert.throws(() => randomSplit(ds, [3, 6]), /Sum of input lengths \(9\) does not equal the length of the input dataset \(10\)/);
    assert.throws(() => randomSplit(ds, [1.5, -0.5]), /Fraction at index 0 is not between 0 and 1/);
    assert.throws(() => randomSplit(ds, [2.5, 7.5]), /length at index 0 must be a non-negative integer/);
  });
});

describe("samplers", () => {
  test("RandomSampler with a generator: permutations, numSamples, replacement", () => {
    for (const c of ofKind("random")) {
      const s = new RandomSampler({ length: c.n as number }, {
        replacement: c.replacement as boolean,
        ...(c.numSamples === null ? {} : { numSamples: c.numSamples as number }),
        generator: new Generator(c.seed as number),
      });
      assert.deepEqual([[...s], [...s]], c.passes, JSON.stringify({ n: c.n, numSamples: c.numSamples, replacement: c.replacement }));
      assert.equal(s.length, (c.numSamples as number | null) ?? c.n);
    }
  });
  test("RandomSampler without a generator seeds a fresh one from the default generator each pass", () => {
    const [c] = ofKind("random-default");
    manualSeed(c!.seed as number);
    const s = new RandomSampler({ length: c!.n as number });
    assert.deepEqual([[...s], [...s]], c!.passes);
  });
  test("SubsetRandomSampler", () => {
    const [c] = ofKind("subset");
    const s = new SubsetRandomSampler(c!.indices as number[], new Generator(c!.seed as number));
    assert.deepEqual([[...s], [...s]], c!.passes);
  });
  test("WeightedRandomSampler follows torch.multinomial's draws (with and without replacement)", () => {
    const weighted = ofKind("weighted");
    assert.ok(weighted.length >= 20);
    for (const c of weighted) {
      const s = new WeightedRandomSampler(c.weights as number[], c.numSamples as number, c.replacement as boolean, new Generator(c.seed as number));
      assert.deepEqual([[...s], [...s]], c.passes, JSON.stringify({ w: c.weights, n: c.numSamples, r: c.replacement, seed: c.seed }));
    }
  });
  test("WeightedRandomSampler rejects bad weights", () => {
    assert.throws(() => [...new WeightedRandomSampler([1, -1], 2)], /inf, nan or element < 0/);
    assert.throws(() => [...new WeightedRandomSampler([0, 0], 2)], /sum of probabilities <= 0/);
    assert.throws(() => [...new WeightedRandomSampler([1, 2], 3, false)], /without replacement/);
    assert.throws(() => new WeightedRandomSampler([1, 2], 0), /num_samples should be a positive integer/);
  });
  test("SequentialSampler and BatchSampler", () => {
    const s = new SequentialSampler({ length: 7 });
    assert.deepEqual([...new BatchSampler(s, 3, false)], [[0, 1, 2], [3, 4, 5], [6]]);
    assert.deepEqual([...new BatchSampler(s, 3, true)], [[0, 1, 2], [3, 4, 5]]);
    assert.equal(new BatchSampler(s, 3, false).length, 3);
    assert.equal(new BatchSampler(s, 3, true).length, 2);
    assert.throws(() => new BatchSampler(s, 0, false), /batch_size should be a positive integer/);
  });
});

describe("DataLoader order", () => {
  test("shuffle with a seeded generator gives PyTorch's batches, epoch after epoch", async () => {
    for (const c of ofKind("loader")) {
      const loader = new DataLoader<Tensor[], Tensor[]>(new TensorDataset(arange(c.n as number)), {
        batchSize: c.batchSize as number,
        shuffle: true,
        dropLast: c.dropLast as boolean,
        generator: new Generator(BigInt(c.seed as number)),
      });
      const epochs = c.epochs as number[][][];
      assert.equal(loader.length, epochs[0]!.length);
      assert.deepEqual([await epoch(loader), await epoch(loader)], epochs, `seed ${c.seed}`);
    }
  });
  test("shuffle without a generator draws the base seed and the sampler seed from the default generator", async () => {
    const [c] = ofKind("loader-default");
    manualSeed(c!.seed as number);
    const loader = new DataLoader<Tensor[], Tensor[]>(new TensorDataset(arange(c!.n as number)), { batchSize: c!.batchSize as number, shuffle: true });
    assert.deepEqual([await epoch(loader), await epoch(loader)], c!.epochs);
    // The default generator is left where PyTorch leaves it.
    assert.deepEqual(rand([3], { dtype: "float64" }).toArray(), c!.after);
  });
  test("without shuffle: sequential batches; options that exclude each other are refused", async () => {
    const ds = new TensorDataset(arange(5), arange(5).mul(2));
    const batches: unknown[] = [];
    for await (const b of new DataLoader<Tensor[], Tensor[]>(ds, { batchSize: 2 })) batches.push(b.map((t) => t.toArray()));
    assert.deepEqual(batches, [[[0n, 1n], [0n, 2n]], [[2n, 3n], [4n, 6n]], [[4n], [8n]]]);
    assert.throws(() => new DataLoader(ds, { shuffle: true, sampler: new SequentialSampler(ds) }), /mutually exclusive with shuffle/);
    assert.throws(() => new DataLoader(ds, { batchSize: 2, batchSampler: [[0, 1]] }), /batchSampler option is mutually exclusive/);
    assert.throws(() => new DataLoader(ds, { numWorkers: -1 }), /non-negative integer/);
  });
  test("batchSampler and a custom collate", async () => {
    const ds = new TensorDataset(arange(6));
    const loader = new DataLoader<Tensor[], number[]>(ds, {
      batchSampler: [[5, 0], [2]],
      collate: (samples) => samples.map(([t]) => Number(t!.item())),
    });
    const out: number[][] = [];
    for await (const b of loader) out.push(b);
    assert.deepEqual(out, [[5, 0], [2]]);
  });
});
