/** `concord run model.onnx --input name=FILE ... --output-dir DIR`: one inference, outputs as .npy. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Tensor } from "../core/tensor.ts";
import { ShapeError, ValueError, DTypeError } from "../core/errors.ts";
import { formatShape } from "../core/shape.ts";
import * as onnx from "../formats/onnx/index.ts";
import * as npy from "../formats/npy/index.ts";
import { valueFromTensorData } from "../graph/tensor-data.ts";
import type { GraphValue } from "../graph/value.ts";
import type { ValueInfo } from "../graph/ir.ts";
import type { CliIo } from "./io.ts";

export interface RunOptions {
  input: string[];
  outputDir: string;
}

async function readInput(spec: string): Promise<[string, Tensor]> {
  const eq = spec.indexOf("=");
  if (eq <= 0 || eq === spec.length - 1) throw new ValueError(`--input expects name=FILE, got '${spec}'`);
  const name = spec.slice(0, eq);
  const file = spec.slice(eq + 1);
  const bytes = new Uint8Array(await readFile(file));
  if (file.endsWith(".npy")) return [name, npy.load(bytes, { fileName: file })];
  if (file.endsWith(".pb")) {
    const value = valueFromTensorData(onnx.decodeTensor(bytes, { source: file }));
    if (!(value instanceof Tensor)) throw new DTypeError(`${file}: element type ${value.elemType} cannot be fed to concord`);
    return [name, value];
  }
  throw new ValueError(`${file}: input files must be .npy or .pb (a serialized TensorProto)`);
}

/** Refuses feeds whose dtype or static dims disagree with the model's declared input. */
function checkFeed(info: ValueInfo, t: Tensor): void {
  const type = info.type;
  if (type?.kind !== "tensor") return;
  if (type.elemType !== undefined && type.elemType !== t.dtype)
    throw new DTypeError(`input ${info.name}: the model expects ${type.elemType}, the file holds ${t.dtype}`);
  const dims = type.shape;
  if (!dims) return;
  const bad = dims.length !== t.ndim || dims.some((d, i) => typeof d === "number" && d !== t.shape[i]);
  if (bad) throw new ShapeError(`input ${info.name}: the model expects [${dims.map((d) => (d === null ? "?" : String(d))).join(", ")}], the file holds ${formatShape(t.shape)}`);
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_") || "output";
}

async function writeOutput(dir: string, name: string, value: GraphValue, written: string[]): Promise<void> {
  if (value instanceof Tensor) {
    const path = join(dir, `${safeFileName(name)}.npy`);
    await writeFile(path, npy.save(value));
    written.push(path);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) await writeOutput(dir, `${name}.${i}`, value[i]!, written);
  } else if (value === null) {
    // An empty optional: nothing to write.
  } else {
    throw new DTypeError(`output ${name}: element type ${value.elemType} cannot be written as .npy`);
  }
}

export async function runCommand(model: string, options: RunOptions, io: CliIo): Promise<void> {
  const loaded = await onnx.load(model);
  const feeds: Record<string, Tensor> = {};
  for (const spec of options.input) {
    const [name, t] = await readInput(spec);
    const info = loaded.inputs.find((v) => v.name === name);
    if (!info) throw new ValueError(`${name} is not an input of ${model} (inputs: ${loaded.inputNames.join(", ")})`);
    checkFeed(info, t);
    feeds[name] = t;
  }
  const outputs = await loaded.run(feeds);
  await mkdir(options.outputDir, { recursive: true });
  const written: string[] = [];
  for (const [name, value] of Object.entries(outputs)) await writeOutput(options.outputDir, name, value, written);
  for (const path of written) io.out(`${path}\n`);
}
