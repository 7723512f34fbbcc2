/**
 * SGEMM fp32, n×n, GFLOP/s: concord's wasm kernel (src/backends/wasm/assembly/gemm.ts) on 1
 * and 2 threads, in both builds (plain SIMD, relaxed SIMD), beside tfjs-wasm (1 thread: its
 * threaded build does not start in Node 20), onnxruntime-web and onnxruntime-node on 1 and 2
 * threads, and the wasm-SIMD peak of this machine measured in the same run.
 *
 *   node scripts/build-wasm.mjs && node --import tsx bench/sgemm.ts [--rounds 3] [--sizes 128,256]
 *
 * Each contender runs in its own child process (`--part NAME`), one after the other, so no
 * peer's idle thread pool or compiled state disturbs another, and the relaxed build gets the
 * `--experimental-wasm-relaxed-simd` flag Node 20 needs. A part prints one JSON line. Each
 * figure is the median of >= 5 timed runs after warm-up. Development machines are shared: a
 * neighbour's process on one of the two cores halves any 2-thread figure (the slower thread
 * sets the time). So each part waits (up to 30 s) for the CPU to be idle before it starts, the
 * table names the parts that started while it was not, and with --rounds R the parts run R
 * times interleaved and the best median of each is kept.
 *
 * concord writes into a preallocated C; the peers' times include allocating and reading back
 * their output (4 MiB at n = 1024, about 1 % of the time).
 *
 * Other options: --sizes 128,1024 (default 128,256,512,1024,2048); --parts concord-2,ort-web-2
 * (names in PARTS below).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { RELAXED_WASM, SIMD_WASM } from "../src/backends/wasm/generated/binaries.ts";
import { time } from "./harness.ts";

const FILE = fileURLToPath(import.meta.url);

interface PartResult {
  /** GFLOP/s per size, keyed by n. */
  gflops: Record<number, number>;
  /** Concord parts only: the SIMD peak on this many threads, GFLOP/s. */
  peak?: number;
}

/** Median ms of fn after warm-up (>= 3 calls and 150 ms), over >= 5 timed calls and 500 ms. */
async function medianMs(fn: () => unknown): Promise<number> {
  const t = await time(fn, { warmup: 3, warmupMs: 150, minRuns: 5, minMs: 500, maxRuns: 50, yieldBetween: false });
  return t.medianMs;
}

const gflops = (n: number, ms: number) => (2 * n ** 3) / ms / 1e6;

function randomMatrix(n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < out.length; i++) out[i] = Math.random() * 2 - 1;
  return out;
}

// ---------------------------------------------------------------------------------------------
// concord: the kernel on the main thread plus one worker sharing the memory.

interface GemmExports {
  sgemm(...args: number[]): void;
  sgemmScratchBytes(): number;
  simdPeak(iterations: number, m: number, c: number): number;
  heapBase?(): number;
}

/**
 * How long a thread polls for the other before it sleeps in Atomics.wait. Polling catches a job
 * that follows another, or a half that ends just after ours, in microseconds instead of a
 * futex wake-up (tens of microseconds, a large share of a 128×128 GEMM); sleeping soon after
 * matters when another process holds one of the two cores, where a long poll would take the
 * CPU from the very thread it waits for (measured: 100k polls made n = 128 25× slower then).
 */
const POLL_MS = 0.05;

/**
 * The worker: instantiates the module on the shared memory and runs one job per generation.
 * Control block (Int32): [generation, done, op]; arguments (Float64): sgemm's arguments, or
 * the peak's iteration count.
 */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, args } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const flags = new Int32Array(control);
