/**
 * The ONNX backend conformance suite (../shared/onnx-tests: node/, pytorch-converted/,
 * pytorch-operator/, simple/) run by concord and by onnxruntime-node, side by side, with
 * the conformance test's case discovery, test-data reading and comparison
 * (test/onnx/suite.ts). A case fails for a runtime when it refuses to load or run the model
 * or when an output differs. onnxruntime-node runs with its default session options (all
 * graph optimizations, 1 intra-op thread); it takes tensors only, so cases with sequence or
 * optional inputs or outputs, or element types its JS API lacks (bfloat16, float8, complex,
 * 2-bit), fail for it.
 *
 *   node --import tsx bench/onnx-conformance.ts [--list]
 *
 * --list also names the cases each runtime fails that the other passes. onnxruntime-node
 * runs in child processes, since it aborts the process on some models (counted as failed).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import type { DataValue } from "../src/formats/onnx/codec.ts";
import { loadSync } from "../src/formats/onnx/load.ts";
import { fromRawBytes, toRawBytes } from "../src/formats/onnx/tensor-proto.ts";
import type { ElemType } from "../src/graph/elem-type.ts";
import type { ValueType } from "../src/graph/ir.ts";
import { HostTensor, type HostArray } from "../src/graph/value.ts";
import { runCase } from "../test/onnx/conformance-lib.ts";
import { FOLDERS, listCases, outputsMismatch, testSets, type Case } from "../test/onnx/suite.ts";

/** Element types onnxruntime-node's Tensor carries (the rest it cannot take or give). */
const ORT_TYPES = new Set<string>(["float32", "float64", "float16", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool", "string", "int4", "uint4"]);

class Refused extends Error {}

function toOrt(v: DataValue | undefined, name: string): ort.Tensor {
  if (v === undefined || v === null || Array.isArray(v)) throw new Refused(`input ${name}: onnxruntime-node takes tensors only`);
  if (!ORT_TYPES.has(v.elemType)) throw new Refused(`input ${name}: onnxruntime-node has no ${v.elemType} tensors`);
  const data = v.elemType === "int4" || v.elemType === "uint4" ? toRawBytes(v.data, v.elemType) : v.data;
  return new ort.Tensor(v.elemType as ort.Tensor.Type, data as Float32Array, v.dims);
}

function fromOrt(t: ort.Tensor): HostTensor {
  const n = t.dims.reduce((a, b) => a * b, 1);
  const elemType = t.type as ElemType;
  let data = t.data as HostArray;
  // 4-bit outputs come packed two to a byte.
  if ((elemType === "int4" || elemType === "uint4") && data.length !== n) data = fromRawBytes(data as Uint8Array, elemType, n, "output");
  return new HostTensor(elemType, t.dims, data);
}

/** The declared types of the graph's inputs and outputs (by concord's decoder; undefined, read as tensors, when it fails). */
interface Declared {
  name: string;
  type?: ValueType;
}

function declaredTypes(c: Case): { inputs: Declared[]; outputs: Declared[] } | undefined {
  try {
    const g = loadSync(join(c.dir, "model.onnx")).model.graph;
    return { inputs: g.inputs, outputs: g.outputs };
  } catch {
    return undefined;
  }
}

async function runOrtCase(c: Case): Promise<boolean> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(join(c.dir, "model.onnx"), { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 });
  } catch {
    return false;
  }
  try {
    const declared = declaredTypes(c);
    const inputs = declared?.inputs ?? session.inputNames.map((name): Declared => ({ name }));
    const outputs = declared?.outputs ?? session.outputNames.map((name): Declared => ({ name }));
    for (const set of testSets(c, inputs.map((v) => v.type), outputs.map((v) => v.type))) {
      const feeds: Record<string, ort.Tensor> = {};
      inputs.forEach((input, k) => {
        if (session.inputNames.includes(input.name) && set.inputs[k] !== undefined) feeds[input.name] = toOrt(set.inputs[k], input.name);
      });
      const result = await session.run(feeds);
      const actual = outputs.map((o) => (result[o.name] ? fromOrt(result[o.name]!) : undefined));
      if (outputsMismatch(actual, set.expected)) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    await session.release();
  }
}

/**
 * The onnxruntime-node child: runs the cases of `folder` from index `from`, printing
 * "start <i>" before and "<pass|fail> <i>" after each (onnxruntime aborts the process on
 * some models, so the parent restarts it after the case that crashed).
 */
async function ortWorker(folder: string, from: number): Promise<void> {
  ort.env.logLevel = "fatal";
  const cases = listCases(folder);
  for (let i = from; i < cases.length; i++) {
    process.stdout.write(`start ${i}\n`);
    process.stdout.write(`${(await runOrtCase(cases[i]!)) ? "pass" : "fail"} ${i}\n`);
  }
}

/** onnxruntime-node's outcome for every case of `folder`, one child process per crash. */
function ortOutcomes(folder: string, count: number): { passed: boolean[]; crashed: number[] } {
  const passed = new Array<boolean>(count).fill(false);
  const crashed: number[] = [];
  let from = 0;
  while (from < count) {
    const run = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--ort-worker", folder, String(from)], { encoding: "utf8", maxBuffer: 1 << 26 });
    let next = count;
    for (const line of run.stdout.split("\n")) {
      const [word, index] = line.split(" ");
      const i = Number(index);
      if (word === "pass") passed[i] = true;
      if (word === "start") next = i;
      if (word === "pass" || word === "fail") next = i + 1;
    }
    if (next < count) crashed.push(next);
    from = next + 1;
  }
  return { passed, crashed };
}

async function main(): Promise<void> {
  const list = process.argv.includes("--list");
  const rows: string[][] = [["folder", "cases", "concord", "onnxruntime-node"]];
  const totals = [0, 0, 0];
  const start = performance.now();
  for (const folder of FOLDERS) {
    const cases = listCases(folder);
    const ortResults = ortOutcomes(folder, cases.length);
    let concord = 0;
    const onlyConcord: string[] = [];
    const onlyOrt: string[] = [];
    for (const [i, c] of cases.entries()) {
      const a = runCase(c).status === "pass";
      // Let finalizers free the tensors of finished cases.
      await new Promise((r) => setImmediate(r));
      const b = ortResults.passed[i]!;
      concord += a ? 1 : 0;
      if (a && !b) onlyConcord.push(c.id);
      if (b && !a) onlyOrt.push(c.id);
    }
    const onnxruntime = ortResults.passed.filter(Boolean).length;
    rows.push([folder, String(cases.length), String(concord), String(onnxruntime)]);
    totals[0]! += cases.length;
    totals[1]! += concord;
    totals[2]! += onnxruntime;
    if (ortResults.crashed.length) console.log(`${folder}: onnxruntime-node aborted the process on ${ortResults.crashed.map((i) => cases[i]!.id).join(", ")}`);
    if (list) {
      console.log(`${folder}: passed by concord only (${onlyConcord.length}):\n  ${onlyConcord.join("\n  ")}`);
      console.log(`${folder}: passed by onnxruntime-node only (${onlyOrt.length}):\n  ${onlyOrt.join("\n  ")}`);
    }
  }
  rows.push(["total", ...totals.map(String)]);
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  console.log(`ONNX backend conformance suite, cases passed (onnxruntime-node ${ort.env.versions.common}), ${((performance.now() - start) / 1000).toFixed(0)} s`);
  for (const r of rows) console.log(r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join("  "));
}

const worker = process.argv.indexOf("--ort-worker");
if (worker >= 0) await ortWorker(process.argv[worker + 1]!, Number(process.argv[worker + 2]));
else await main();
