/**
 * conv2d fp32, NCHW batch 8, 64 -> 64 channels, 56x56, 3x3, padding 1, with bias (1.85
 * GFLOP): concord on the wasm backend (1 thread and all threads, plain and relaxed SIMD;
 * the latter needs --experimental-wasm-relaxed-simd on Node 20) beside tfjs-wasm (NHWC,
 * XNNPACK, 1 thread: its threaded build does not start in Node 20), onnxruntime-web (1 and
 * 2 threads) and onnxruntime-node (1 and 2 threads), with a one-node ONNX Conv model whose
 * weights are initializers (so onnxruntime may pre-pack them, as it does for real models).
 *
 *   node scripts/build-wasm.mjs && node --import tsx bench/conv2d.ts [--rounds 3] [--parts a,b]
 *
 * Each contender runs in its own child process (`--part NAME`), one after the other, and
 * prints one JSON line; each figure is the median of >= 5 timed calls after warm-up. This
 * machine is shared and noisy (see shared/PEERS.md), so each part also measures the wasm
 * SIMD peak of one thread next to its timing, with --rounds R the parts run R times
 * interleaved and the best median is kept, and the table reports ratios between contenders
 * measured in the same run.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { time } from "./harness.ts";

const FILE = fileURLToPath(import.meta.url);

/** The benchmark's convolution. */
export const CASE = { batch: 8, cin: 64, cout: 64, size: 56, kernel: 3, padding: 1 };
const FLOP = 2 * CASE.batch * CASE.cout * CASE.size * CASE.size * CASE.cin * CASE.kernel * CASE.kernel;

interface PartResult {
  ms: number;
  /** One-thread wasm SIMD peak measured in the same process just before, GFLOP/s. */
  peak?: number;
}

/** Median ms of fn after warm-up (>= 3 calls and 300 ms), over >= 5 timed calls and 1000 ms. */
async function medianMs(fn: () => unknown): Promise<number> {
  const t = await time(fn, { warmup: 3, warmupMs: 300, minRuns: 5, minMs: 1000, maxRuns: 40, yieldBetween: false });
  return t.medianMs;
}

function random(n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < out.length; i++) out[i] = (Math.random() * 2 - 1) * scale;
  return out;
}

/** The one-thread wasm SIMD mul+add peak now, from the kernel module's simdPeak (gemm.ts), if it has one. */
async function simdPeak(): Promise<number | undefined> {
  const { SIMD_WASM } = await import("../src/backends/wasm/generated/binaries.ts");
  const module = new WebAssembly.Module(Buffer.from(SIMD_WASM, "base64"));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true } as WebAssembly.MemoryDescriptor);
  const k = new WebAssembly.Instance(module, { env: { memory, abort: () => undefined } }).exports as Record<string, (...a: number[]) => number>;
  if (!k.simdPeak) return undefined;
  const iterations = 2_000_000;
  const ms = await medianMs(() => k.simdPeak!(iterations, 0.5, 1));
  return (iterations * 96) / ms / 1e6;
}

// ---------------------------------------------------------------------------------------------
// Contenders.

async function concordPart(threads: number | undefined, variant: "simd" | "relaxed" = "simd"): Promise<PartResult> {
  const c = await import("../src/index.ts");
  c.configureWasmBackend({ relaxedSimd: variant === "relaxed", ...(threads !== undefined ? { threads } : {}) });
  c.setBackend("wasm");
  await c.ready();
  if (c.backendInfo().simd !== variant) throw new Error(`wanted the ${variant} build, runtime has ${c.backendInfo().simd}`);
  const { batch, cin, cout, size, kernel, padding } = CASE;
  const x = c.tensor(random(batch * cin * size * size), { shape: [batch, cin, size, size] });
  const w = c.tensor(random(cout * cin * kernel * kernel, 0.05), { shape: [cout, cin, kernel, kernel] });
  const b = c.tensor(random(cout), { shape: [cout] });
  const peak = await simdPeak();
  const ms = await medianMs(() => c.conv2d(x, w, b, 1, padding).dispose());
  const fallbacks = [...c.fallbackCounts().keys()];
  if (fallbacks.length > 0) throw new Error(`ops fell back to js: ${fallbacks.join(", ")}`);
  return { ms, peak };
}

