/**
 * A DataLoader's worker threads: starts them, hands out tasks, and matches results to
 * the tasks that asked for them. Ordering and prefetching are the loader's business.
 */
import { ConcordError } from "../../core/errors.ts";
import type { SpawnWorker, WorkerHandle } from "./handle.ts";
import type { FromWorker, InitMessage } from "./messages.ts";

/** An error raised inside a DataLoader worker, carrying the worker's message and stack. */
export class WorkerError extends ConcordError {
  constructor(
    readonly workerId: number,
    readonly originalName: string,
    originalMessage: string,
    readonly workerStack = "",
  ) {
    super(`DataLoader worker ${workerId}: ${originalName}: ${originalMessage}`);
  }
}

type Settled = { ok: true; value: unknown } | { ok: false; error: Error };

export class WorkerPool {
  private readonly workers: WorkerHandle[] = [];
  private readonly settled = new Map<number, Settled>();
  private readonly waiters = new Map<number, (s: Settled) => void>();
  private readonly owner = new Map<number, number>();
  private failure: Error | null = null;
  private nextTaskId = 0;
  private waiting = 0;
  closed = false;

  constructor(spawn: SpawnWorker, numWorkers: number, init: (workerId: number) => InitMessage) {
    for (let id = 0; id < numWorkers; id++) {
      const w = spawn(id);
      w.unref();
      w.onMessage((m) => this.receive(id, m));
      w.onError((e) => this.crash(new WorkerError(id, e.name, e.message, e.stack)));
      w.post(init(id));
      this.workers.push(w);
    }
  }

  /** True once a worker crashed or failed to start; the pool serves nothing more. */
  get failed(): boolean {
    return this.failure !== null;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends the indices of one batch to a worker; returns the task id. */
  submit(worker: number, indices: readonly number[]): number {
    const taskId = this.nextTaskId++;
    this.owner.set(taskId, worker);
    this.workers[worker]!.post({ type: "task", taskId, indices });
    return taskId;
  }

  /** The batch of a task, once its worker sends it (workers keep the process alive meanwhile). */
  async result(taskId: number): Promise<unknown> {
    const ready = this.settled.get(taskId);
    let s: Settled;
    if (ready) s = ready;
    else if (this.failure) s = { ok: false, error: this.failure };
    else {
      this.setWaiting(+1);
      try {
        s = await new Promise<Settled>((resolve) => this.waiters.set(taskId, resolve));
      } finally {
        this.setWaiting(-1);
      }
    }
    this.settled.delete(taskId);
    this.owner.delete(taskId);
    if (!s.ok) throw s.error;
    return s.value;
  }

  /** Forgets tasks whose results nobody will ask for. */
  discard(taskIds: readonly number[]): void {
    for (const id of taskIds) {
      this.settled.delete(id);
      this.owner.delete(id);
      this.waiters.delete(id);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers) w.terminate();
    this.fail(new ConcordError("the DataLoader's workers were shut down"));
  }

  private setWaiting(delta: number): void {
    const before = this.waiting;
    this.waiting += delta;
    if (before === 0 && this.waiting > 0) for (const w of this.workers) w.ref();
    if (before > 0 && this.waiting === 0) for (const w of this.workers) w.unref();
  }

  private settle(taskId: number, s: Settled): void {
    if (!this.owner.has(taskId)) return; // a discarded task
    const waiter = this.waiters.get(taskId);
    if (waiter) {
      this.waiters.delete(taskId);
      this.settled.set(taskId, s);
      waiter(s);
    } else this.settled.set(taskId, s);
  }

  private receive(workerId: number, m: FromWorker): void {
    if (m.type === "result") this.settle(m.taskId, { ok: true, value: m.value });
    else if (m.taskId === null) this.crash(new WorkerError(workerId, m.name, m.message, m.stack));
    else this.settle(m.taskId, { ok: false, error: new WorkerError(workerId, m.name, m.message, m.stack) });
  }

  /** A worker crashed or failed to start: every pending and later task fails with it, and the workers end. */
  private crash(error: Error): void {
    this.fail(error);
    this.close();
  }

  /** Every pending and later task fails with `error`. */
  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const [taskId, waiter] of this.waiters) {
      this.waiters.delete(taskId);
      waiter({ ok: false, error });
    }
  }
}