const a = new Float64Array(args);
let seen = 0;
for (;;) {
  const pollUntil = performance.now() + ${POLL_MS};
  while (Atomics.load(flags, 0) === seen) if (performance.now() > pollUntil) Atomics.wait(flags, 0, seen);
  seen = Atomics.load(flags, 0);
  const op = Atomics.load(flags, 2);
  if (op === 0) break;
  if (op === 1) kernels.sgemm(...a.subarray(0, 18));
  else kernels.simdPeak(a[0], 0.5, 1);
  Atomics.add(flags, 1, 1);
  Atomics.notify(flags, 1);
}
`;

const OP_STOP = 0, OP_GEMM = 1, OP_PEAK = 2;

class TwoThreads {
  private readonly flags = new Int32Array(new SharedArrayBuffer(16));
  private readonly args = new Float64Array(new SharedArrayBuffer(8 * 18));
  private readonly worker: Worker;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module, memory, control: this.flags.buffer, args: this.args.buffer },
    });
  }

  /** Starts `op` with `args` on the worker; `join` waits for it. */
  start(op: number, args: number[]): void {
    this.args.set(args);
    Atomics.store(this.flags, 2, op);
    Atomics.add(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
  }

  join(): void {
    const generation = Atomics.load(this.flags, 0);
    const pollUntil = performance.now() + POLL_MS;
    for (;;) {
      const done = Atomics.load(this.flags, 1);
      if (done === generation) return;
      if (performance.now() > pollUntil) Atomics.wait(this.flags, 1, done);
    }
  }

  async stop(): Promise<void> {
    this.start(OP_STOP, []);
    await this.worker.terminate();
  }
}

async function concordPart(variant: "simd" | "relaxed", threads: number, sizes: number[]): Promise<PartResult> {
  const bytes = Buffer.from(variant === "relaxed" ? RELAXED_WASM : SIMD_WASM, "base64");
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports;
  // A bump allocator above the module's static data: A, B, C for the largest n, two scratch areas.
  let top = Math.ceil((k.heapBase?.() ?? 1024) / 64) * 64;
  const alloc = (bytes: number) => {
    const at = top;
    top += Math.ceil(bytes / 64) * 64;
    if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
    return at;
  };
  const nMax = Math.max(...sizes);
  const a = alloc(nMax * nMax * 4), b = alloc(nMax * nMax * 4), c = alloc(nMax * nMax * 4);
  const scratch = [alloc(k.sgemmScratchBytes()), alloc(k.sgemmScratchBytes())];
  const pool = threads > 1 ? new TwoThreads(module, memory) : undefined;

  // Peak: 12 independent chains per thread, on every thread at once.
  const iterations = 2_000_000;
  const peakMs = await medianMs(() => {
    pool?.start(OP_PEAK, [iterations]);
    k.simdPeak(iterations, 0.5, 1);
    pool?.join();
  });
  const peak = (threads * iterations * 96) / peakMs / 1e6;

  const result: Record<number, number> = {};
  for (const n of sizes) {
    new Float32Array(memory.buffer, a, n * n).set(randomMatrix(n));
    new Float32Array(memory.buffer, b, n * n).set(randomMatrix(n));
    // sgemm(transA, transB, m0, m1, n0, n1, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, activation, scratch)
    const rows = (m0: number, m1: number, s: number) => [0, 0, m0, m1, 0, n, n, 1, a, n, b, n, 0, c, n, 0, 0, s];
    // Split rows at a multiple of the 4-row micro-tile, so neither half computes edge tiles.
    const half = pool ? Math.round(n / 8) * 4 : n;
    const ms = await medianMs(() => {
      pool?.start(OP_GEMM, rows(half, n, scratch[1]!));
      k.sgemm(...rows(0, half, scratch[0]!));
      pool?.join();
    });
    result[n] = gflops(n, ms);
  }
  await pool?.stop();
  return { gflops: result, peak };
}

// ---------------------------------------------------------------------------------------------
// Peers.

async function tfjsWasmPart(sizes: number[]): Promise<PartResult> {
  const tf = await import("@tensorflow/tfjs-core");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(fileURLToPath(new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url)));
  await tf.setBackend("wasm");
  await tf.ready();
  const result: Record<number, number> = {};
  for (const n of sizes) {
    const x = tf.tensor2d(randomMatrix(n), [n, n]), y = tf.tensor2d(randomMatrix(n), [n, n]);
    const ms = await medianMs(() => {
      const z = tf.matMul(x, y);
      z.dataSync();
      z.dispose();
    });
    result[n] = gflops(n, ms);
    x.dispose();
    y.dispose();
  }
  return { gflops: result };
}

/**
 * A one-node ONNX model, C = MatMul(A, B) with symbolic dims [M, K] × [K, N], written as
 * protobuf bytes by hand (ModelProto: ir_version 8, opset 13).
 */
function matmulModel(): Uint8Array {
  const varint = (v: number): number[] => {
    const out: number[] = [];
    for (; v > 127; v = Math.floor(v / 128)) out.push((v & 127) | 128);
    out.push(v);
    return out;
  };
  const int = (field: number, v: number) => [...varint(field << 3), ...varint(v)];
  const bytes = (field: number, payload: number[]) => [...varint((field << 3) | 2), ...varint(payload.length), ...payload];
  const text = (field: number, s: string) => bytes(field, [...Buffer.from(s)]);
  // ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type FLOAT = 1, shape: {dim: [{dim_param}]}}}}
  const input = (name: string, dims: string[]) => [
    ...text(1, name),
    ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, dims.flatMap((d) => bytes(1, text(2, d))))])),
  ];
  const node = [...text(1, "A"), ...text(1, "B"), ...text(2, "C"), ...text(4, "MatMul")];
  const graph = [
    ...bytes(1, node), ...text(2, "matmul"),
    ...bytes(11, input("A", ["M", "K"])), ...bytes(11, input("B", ["K", "N"])), ...bytes(12, input("C", ["M", "N"])),
  ];
  return Uint8Array.from([...int(1, 8), ...bytes(7, graph), ...bytes(8, [...text(1, ""), ...int(2, 13)])]);
}

async function onnxruntimePart(which: "web" | "node", threads: number, sizes: number[]): Promise<PartResult> {
  const ort = which === "web" ? await import("onnxruntime-web") : await import("onnxruntime-node");
  if (which === "web") ort.env.wasm.numThreads = threads; // read once, when the wasm runtime starts
  const session = await ort.InferenceSession.create(
    matmulModel(),
    which === "node" ? { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential" } : {},
  );
  const result: Record<number, number> = {};
  for (const n of sizes) {
    const feeds = {
      A: new ort.Tensor("float32", randomMatrix(n), [n, n]),
      B: new ort.Tensor("float32", randomMatrix(n), [n, n]),
    };
    const ms = await medianMs(() => session.run(feeds));
    result[n] = gflops(n, ms);
  }
  await session.release();
  return { gflops: result };
}

// ---------------------------------------------------------------------------------------------
// Orchestration: one child process per part, the table, the targets.

interface Part {
  name: string;
  label: string;
  nodeFlags: string[];
  run(sizes: number[]): Promise<PartResult>;
}

const PARTS: Part[] = [
  { name: "concord-1", label: "concord wasm SIMD, 1 thread", nodeFlags: [], run: (s) => concordPart("simd", 1, s) },
  { name: "concord-2", label: "concord wasm SIMD, 2 threads", nodeFlags: [], run: (s) => concordPart("simd", 2, s) },
  {
    name: "concord-relaxed-1", label: "concord relaxed SIMD, 1 thread",
    nodeFlags: ["--experimental-wasm-relaxed-simd"], run: (s) => concordPart("relaxed", 1, s),
  },
  {
    name: "concord-relaxed-2", label: "concord relaxed SIMD, 2 threads",
    nodeFlags: ["--experimental-wasm-relaxed-simd"], run: (s) => concordPart("relaxed", 2, s),
  },
  { name: "tfjs-wasm", label: "tfjs-wasm (XNNPACK), 1 thread", nodeFlags: [], run: (s) => tfjsWasmPart(s) },
  { name: "ort-web-1", label: "onnxruntime-web, 1 thread", nodeFlags: [], run: (s) => onnxruntimePart("web", 1, s) },
  { name: "ort-web-2", label: "onnxruntime-web, 2 threads", nodeFlags: [], run: (s) => onnxruntimePart("web", 2, s) },
  { name: "ort-node-1", label: "onnxruntime-node, 1 thread", nodeFlags: [], run: (s) => onnxruntimePart("node", 1, s) },
  { name: "ort-node-2", label: "onnxruntime-node, 2 threads", nodeFlags: [], run: (s) => onnxruntimePart("node", 2, s) },
];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Share of the CPU (all cores) busy over `ms`, from /proc/stat; undefined off Linux. */
function busyShare(ms: number): number | undefined {
  const sample = () => {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + fields[4]!;
    return { idle, total: fields.reduce((x, y) => x + y, 0) };
  };
  if (!existsSync("/proc/stat")) return undefined;
  const before = sample();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const after = sample();
  return 1 - (after.idle - before.idle) / Math.max(1, after.total - before.total);
}

/** Waits (up to 30 s) until other processes leave the CPU nearly idle; false if they never did. */
function waitForQuiet(): boolean {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const busy = busyShare(500);
    if (busy === undefined || busy < 0.1) return true;
    if (performance.now() > deadline) return false;
  }
}

function runChild(part: Part, sizes: number[]): PartResult | string {
  const child = spawnSync(
    process.execPath,
    [...part.nodeFlags, "--import", "tsx", FILE, "--part", part.name, "--sizes", sizes.join(",")],
    { encoding: "utf8", maxBuffer: 16 << 20 },
  );
  const line = child.stdout.trim().split("\n").pop() ?? "";
  if (child.status !== 0 || !line.startsWith("{")) return (child.stderr || line).trim().split("\n").slice(-3).join(" | ");
  return JSON.parse(line) as PartResult;
}

async function main(): Promise<void> {
  const sizes = (option("--sizes") ?? "128,256,512,1024,2048").split(",").map(Number);
  const partName = option("--part");
  if (partName) {
    const part = PARTS.find((p) => p.name === partName);
    if (!part) throw new Error(`no part ${partName}; parts: ${PARTS.map((p) => p.name).join(", ")}`);
    console.log(JSON.stringify(await part.run(sizes)));
    process.exit(0); // a peer's idle thread pool must not keep the child alive
  }
  const rounds = Number(option("--rounds") ?? 1);
  const only = option("--parts")?.split(",");
  const parts = only ? PARTS.filter((p) => only.includes(p.name)) : PARTS;
  console.log(`SGEMM fp32 n×n — node ${process.version}, ${new Date().toISOString()}, ${rounds} round(s)`);

  const best = new Map<string, PartResult>();
  const errors = new Map<string, string>();
  const noisy = new Set<string>();
  for (let round = 1; round <= rounds; round++) {
    for (const part of parts) {
      const quiet = waitForQuiet();
      if (!quiet) noisy.add(part.name);
      process.stderr.write(`round ${round}/${rounds}: ${part.name}${quiet ? "" : " (other processes kept the CPU busy)"}\n`);
      const r = runChild(part, sizes);
      if (typeof r === "string") {
        errors.set(part.name, r);
        continue;
      }
      const kept = best.get(part.name);
      if (!kept) best.set(part.name, r);
      else {
        for (const n of sizes) kept.gflops[n] = Math.max(kept.gflops[n] ?? 0, r.gflops[n] ?? 0);
        if (r.peak !== undefined) kept.peak = Math.max(kept.peak ?? 0, r.peak);
      }
    }
  }

  const cell = (v: number | undefined) => (v === undefined ? "n/a" : v.toFixed(1)).padStart(8);
  const ratio = (x: number | undefined, y: number | undefined) =>
    (x === undefined || y === undefined ? "n/a" : (x / y).toFixed(2) + "x").padStart(8);
  console.log(`\nGFLOP/s (median of >= 5 timed runs after warm-up${rounds > 1 ? `, best of ${rounds} rounds` : ""})`);
  console.log(`${"".padEnd(34)}${sizes.map((n) => String(n).padStart(8)).join("")}`);
  for (const part of parts) {
    const r = best.get(part.name);
    console.log(`${part.label.padEnd(34)}${sizes.map((n) => cell(r?.gflops[n])).join("")}`);
  }
  for (const [name, message] of errors) if (!best.has(name)) console.log(`  ${name} failed: ${message}`);
  if (noisy.size) console.log(`  started while other processes kept the CPU busy: ${[...noisy].join(", ")}`);

  const at = (name: string, n: number) => best.get(name)?.gflops[n];
  const peak = (name: string) => best.get(name)?.peak;
  console.log(`\nwasm SIMD peak (12 independent f32x4 chains per thread, GFLOP/s):`);
  console.log(`  mul+add   1 thread ${cell(peak("concord-1"))}   2 threads ${cell(peak("concord-2"))}`);
  console.log(`  relaxed   1 thread ${cell(peak("concord-relaxed-1"))}   2 threads ${cell(peak("concord-relaxed-2"))}`);

  for (const [variant, label] of [["concord-2", "wasm SIMD"], ["concord-relaxed-2", "relaxed SIMD"]] as const) {
    console.log(`\nconcord ${label}, 2 threads, speed ratio (> 1: concord faster)`);
    console.log(`${"".padEnd(34)}${sizes.map((n) => String(n).padStart(8)).join("")}`);
    for (const peer of ["tfjs-wasm", "ort-web-1", "ort-web-2", "ort-node-1", "ort-node-2"]) {
      const label = PARTS.find((p) => p.name === peer)!.label;
      console.log(`${("vs " + label).padEnd(34)}${sizes.map((n) => ratio(at(variant, n), at(peer, n))).join("")}`);
    }
    const one = variant === "concord-2" ? "concord-1" : "concord-relaxed-1";
    console.log(`${"fraction of peak, 1 thread".padEnd(34)}${sizes.map((n) => ratio(at(one, n), peak(one))).join("")}`);
    console.log(`${"fraction of peak, 2 threads".padEnd(34)}${sizes.map((n) => ratio(at(variant, n), peak(variant))).join("")}`);
  }

  const n = 1024;
  if (!sizes.includes(n)) return;
  console.log(`\nTargets (shared/PEERS.md), SGEMM ${n}, all cores:`);
  for (const [variant, label] of [["concord-2", "wasm SIMD"], ["concord-relaxed-2", "relaxed SIMD"]] as const) {
    const ours = at(variant, n);
    const check = (what: string, x: number | undefined, goal: number) =>
      console.log(
        `  ${label.padEnd(13)} ${what.padEnd(34)} ${x === undefined ? "n/a" : x.toFixed(2).padStart(5)}` +
          `  (>= ${goal}) ${x === undefined ? "" : x >= goal ? "met" : "NOT met"}`,
      );
    check("/ tfjs-wasm", ours && at("tfjs-wasm", n) && ours / at("tfjs-wasm", n)!, 1.5);
    check("/ onnxruntime-web 2 threads", ours && at("ort-web-2", n) && ours / at("ort-web-2", n)!, 1.0);
    check("/ measured SIMD peak, 2 threads", ours && peak(variant) && ours / peak(variant)!, 0.7);
  }
}

await main();
