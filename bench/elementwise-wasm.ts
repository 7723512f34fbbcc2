/**
 * Elementwise ops, reductions and softmax on float32: concord's wasm backend on 1 thread
 * and on every core, beside tfjs-wasm (XNNPACK; 1 thread, its threaded build does not start
 * in Node 20, see shared/PEERS.md), on 1M elements and 1024×1024.
 *
 *   node scripts/build-wasm.mjs && node --import tsx bench/elementwise-wasm.ts [--rounds 2] [--relaxed]
 *
 * Each contender runs in its own child process (`--part NAME`) so that one's thread pool
 * or heap does not disturb another; a part prints one JSON line of medians. A figure is the
 * median of >= 5 timed calls after warm-up; with --rounds R the parts run R times
 * interleaved and the best median is kept (this machine is shared and noisy). Each call
 * makes a new output and frees it (concord: `dispose()`; tfjs: `dispose()`), so both pay
 * for their allocator; neither reads the result back. With --relaxed, concord also runs
 * its relaxed-SIMD build (Node 20 needs --experimental-wasm-relaxed-simd for it).
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

const FILE = fileURLToPath(import.meta.url);
const N = 1 << 20;
const SIDE = 1024;

/** One benchmark case: a name and, for each framework, how to build it (given inputs). */
interface Case {
  name: string;
  concord: (c: typeof import("../src/index.ts"), x: Inputs<import("../src/index.ts").Tensor>) => () => { dispose(): void };
  tfjs: (tf: typeof import("@tensorflow/tfjs-core"), x: Inputs<import("@tensorflow/tfjs-core").Tensor>) => () => { dispose(): void };
}

/** The same random inputs for both frameworks: a and b flat, m and n 1024×1024, row a 1024 vector. */
interface Inputs<T> {
  a: T;
  b: T;
  m: T;
  n: T;
  row: T;
}

const CASES: Case[] = [
  { name: "add 1M", concord: (_, x) => () => x.a.add(x.b), tfjs: (tf, x) => () => tf.add(x.a, x.b) },
  { name: "add 1024x1024 + row (broadcast)", concord: (_, x) => () => x.m.add(x.row), tfjs: (tf, x) => () => tf.add(x.m, x.row) },
  { name: "mul 1M", concord: (_, x) => () => x.a.mul(x.b), tfjs: (tf, x) => () => tf.mul(x.a, x.b) },
  { name: "mul 1024x1024 by scalar", concord: (_, x) => () => x.m.mul(0.5), tfjs: (tf, x) => () => tf.mul(x.m, 0.5) },
  { name: "exp 1M", concord: (_, x) => () => x.a.exp(), tfjs: (tf, x) => () => tf.exp(x.a) },
  { name: "sigmoid 1M", concord: (_, x) => () => x.a.sigmoid(), tfjs: (tf, x) => () => tf.sigmoid(x.a) },
  { name: "tanh 1M", concord: (_, x) => () => x.a.tanh(), tfjs: (tf, x) => () => tf.tanh(x.a) },
  { name: "sum 1M (all)", concord: (c, x) => () => c.sum(x.a), tfjs: (tf, x) => () => tf.sum(x.a) },
  { name: "sum 1024x1024 over dim 1 (rows)", concord: (c, x) => () => c.sum(x.m, 1), tfjs: (tf, x) => () => tf.sum(x.m, 1) },
  { name: "sum 1024x1024 over dim 0 (cols)", concord: (c, x) => () => c.sum(x.m, 0), tfjs: (tf, x) => () => tf.sum(x.m, 0) },
  { name: "softmax 1M (one row)", concord: (c, x) => () => c.softmax(x.a, -1), tfjs: (tf, x) => () => tf.softmax(x.a) },
  { name: "softmax 1024x1024 over dim 1", concord: (c, x) => () => c.softmax(x.m, 1), tfjs: (tf, x) => () => tf.softmax(x.m) },
];

/** Median ms of fn after warm-up: >= 3 warm-up calls and 100 ms, then >= 7 timed calls and 300 ms. */
function medianMs(fn: () => void): number {
  const warm = performance.now();
  for (let i = 0; i < 3 || performance.now() - warm < 100; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 7 || (performance.now() - start < 300 && samples.length < 200)) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((p, q) => p - q);
  return samples[samples.length >> 1]!;
}

function randomData(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.random() * 8 - 4;
  return out;
}

function data(): Inputs<Float32Array> {
  return { a: randomData(N), b: randomData(N), m: randomData(N), n: randomData(N), row: randomData(SIDE) };
}