async function tfjsWasmPart(): Promise<PartResult> {
  const tf = await import("@tensorflow/tfjs-core");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(fileURLToPath(new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url)));
  await tf.setBackend("wasm");
  await tf.ready();
  const { batch, cin, cout, size, kernel } = CASE;
  const x = tf.tensor4d(random(batch * size * size * cin), [batch, size, size, cin]); // NHWC
  const filter = tf.tensor4d(random(kernel * kernel * cin * cout, 0.05), [kernel, kernel, cin, cout]); // HWIO
  const bias = tf.tensor1d(random(cout));
  const peak = await simdPeak();
  const ms = await medianMs(() => {
    const y = tf.fused.conv2d({ x, filter, strides: 1, pad: "same", bias });
    y.dataSync();
    y.dispose();
  });
  return { ms, peak };
}

/** Protobuf writing, just enough for an ONNX ModelProto. */
const varint = (v: number): number[] => {
  const out: number[] = [];
  for (; v > 127; v = Math.floor(v / 128)) out.push((v & 127) | 128);
  out.push(v);
  return out;
};
const int = (field: number, v: number) => [...varint(field << 3), ...varint(v)];
const bytes = (field: number, payload: ArrayLike<number>) => [...varint((field << 3) | 2), ...varint(payload.length), ...Array.from(payload)];
const text = (field: number, s: string) => bytes(field, [...Buffer.from(s)]);

/**
 * Y = Conv(X, W, B) with pads 1 and W, B as float initializers: ModelProto (ir_version 8,
 * opset 13) > GraphProto { node, name, initializer (TensorProto: dims, data_type 1, name,
 * raw_data), input, output (ValueInfoProto with a float tensor type and fixed dims) }.
 */
function convModel(weights: Float32Array, bias: Float32Array): Uint8Array {
  const { batch, cin, cout, size, kernel, padding } = CASE;
  const ints = (name: string, values: number[]) => bytes(5, [...text(1, name), ...values.flatMap((v) => int(8, v)), ...int(20, 7)]); // AttributeProto INTS
  const node = [
    ...text(1, "X"), ...text(1, "W"), ...text(1, "B"), ...text(2, "Y"), ...text(4, "Conv"),
    ...ints("pads", [padding, padding, padding, padding]), ...ints("kernel_shape", [kernel, kernel]), ...ints("strides", [1, 1]),
  ];
  const tensor = (name: string, dims: number[], data: Float32Array) => [
    ...dims.flatMap((d) => int(1, d)), ...int(2, 1), ...text(8, name), ...bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
  ];
  const value = (name: string, dims: number[]) => [
    ...text(1, name),
    ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, dims.flatMap((d) => bytes(1, int(1, d))))])),
  ];
  const graph = [
    ...bytes(1, node), ...text(2, "conv"),
    ...bytes(5, tensor("W", [cout, cin, kernel, kernel], weights)), ...bytes(5, tensor("B", [cout], bias)),
    ...bytes(11, value("X", [batch, cin, size, size])), ...bytes(12, value("Y", [batch, cout, size, size])),
  ];
  return Uint8Array.from([...int(1, 8), ...bytes(7, graph), ...bytes(8, [...text(1, ""), ...int(2, 13)])]);
}

