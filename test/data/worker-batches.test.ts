/** Prefetching and ordering of worker batches, with fake workers that answer out of order. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkerBatches } from "../../src/data/worker/batches.ts";
import type { WorkerHandle } from "../../src/data/worker/handle.ts";
import type { FromWorker, ToWorker } from "../../src/data/worker/messages.ts";
import { WorkerError, WorkerPool } from "../../src/data/worker/pool.ts";

interface Fake {
  posted: ToWorker[];
  reply(m: FromWorker): void;
  crash(e: Error): void;
  refs: number;
  terminated: boolean;
}

function fakePool(n: number): { pool: WorkerPool; fakes: Fake[] } {
  const fakes: Fake[] = [];
  const spawn = (): WorkerHandle => {
    const fake: Fake = { posted: [], reply: () => {}, crash: () => {}, refs: 0, terminated: false };
    fakes.push(fake);
    return {
      post: (m) => fake.posted.push(m),
      onMessage: (h) => (fake.reply = h),
      onError: (h) => (fake.crash = h),
      ref: () => fake.refs++,
      unref: () => fake.refs--,
      terminate: () => (fake.terminated = true),
    };
  };
  const pool = new WorkerPool(spawn, n, (workerId) => ({ type: "init", spec: { kind: "tensors", tensors: [] }, workerId, numWorkers: n, seed: "0", collate: "default", initModule: null }));
  return { pool, fakes };
}

const tasks = (f: Fake) => f.posted.filter((m) => m.type === "task") as Extract<ToWorker, { type: "task" }>[];
const flush = () => new Promise((r) => setTimeout(r, 0));

test("prefetchFactor x workers batches in flight, round-robin; results in sampler order whatever order they arrive in", async () => {
  const { pool, fakes } = fakePool(2);
  const batches = [[0], [1], [2], [3], [4], [5], [6]];
  let released = 0;
  const it = new WorkerBatches<number, unknown>(pool, batches[Symbol.iterator](), { prefetchFactor: 2, collate: undefined, release: () => released++ });
  const first = it.next();
  assert.deepEqual(tasks(fakes[0]!).map((t) => t.indices), [[0], [2]]);
  assert.deepEqual(tasks(fakes[1]!).map((t) => t.indices), [[1], [3]]);
  assert.equal(fakes[0]!.refs, 0); // ref() while waiting, after unref() at start: net 0
  // Batch 1 arrives before batch 0.
  fakes[1]!.reply({ type: "result", taskId: 1, value: "b1" });
  await flush();
  fakes[0]!.reply({ type: "result", taskId: 0, value: "b0" });
  assert.deepEqual(await first, { done: false, value: "b0" });
  assert.equal(fakes[0]!.refs, -1); // no one waits: the workers do not hold the process
  // One more batch was handed out (to worker 0, round-robin) once batch 0 was taken.
  assert.deepEqual(tasks(fakes[0]!).map((t) => t.indices), [[0], [2], [4]]);
  assert.deepEqual(await it.next(), { done: false, value: "b1" });
  assert.deepEqual(tasks(fakes[1]!).map((t) => t.indices), [[1], [3], [5]]);
  // Abandon: the rest is discarded and the pool released once.
  await it.return();
  await it.return();
  assert.equal(released, 1);
  fakes[0]!.reply({ type: "result", taskId: 2, value: "late" }); // ignored
  assert.deepEqual(await it.next(), { done: true, value: undefined });
});

test("a task's error rejects at its turn; a crash fails every waiter and ends the workers", async () => {
  const { pool, fakes } = fakePool(2);
  const it = new WorkerBatches<number, unknown>(pool, [[0], [1], [2]][Symbol.iterator](), { prefetchFactor: 1, collate: undefined, release: () => {} });
  const first = it.next();
  fakes[1]!.reply({ type: "error", taskId: 1, name: "ValueError", message: "bad item", stack: "" });
  fakes[0]!.reply({ type: "result", taskId: 0, value: "b0" });
  assert.deepEqual(await first, { done: false, value: "b0" });
  await assert.rejects(it.next(), (e: unknown) => e instanceof WorkerError && e.message === "DataLoader worker 1: ValueError: bad item");

  const other = fakePool(1);
  const it2 = new WorkerBatches<number, unknown>(other.pool, [[0]][Symbol.iterator](), { prefetchFactor: 2, collate: undefined, release: () => {} });
  const pending = it2.next();
  other.fakes[0]!.crash(new Error("exited unexpectedly with code 1"));
  await assert.rejects(pending, /DataLoader worker 0: Error: exited unexpectedly with code 1/);
  assert.equal(other.fakes[0]!.terminated, true);
  assert.equal(other.pool.failed, true);
});
