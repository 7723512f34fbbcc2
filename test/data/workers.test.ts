/** DataLoader with worker threads: same batches as the main thread, in order, seeds like PyTorch, errors, clean exit. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { arange, Generator, getBackend, randn, setBackend, type Tensor } from "../../src/index.ts";
import { decodeValue, encodeValue } from "../../src/data/worker/messages.ts";
import { payloadToTensor, tensorToShared } from "../../src/data/worker/shared-tensor.ts";
import { ConcatDataset, DataLoader, MNIST, Subset, TensorDataset, WorkerError, type Dataset } from "../../src/data/index.ts";
import { Compose, Normalize, RandomCrop, RandomHorizontalFlip, ToTensor } from "../../src/data/transforms/index.ts";
import { ImageDataset } from "../../src/data/image-dataset.ts";
import { drawSeed } from "../../src/data/samplers.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { SHARED_DATA } from "./shared-data.ts";
import { SeedProbe } from "./worker-modules/seed-probe.ts";
import { Throwing } from "./worker-modules/throwing.ts";

async function collect<T>(loader: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of loader) out.push(b);
  return out;
}

const arrays = (batches: unknown[]) => JSON.stringify(batches, (_k, v) => (typeof v === "bigint" ? `${v}n` : v && typeof v === "object" && "toArray" in v ? (v as Tensor).toArray() : v));

describe("DataLoader workers", () => {
  test("TensorDataset, Subset and ConcatDataset: the same batches as numWorkers 0, in sampler order", async () => {
    const x = randn([50, 3]);
    const y = arange(50);
    const ds = new ConcatDataset([new Subset(new TensorDataset(x, y), [49, 3, 7, 8, 10, 20]), new TensorDataset(x, y)]);
    const options = { batchSize: 4, shuffle: true } as const;
    const main = await collect(new DataLoader<Tensor[], Tensor[]>(ds, { ...options, generator: new Generator(5) }));
    const workers = await collect(new DataLoader<Tensor[], Tensor[]>(ds, { ...options, generator: new Generator(5), numWorkers: 2, prefetchFactor: 3 }));
    assert.equal(workers.length, 14);
    assert.equal(workers[0]![0]!.dtype, "float32");
    assert.equal(arrays(workers), arrays(main));
  });

  test("MNIST with ToTensor + Normalize: worker batches equal main-thread batches", { skip: SHARED_DATA === null }, async () => {
    const mnist = new MNIST({ root: join(SHARED_DATA!, "mnist"), train: false, transform: new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])]) });
    const ds = new Subset(mnist, Array.from({ length: 300 }, (_, i) => i * 31));
    const main = await collect(new DataLoader<[Tensor, unknown], Tensor[]>(ds, { batchSize: 64 }));
    const workers = await collect(new DataLoader<[Tensor, unknown], Tensor[]>(ds, { batchSize: 64, numWorkers: 2 }));
    assert.deepEqual(workers.map(([img, lab]) => [img!.shape, img!.dtype, lab!.dtype]), main.map(([img, lab]) => [img!.shape, img!.dtype, lab!.dtype]));
    assert.deepEqual(workers[0]![0]!.shape, [64, 1, 28, 28]);
    for (let b = 0; b < main.length; b++) {
      assert.deepEqual(workers[b]![0]!.dataSync(), main[b]![0]!.dataSync());
      assert.deepEqual(workers[b]![1]!.toArray(), main[b]![1]!.toArray());
    }
  });

  test("worker w seeds its default generator with base_seed + w, and batches go round-robin, as in PyTorch", async () => {
    interface SeedCase {
      kind: string;
      seed: number;
      batches: { index: number[]; worker: number[]; seed: string[]; draw: number[] }[];
    }
    for (const c of loadFixture<SeedCase>("data").cases.filter((x) => x.kind === "worker-seeds")) {
      const loader = new DataLoader<unknown, Record<string, Tensor>>(new SeedProbe(8), { batchSize: 2, numWorkers: 2, generator: new Generator(c.seed) });
      const got = (await collect(loader)).map((b) => ({
        index: b.index!.toArray(),
        worker: b.worker!.toArray(),
        seed: (b.seed!.toArray() as bigint[]).map(String),
        draw: b.draw!.toArray(),
      }));
      const expected = c.batches.map((b) => ({ ...b, index: b.index.map(BigInt), worker: b.worker.map(BigInt) }));
      assert.deepEqual(got, expected);
    }
  });

  test("random transforms in workers draw from base_seed + worker id (a batch per worker, round-robin)", async () => {
    const images = arange(12 * 64).remainder(251).to("uint8").view([12, 8, 8]);
    const transformFor = (g?: Generator) =>
      new Compose([new RandomCrop(6, { padding: 1, ...(g ? { generator: g } : {}) }), new RandomHorizontalFlip(0.5, g)]);
    const ds = new ImageDataset(images, arange(12), { transform: transformFor() });
    const got = await collect(new DataLoader<[Tensor, unknown], Tensor[]>(ds, { batchSize: 3, numWorkers: 2, generator: new Generator(9) }));
    const base = drawSeed(new Generator(9));
    const perWorker = [transformFor(new Generator(base)), transformFor(new Generator(base + 1n))];
    assert.equal(got.length, 4);
    got.forEach(([x], k) => {
      const expected = [0, 1, 2].map((j) => perWorker[k % 2]!.forward(images.index(3 * k + j).unsqueeze(0)).toArray());
      assert.deepEqual(x!.toArray(), expected, `batch ${k}`);
    });
  });

  test("workerInit runs in each worker before its first batch", async () => {
    const loader = new DataLoader<unknown, Record<string, Tensor>>(new SeedProbe(4), {
      batchSize: 1,
      numWorkers: 2,
      workerInit: new URL("./worker-modules/init.ts", import.meta.url),
    });
    const seeds = (await collect(loader)).map((b) => b.seed!.item());
    assert.deepEqual(seeds, [1000n, 1001n, 1000n, 1001n]);
  });

  test("a worker's error rejects the iteration with its message, in order; the workers are then ended", async () => {
    const loader = new DataLoader(new Throwing(5), { batchSize: 2, numWorkers: 2 });
    const seen: unknown[] = [];
    await assert.rejects(
      async () => {
        for await (const b of loader) seen.push((b as Tensor).toArray());
      },
      (e: unknown) => e instanceof WorkerError && /DataLoader worker 0: ValueError: item 5 is broken/.test(e.message),
    );
    assert.deepEqual(seen, [[0n, 1n], [2n, 3n]]);
  });

  test("a worker module that is missing or has no createDataset fails the first batch", async () => {
    const ds = new TensorDataset(arange(4)) as Dataset<unknown>;
    ds.toWorkerSpec = () => ({ kind: "module", url: new URL("./shared-data.ts", import.meta.url).href, options: null });
    await assert.rejects(collect(new DataLoader(ds, { numWorkers: 1 })), (e: unknown) => e instanceof WorkerError && /shared-data.ts does not export createDataset\(options\)/.test(e.message));
    ds.toWorkerSpec = () => ({ kind: "module", url: new URL("./nothing-here.ts", import.meta.url).href, options: null });
    await assert.rejects(collect(new DataLoader(ds, { numWorkers: 1 })), (e: unknown) => e instanceof WorkerError && /nothing-here/.test(e.message));
  });

  test("a data set with no worker spec is refused with advice", () => {
    const ds = new TensorDataset(arange(4)) as Dataset<unknown>;
    ds.toWorkerSpec = () => undefined;
    assert.throws(() => new DataLoader(ds, { numWorkers: 1 })[Symbol.asyncIterator](), /cannot be loaded in worker threads: give it toWorkerSpec\(\), or set its workerModule/);
  });

  test("batches cross threads by transfer: a worker-made tensor's buffer is moved, a view of shared memory is copied once", () => {
    const previous = getBackend().name as "js" | "wasm";
    setBackend("js");
    try {
      const t = arange(6).mul(2.5);
      const transfer: ArrayBuffer[] = [];
      const encoded = encodeValue([t, { n: 3 }], transfer);
      assert.equal(transfer.length, 1);
      assert.equal(transfer[0], t.dataSync().buffer);
      const shared = tensorToShared(arange(4).view([2, 2]));
      assert.ok(shared.data.buffer instanceof SharedArrayBuffer);
      const row = new TensorDataset(payloadToTensor(shared)).getItem(1)[0]!;
      const moved: ArrayBuffer[] = [];
      encodeValue(row, moved);
      assert.ok(moved[0] instanceof ArrayBuffer && moved[0].byteLength === 16);
      assert.equal(arrays([decodeValue(encoded)]), arrays([[t, { n: 3 }]]));
    } finally {
      setBackend(previous);
    }
  });

  test("a custom collate runs in the main thread on the samples the workers send", async () => {
    const ds = new TensorDataset(arange(10), arange(10).mul(3));
    const loader = new DataLoader<Tensor[], number[]>(ds, {
      batchSize: 4,
      numWorkers: 2,
      collate: (samples) => samples.map(([a, b]) => Number(a!.item()) + Number(b!.item())),
    });
    assert.deepEqual(await collect(loader), [[0, 4, 8, 12], [16, 20, 24, 28], [32, 36]]);
  });

  test("persistent workers serve several epochs until close()", async () => {
    const ds = new TensorDataset(arange(10));
    const loader = new DataLoader<Tensor[], Tensor[]>(ds, { batchSize: 3, numWorkers: 2, persistentWorkers: true });
    const a = await collect(loader);
    const b = await collect(loader);
    loader.close();
    assert.equal(arrays(a), arrays(b));
    assert.equal(a.length, 4);
  });

  for (const mode of ["drop", "break"]) {
    test(`the process exits after a loader is abandoned mid-iteration (${mode})`, () => {
      const script = fileURLToPath(new URL("./worker-modules/abandon.ts", import.meta.url));
      const r = spawnSync(process.execPath, ["--import", "tsx", script, mode], { encoding: "utf8", timeout: 30_000 });
      assert.equal(r.signal, null, `timed out; stderr: ${r.stderr}`);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /got 1/);
    });
  }
});