async function onnxruntimePart(which: "web" | "node", threads: number): Promise<PartResult> {
  const ort = which === "web" ? await import("onnxruntime-web") : await import("onnxruntime-node");
  if (which === "web") ort.env.wasm.numThreads = threads;
  const { batch, cin, cout, size, kernel } = CASE;
  const model = convModel(random(cout * cin * kernel * kernel, 0.05), random(cout));
  const session = await ort.InferenceSession.create(
    model,
    which === "node" ? { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential" } : {},
  );
  const feeds = { X: new ort.Tensor("float32", random(batch * cin * size * size), [batch, cin, size, size]) };
  const peak = await simdPeak();
  const ms = await medianMs(() => session.run(feeds));
  await session.release();
  return { ms, peak };
}

// ---------------------------------------------------------------------------------------------
// Orchestration.

interface Part {
  name: string;
  label: string;
  /** Node flags for the part's process (relaxed SIMD needs one on Node 20). */
  nodeFlags?: string[];
  run(): Promise<PartResult>;
}

const PARTS: Part[] = [
  { name: "concord-1", label: "concord wasm, 1 thread", run: () => concordPart(1) },
  { name: "concord-all", label: "concord wasm, all threads", run: () => concordPart(undefined) },
  { name: "concord-relaxed-1", label: "concord relaxed SIMD, 1 thread", nodeFlags: ["--experimental-wasm-relaxed-simd"], run: () => concordPart(1, "relaxed") },
  { name: "concord-relaxed-all", label: "concord relaxed SIMD, all", nodeFlags: ["--experimental-wasm-relaxed-simd"], run: () => concordPart(undefined, "relaxed") },
  { name: "tfjs-wasm", label: "tfjs-wasm (NHWC), 1 thread", run: tfjsWasmPart },
  { name: "ort-web-1", label: "onnxruntime-web, 1 thread", run: () => onnxruntimePart("web", 1) },
  { name: "ort-web-2", label: "onnxruntime-web, 2 threads", run: () => onnxruntimePart("web", 2) },
  { name: "ort-node-1", label: "onnxruntime-node, 1 thread", run: () => onnxruntimePart("node", 1) },
  { name: "ort-node-2", label: "onnxruntime-node, 2 threads", run: () => onnxruntimePart("node", 2) },
];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function runChild(part: Part): PartResult | string {
  const child = spawnSync(process.execPath, [...(part.nodeFlags ?? []), "--import", "tsx", FILE, "--part", part.name], { encoding: "utf8", maxBuffer: 16 << 20 });
  const line = child.stdout.trim().split("\n").pop() ?? "";
  if (child.status !== 0 || !line.startsWith("{")) return (child.stderr || line).trim().split("\n").slice(-3).join(" | ");
  return JSON.parse(line) as PartResult;
}

/** Runs the parts (each in a child process) and prints the table; returns the best result per part. */
export async function benchConv2d(rounds = 1, only?: string[]): Promise<Map<string, PartResult>> {
  const parts = only ? PARTS.filter((p) => only.includes(p.name)) : PARTS;
  const { batch, cin, cout, size, kernel, padding } = CASE;
  console.log(
    `\nconv2d fp32 NCHW ${batch}x${cin}x${size}x${size} -> ${cout} channels, ${kernel}x${kernel}, padding ${padding}, bias ` +
      `(${(FLOP / 1e9).toFixed(2)} GFLOP) — node ${process.version}, ${rounds} round(s)`,
  );
  const best = new Map<string, PartResult>();
  const errors = new Map<string, string>();
  for (let round = 1; round <= rounds; round++) {
    for (const part of parts) {
      process.stderr.write(`round ${round}/${rounds}: ${part.name}\n`);
      const r = runChild(part);
      if (typeof r === "string") errors.set(part.name, r);
      else if (!best.has(part.name) || r.ms < best.get(part.name)!.ms) best.set(part.name, r);
    }
  }
  console.log(`${"".padEnd(32)}${"ms".padStart(9)}${"GFLOP/s".padStart(10)}${"1-thread SIMD peak then".padStart(26)}`);
  for (const part of parts) {
    const r = best.get(part.name);
    if (!r) {
      console.log(`${part.label.padEnd(32)}  failed: ${errors.get(part.name) ?? "?"}`);
      continue;
    }
    const peak = r.peak === undefined ? "" : `${r.peak.toFixed(1)} GFLOP/s`;
    console.log(`${part.label.padEnd(32)}${r.ms.toFixed(1).padStart(9)}${(FLOP / r.ms / 1e6).toFixed(1).padStart(10)}${peak.padStart(26)}`);
  }
  const ratio = (a: string, b: string) => {
    const x = best.get(a), y = best.get(b);
    return x && y ? y.ms / x.ms : undefined;
  };
  console.log(`\nspeed ratios (> 1: concord faster)`);
  for (const ours of ["concord-1", "concord-all", "concord-relaxed-all"]) {
    for (const peer of ["tfjs-wasm", "ort-web-1", "ort-web-2", "ort-node-1", "ort-node-2"]) {
      const r = ratio(ours, peer);
      if (r !== undefined) console.log(`  ${PARTS.find((p) => p.name === ours)!.label.padEnd(28)} vs ${PARTS.find((p) => p.name === peer)!.label.padEnd(30)} ${r.toFixed(2)}x`);
    }
  }
  const target = (what: string, r: number | undefined, goal: number) =>
    console.log(`  ${what.padEnd(48)} ${r === undefined ? "n/a" : r.toFixed(2)}  (>= ${goal}) ${r === undefined ? "" : r >= goal ? "met" : "NOT met"}`);
  console.log(`\ntargets (shared/PEERS.md), concord all threads:`);
  target("vs tfjs-wasm", ratio("concord-all", "tfjs-wasm"), 1.5);
  target("vs onnxruntime-web 2 threads", ratio("concord-all", "ort-web-2"), 1.0);
  return best;
}

const partName = option("--part");
if (partName) {
  const part = PARTS.find((p) => p.name === partName);
  if (!part) throw new Error(`no part ${partName}; parts: ${PARTS.map((p) => p.name).join(", ")}`);
  console.log(JSON.stringify(await part.run()));
  process.exit(0);
} else if (process.argv[1] === FILE) {
  await benchConv2d(Number(option("--rounds") ?? 1), option("--parts")?.split(","));
}
