/**
 * ONNX inference: ResNet-18 and MobileNet-v2 (random weights, 224x224, fp32) at batch 1
 * and 8, run by concord (onnx.load + optimize, default wasm backend, 2 threads), by
 * onnxruntime-web (wasm, 2 threads) and by onnxruntime-node (CPU, 2 intra-op threads),
 * each in its own child process, one after the other. Each figure is the median of
 * several runs after warm-up; ratios are peer time / concord time (> 1: concord faster).
 *
 *   node --import tsx bench/onnx-inference.ts [--profile] [--parts concord,ort-web,ort-node]
 *
 * The models come from scripts/onnx/gen_bench_models.py (PyTorch 1.13, opset 17, dynamic
 * batch), cached in bench/.cache/onnx/ and made again when missing if /usr/bin/python3 is
 * there. --profile prints where concord's time goes (profileOps, per op) at batch 1.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { time } from "./harness.ts";

const FILE = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE = `${ROOT}bench/.cache/onnx`;
const MODELS = ["resnet18", "mobilenet_v2"] as const;
const BATCHES = [1, 8] as const;
const THREADS = 2;

type Results = Record<string, number>;
const key = (model: string, batch: number) => `${model} b${batch}`;

function input(batch: number): Float32Array {
  const x = new Float32Array(batch * 3 * 224 * 224);
  let s = 1;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = s / 2147483648 - 0.5;
  }
  return x;
}

/** Median ms: 2 warm-up calls, then at least 3 (batch 8) or 5 timed calls and 1.5 s. */
async function median(batch: number, fn: () => unknown): Promise<number> {
  const t = await time(fn, { warmup: 2, minRuns: batch > 1 ? 3 : 5, minMs: 1500, maxRuns: 30 });
  return t.medianMs;
}

async function concordPart(profile: boolean): Promise<Results> {
  const c = await import("../src/index.ts");
  const { loadSync } = await import("../src/formats/onnx/load.ts");
  const { optimize } = await import("../src/formats/onnx/export/optimize.ts");
  const { profileOps } = await import("../src/backends/dispatch.ts");
  c.configureWasmBackend({ threads: THREADS });
  await c.ready();
  const out: Results = {};
  for (const name of MODELS) {
    const model = optimize(loadSync(`${CACHE}/${name}.onnx`));
    for (const batch of BATCHES) {
      const x = c.tensor(input(batch), { shape: [batch, 3, 224, 224] });
      out[key(name, batch)] = await median(batch, () => model.runSync({ input: x }));
      if (profile && batch === 1) {
        const t0 = performance.now();
        const ops = profileOps(() => model.runSync({ input: x }));
        const wall = performance.now() - t0;
        const kernels = ops.reduce((a, o) => a + o.ms, 0);
        console.error(`\nconcord ${name} b1: ${wall.toFixed(1)} ms wall, ${kernels.toFixed(1)} ms in kernels`);
        for (const o of ops.slice(0, 8)) console.error(`  ${o.op.padEnd(20)} ${o.backend.padEnd(14)} ${String(o.calls).padStart(4)} calls ${o.ms.toFixed(1).padStart(8)} ms`);
      }
    }
  }
  return out;
}

async function onnxruntimePart(which: "web" | "node"): Promise<Results> {
  const ort = which === "web" ? await import("onnxruntime-web") : await import("onnxruntime-node");
  if (which === "web") ort.env.wasm.numThreads = THREADS;
  const out: Results = {};
  for (const name of MODELS) {
    const bytes = readFileSync(`${CACHE}/${name}.onnx`);
    const session = await ort.InferenceSession.create(bytes, which === "node" ? { intraOpNumThreads: THREADS, interOpNumThreads: 1, executionMode: "sequential" } : {});
    for (const batch of BATCHES) {
      const feeds = { input: new ort.Tensor("float32", input(batch), [batch, 3, 224, 224]) };
      out[key(name, batch)] = await median(batch, () => session.run(feeds));
    }
    await session.release();
  }
  return out;
}

const PARTS = {
  concord: { label: "concord (wasm, 2 threads)", run: (profile: boolean) => concordPart(profile) },
  "ort-web": { label: "onnxruntime-web (wasm, 2 threads)", run: () => onnxruntimePart("web") },
  "ort-node": { label: "onnxruntime-node (2 threads)", run: () => onnxruntimePart("node") },
} as const;
type PartName = keyof typeof PARTS;

/** Makes the models when missing; false when they cannot be made here. */
function ensureModels(): boolean {
  if (MODELS.every((m) => existsSync(`${CACHE}/${m}.onnx`))) return true;
  if (!existsSync("/usr/bin/python3")) {
    console.log(`ONNX inference: the models are missing (${CACHE}) and /usr/bin/python3 (with torch) is not installed to make them; skipped.`);
    return false;
  }
  console.log("ONNX inference: making the models with scripts/onnx/gen_bench_models.py ...");
  const run = spawnSync("/usr/bin/python3", [`${ROOT}scripts/onnx/gen_bench_models.py`, CACHE], { stdio: "inherit" });
  if (run.status !== 0 || !MODELS.every((m) => existsSync(`${CACHE}/${m}.onnx`))) {
    console.log("ONNX inference: making the models failed (torch missing?); skipped.");
    return false;
  }
  return true;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const part = args.indexOf("--part");
  if (part >= 0) {
    const name = args[part + 1] as PartName;
    console.log(JSON.stringify(await PARTS[name].run(args.includes("--profile"))));
    return;
  }
  if (!ensureModels()) return;
  const only = args.includes("--parts") ? args[args.indexOf("--parts") + 1]!.split(",") : Object.keys(PARTS);
  const results: Partial<Record<PartName, Results>> = {};
  for (const name of Object.keys(PARTS) as PartName[]) {
    if (!only.includes(name)) continue;
    const child = spawnSync(process.execPath, ["--import", "tsx", FILE, "--part", name, ...(args.includes("--profile") ? ["--profile"] : [])], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 16 << 20,
    });
    const line = child.stdout.trim().split("\n").pop() ?? "";
    try {
      results[name] = JSON.parse(line) as Results;
    } catch {
      console.log(`(${name} failed: ${child.status ?? child.signal} ${line.slice(0, 200)})`);
    }
  }
  console.log(`\nONNX inference (fp32, 224x224, median ms; ratio = peer / concord, > 1 means concord is faster)`);
  const cols = (Object.keys(PARTS) as PartName[]).filter((p) => results[p]);
  console.log(`${"model".padEnd(18)}${cols.map((p) => p.padStart(12)).join("")}${cols.filter((p) => p !== "concord").map((p) => `${p} ratio`.padStart(16)).join("")}`);
  for (const m of MODELS)
    for (const b of BATCHES) {
      const k = key(m, b);
      const c = results.concord?.[k];
      const cells = cols.map((p) => results[p]![k]!.toFixed(1).padStart(12)).join("");
      const ratios = cols.filter((p) => p !== "concord").map((p) => (c ? `${(results[p]![k]! / c).toFixed(2)}x` : "-").padStart(16)).join("");
      console.log(`${k.padEnd(18)}${cells}${ratios}`);
    }
  for (const p of cols) console.log(`  ${p}: ${PARTS[p].label}`);
}

await main();
