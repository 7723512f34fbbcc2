/**
 * The thread pool: workers (worker_threads in Node, Web Workers in browsers) that
 * instantiate the same kernel module over the same shared memory, and run a kernel call
 * on their slice of the work when the main thread signals them.
 *
 * Note: pool protocol. A small SharedArrayBuffer holds an Int32 control block
 * [generation, done, stop, ready...] and a Float64 argument block with one slot per
 * worker: [generation, function index, argument count, arguments...]. The main thread
 * writes the slots of the workers it gives work, stamped with the next generation, then
 * publishes that generation and notifies. A worker runs its slot only when the stamp
 * equals the generation it woke for (so a late or spurious wake never runs a call twice),
 * then increments `done` and notifies. The main thread runs its
 * own share meanwhile, then waits for `done` to reach the worker count (Atomics.wait in
 * Node and workers; a spin in a browser's main thread, where waiting is not allowed).
 * Workers that are not ready yet (startup is asynchronous) are given no work.
 */
import { nodeBuiltin } from "../../core/node-builtin.ts";
import type { KernelExports } from "./module.ts";

const GEN = 0;
const DONE = 1;
const STOP = 2;
const READY = 3;
const SLOT_SIZE = 32; // float64s per worker slot


/**
 * The worker's source, plain JavaScript in a string (a serialised TypeScript function would
 * carry the compiler's helpers), so one text serves Node's worker_threads and Web Workers.
 * Slot layout and signalling follow Note: pool protocol.
 */
const WORKER_SOURCE = `
const start = (init) => {
  const env = { memory: init.memory, abort: () => { throw new Error("wasm kernel aborted"); } };
  const exports = new WebAssembly.Instance(init.module, { env }).exports;
  const fns = init.names.map((n) => exports[n]);
  const control = new Int32Array(init.control);
  const args = new Float64Array(init.args);
  const base = init.index * ${SLOT_SIZE};
  let seen = Atomics.load(control, 0);
  Atomics.store(control, 3 + init.index, 1);
  for (;;) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    if (Atomics.load(control, 2) !== 0) return;
    if (args[base] !== seen) continue; // not work for this generation
    const id = args[base + 1];
    const n = args[base + 2];
    const a = [];
    for (let i = 0; i < n; i++) a.push(args[base + 3 + i]);
    try { fns[id](...a); } catch (e) { /* a kernel fault must not hang the main thread */ }
    Atomics.add(control, 1, 1);
    Atomics.notify(control, 1);
  }
};
const threads = globalThis.process?.getBuiltinModule?.("worker_threads");
if (threads) threads.parentPort.once("message", start);
else globalThis.addEventListener("message", (ev) => start(ev.data), { once: true });
`;

interface WorkerHandle {
  postMessage(data: unknown): void;
  terminate(): unknown;
  unref?(): void;
}

type WorkerFactory = (source: string) => WorkerHandle;

/** How to start a worker here, or undefined where workers or shared memory are missing. */
function workerFactory(): WorkerFactory | undefined {
  if (typeof SharedArrayBuffer === "undefined") return undefined;
  const g = globalThis as unknown as { Worker?: new (url: string) => WorkerHandle; crossOriginIsolated?: boolean };
  const threads = nodeBuiltin<{ Worker: new (src: string, o: { eval: boolean }) => WorkerHandle }>("worker_threads");
  if (threads) return (src) => new threads.Worker(src, { eval: true });
  if (g.Worker && g.crossOriginIsolated !== false) {
    const W = g.Worker;
    return (src) => new W(URL.createObjectURL(new Blob([src], { type: "text/javascript" })));
  }
  return undefined;
}

/** Whether the main thread may block in Atomics.wait (Node yes; a browser page no). */
function canBlock(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; document?: unknown };
  return g.process?.versions?.node !== undefined || g.document === undefined;
}

/** One kernel call: an export name and its arguments. */
export interface Call {
  fn: string;
  args: number[];
}

export class ThreadPool {
  readonly workers: WorkerHandle[] = [];
  private readonly control: Int32Array;
  private readonly args: Float64Array;
  private readonly ids: Map<string, number>;
  private readonly blocking = canBlock();

  /** Starts `threads - 1` workers (the main thread is the last thread). */
  constructor(
    private readonly main: KernelExports,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    threads: number,
  ) {
    const names = Object.keys(main).filter((k) => typeof main[k] === "function").sort();
    this.ids = new Map(names.map((n, i) => [n, i]));
    const wanted = Math.max(0, threads - 1);
    // Without shared memory there are no workers, and plain buffers serve the main thread.
    const Buffer = typeof SharedArrayBuffer !== "undefined" ? SharedArrayBuffer : ArrayBuffer;
    this.control = new Int32Array(new Buffer(4 * (READY + Math.max(wanted, 1))));
    this.args = new Float64Array(new Buffer(8 * SLOT_SIZE * Math.max(wanted, 1)));
    const factory = wanted > 0 ? workerFactory() : undefined;
    if (!factory) return;
    const source = WORKER_SOURCE;
    for (let index = 0; index < wanted; index++) {
      const w = factory(source);
      w.unref?.();
      w.postMessage({ module, memory, control: this.control.buffer, args: this.args.buffer, index, names });
      this.workers.push(w);
    }
  }

  /** Threads available now: ready workers plus the main thread. */
  get threads(): number {
    return this.readyWorkers() + 1;
  }

  private readyWorkers(): number {
    let n = 0;
    for (let i = 0; i < this.workers.length; i++) if (Atomics.load(this.control, READY + i) === 1) n++;
    return n;
  }

  /** Resolves when every worker has started (or after `timeoutMs`). */
  async ready(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.readyWorkers() < this.workers.length && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
  }

  /**
   * Runs calls[0] on the main thread and calls[1..] on ready workers, and returns when all
   * are done. Give at most `threads` calls.
   */
  run(calls: readonly Call[]): void {
    const mainCall = calls[0];
    if (!mainCall) return;
    const ready: number[] = [];
    for (let i = 0; i < this.workers.length && ready.length < calls.length - 1; i++)
      if (Atomics.load(this.control, READY + i) === 1) ready.push(i);
    if (ready.length > 0) {
      const gen = Atomics.load(this.control, GEN) + 1;
      ready.forEach((w, k) => {
        const call = calls[k + 1]!;
        const base = w * SLOT_SIZE;
        this.args[base] = gen;
        this.args[base + 1] = this.idOf(call.fn);
        this.args[base + 2] = call.args.length;
        call.args.forEach((a, j) => (this.args[base + 3 + j] = a));
      });
      Atomics.store(this.control, DONE, 0);
      Atomics.store(this.control, GEN, gen);
      Atomics.notify(this.control, GEN);
    }
    this.main[mainCall.fn]!(...mainCall.args);
    // Calls beyond the ready workers run here too.
    for (let k = ready.length + 1; k < calls.length; k++) this.main[calls[k]!.fn]!(...calls[k]!.args);
    for (let done = Atomics.load(this.control, DONE); done < ready.length; done = Atomics.load(this.control, DONE)) {
      if (this.blocking) Atomics.wait(this.control, DONE, done, 50);
    }
  }

  private idOf(fn: string): number {
    const id = this.ids.get(fn);
    if (id === undefined) throw new Error(`no wasm kernel named ${fn}`);
    return id;
  }

  /** Stops the workers. */
  close(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GEN, 1);
    Atomics.notify(this.control, GEN);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
