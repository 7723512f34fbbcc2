/**
 * `concord convert IN OUT`: between checkpoint formats (.pt/.pth, .safetensors, .npz), by
 * extension; with `--model NAME` and an `.onnx` output, the checkpoint is loaded into that
 * zoo architecture and exported to ONNX (dynamic batch axis).
 */
import { readFile, writeFile } from "node:fs/promises";
import { ValueError } from "../core/errors.ts";
import { flattenTensors, loadBytes } from "../formats/index.ts";
import * as safetensors from "../formats/safetensors/index.ts";
import * as npy from "../formats/npy/index.ts";
import * as pytorch from "../formats/pytorch/index.ts";
import * as onnx from "../formats/onnx/index.ts";
import { createModel, modelNames, type ModelName } from "../models/index.ts";
import { randn } from "../ops/creation.ts";
import type { Tensor } from "../core/tensor.ts";
import { formatBytes, type CliIo } from "./io.ts";

export interface ConvertOptions {
  model?: string;
  inputShape?: string;
  opset?: number;
}

const WRITERS: Record<string, (tensors: ReturnType<typeof flattenTensors>) => Uint8Array> = {
  ".safetensors": (t) => safetensors.save(t),
  ".npz": (t) => npy.saveNpz(t),
  ".pt": (t) => pytorch.save(t),
  ".pth": (t) => pytorch.save(t),
};

function extension(path: string): string {
  const m = /\.[^./\\]+$/.exec(path);
  return m ? m[0].toLowerCase() : "";
}

/** The classifier's output count in a checkpoint: the rows of its last 2-D weight. */
function numClassesOf(tensors: Record<string, Tensor>): number | undefined {
  const last = Object.entries(tensors).filter(([k, t]) => k.endsWith("weight") && t.ndim === 2).pop();
  return last?.[1].shape[0];
}

async function toOnnx(input: string, output: string, options: ConvertOptions, io: CliIo): Promise<void> {
  const name = options.model;
  if (!name) throw new ValueError(`${output}: writing .onnx needs --model NAME (one of ${modelNames().join(", ")})`);
  if (!modelNames().includes(name as ModelName)) throw new ValueError(`unknown model '${name}'; known models: ${modelNames().join(", ")}`);
  const tensors = flattenTensors(loadBytes(new Uint8Array(await readFile(input)), input));
  const numClasses = numClassesOf(tensors);
  const model = name === "mnist_cnn" ? createModel("mnist_cnn") : createModel(name as Exclude<ModelName, "mnist_cnn">, numClasses ? { numClasses } : {});
  model.loadStateDict(tensors);
  model.eval();
  const shape = options.inputShape
    ? options.inputShape.split(",").map((v) => Number.parseInt(v, 10))
    : name === "mnist_cnn" ? [1, 1, 28, 28] : [1, 3, 224, 224];
  if (shape.some((d) => !Number.isInteger(d) || d < 1)) throw new ValueError(`--input-shape must be positive integers separated by commas, got '${options.inputShape}'`);
  // The batch is exported as dynamic; tracing needs an example batch of at least 2 to tell it apart from a constant 1.
  const bytes = onnx.export(model, [randn([Math.max(2, shape[0]!), ...shape.slice(1)])], {
    ...(options.opset !== undefined ? { opset: options.opset } : {}),
    inputNames: ["input"], outputNames: ["output"], dynamicAxes: { input: { 0: "batch" }, output: { 0: "batch" } },
  });
  await writeFile(output, bytes);
  io.out(`${output}: ${name} (${Object.keys(tensors).length} tensors) exported to ONNX, input [${shape.join(", ")}] with a dynamic batch, ${formatBytes(bytes.length)}\n`);
}

export async function convertCommand(input: string, output: string, options: ConvertOptions, io: CliIo): Promise<void> {
  if (extension(output) === ".onnx") return toOnnx(input, output, options, io);
  if (options.model) throw new ValueError(`--model only applies when writing .onnx, not '${extension(output)}'`);
  const writer = WRITERS[extension(output)];
  if (!writer) throw new ValueError(`${output}: cannot write '${extension(output) || "(no extension)"}'; convert writes ${Object.keys(WRITERS).join(", ")}`);
  const state = loadBytes(new Uint8Array(await readFile(input)), input);
  const tensors = flattenTensors(state);
  if (Object.keys(tensors).length === 0) throw new ValueError(`${input}: holds no tensors to convert`);
  const bytes = writer(tensors);
  await writeFile(output, bytes);
  io.out(`${output}: ${Object.keys(tensors).length} tensors, ${formatBytes(bytes.length)}\n`);
}