async function concordPart(threads: number): Promise<Record<string, number>> {
  const c = await import("../src/index.ts");
  const { configureWasm, wasmRuntime } = await import("../src/backends/wasm/runtime.ts");
  configureWasm({ threads });
  await wasmRuntime().pool.ready();
  c.setBackend("wasm");
  const d = data();
  const x: Inputs<import("../src/index.ts").Tensor> = {
    a: c.tensor(d.a), b: c.tensor(d.b), m: c.tensor(d.m, { shape: [SIDE, SIDE] }), n: c.tensor(d.n, { shape: [SIDE, SIDE] }), row: c.tensor(d.row),
  };
  const result: Record<string, number> = {};
  for (const k of CASES) {
    const op = k.concord(c, x);
    result[k.name] = medianMs(() => op().dispose());
  }
  const fallbacks = [...c.fallbackCounts()];
  if (fallbacks.length > 0) console.error(`concord fell back to js for: ${JSON.stringify(fallbacks)}`);
  result["threads"] = wasmRuntime().info().threads;
  return result;
}

async function tfjsPart(): Promise<Record<string, number>> {
  const tf = await import("@tensorflow/tfjs-core");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(fileURLToPath(new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url)));
  await tf.setBackend("wasm");
  await tf.ready();
  const d = data();
  const x: Inputs<import("@tensorflow/tfjs-core").Tensor> = {
    a: tf.tensor1d(d.a), b: tf.tensor1d(d.b), m: tf.tensor2d(d.m, [SIDE, SIDE]), n: tf.tensor2d(d.n, [SIDE, SIDE]), row: tf.tensor1d(d.row),
  };
  const result: Record<string, number> = {};
  for (const k of CASES) {
    const op = k.tfjs(tf, x);
    result[k.name] = medianMs(() => op().dispose());
  }
  return result;
}

interface Part {
  name: string;
  label: string;
  nodeFlags: string[];
  args: string[];
}

function runPart(part: Part): Record<string, number> | null {
  const child = spawnSync(process.execPath, [...part.nodeFlags, "--import", "tsx", FILE, "--part", ...part.args], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0) {
    console.error(`${part.label} failed:\n${child.stderr}`);
    return null;
  }
  if (child.stderr.trim()) console.error(`${part.label}: ${child.stderr.trim()}`);
  const line = child.stdout.trim().split("\n").pop()!;
  return JSON.parse(line) as Record<string, number>;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const partAt = argv.indexOf("--part");
  if (partAt >= 0) {
    const [kind, threads] = argv.slice(partAt + 1);
    const result = kind === "tfjs" ? await tfjsPart() : await concordPart(Number(threads));
    console.log(JSON.stringify(result));
    process.exit(0);
  }
  const roundsAt = argv.indexOf("--rounds");
  const rounds = roundsAt >= 0 ? Number(argv[roundsAt + 1]) : 1;
  const cores = availableParallelism();
  const parts: Part[] = [
    { name: "c1", label: "concord wasm, 1 thread", nodeFlags: [], args: ["concord", "1"] },
    { name: "cN", label: `concord wasm, ${cores} threads`, nodeFlags: [], args: ["concord", String(cores)] },
    { name: "tf", label: "tfjs-wasm, 1 thread", nodeFlags: [], args: ["tfjs"] },
  ];
  if (argv.includes("--relaxed")) {
    const flags = ["--experimental-wasm-relaxed-simd"];
    parts.push({ name: "r1", label: "concord relaxed SIMD, 1 thread", nodeFlags: flags, args: ["concord", "1"] });
    parts.push({ name: "rN", label: `concord relaxed SIMD, ${cores} threads`, nodeFlags: flags, args: ["concord", String(cores)] });
  }
  const best: Record<string, Record<string, number>> = {};
  for (let r = 0; r < rounds; r++) {
    for (const part of parts) {
      const result = runPart(part);
      if (!result) continue;
      const kept = (best[part.name] ??= {});
      for (const [k, v] of Object.entries(result)) kept[k] = Math.min(kept[k] ?? Infinity, v);
    }
  }
  console.log(`\nfloat32 elementwise / reductions / softmax — node ${process.version}, ${cores} cores, median ms per call (best of ${rounds} round${rounds > 1 ? "s" : ""})`);
  console.log("ratio = tfjs-wasm ms / concord ms (> 1: concord is faster)\n");
  const cols = parts.filter((p) => best[p.name]);
  const head = ["case".padEnd(34), ...cols.map((p) => p.label.replace("concord ", "").padStart(p.label.length > 22 ? 26 : 22))];
  const concordCols = cols.filter((p) => p.name !== "tf");
  console.log([...head, ...concordCols.map((p) => `ratio ${p.name}`.padStart(10))].join(" "));
  for (const k of CASES) {
    const cells = cols.map((p) => (best[p.name]![k.name]?.toFixed(3) ?? "-").padStart(p.label.length > 22 ? 26 : 22));
    const peer = best["tf"]?.[k.name];
    const ratios = concordCols.map((p) => {
      const ours = best[p.name]![k.name];
      return (peer && ours ? `${(peer / ours).toFixed(2)}x` : "-").padStart(10);
    });
    console.log([k.name.padEnd(34), ...cells, ...ratios].join(" "));
  }
  console.log(`\ncolumns: ${cols.map((p) => `${p.name} = ${p.label}${best[p.name]!.threads ? ` (${best[p.name]!.threads} running)` : ""}`).join("; ")}`);
}

await main();
