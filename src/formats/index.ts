/**
 * One entry for every checkpoint format: `load(pathOrBytes)` detects the format and
 * returns its tensors as a state dict (name -> Tensor, in file order); `inspect` lists
 * names, dtypes and shapes with the file's metadata. The format modules (`pytorch`,
 * `safetensors`, `npy`, `gguf`, `onnx`) have their own `load` / `save` with options.
 */
import { Tensor } from "../core/tensor.ts";
import { fileSystem } from "../io/fs.ts";
import { detectFormat, type FileFormat } from "./detect.ts";
import * as safetensors from "./safetensors/index.ts";
import { TO_CONCORD } from "./safetensors/dtypes.ts";
import * as npy from "./npy/index.ts";
import * as gguf from "./gguf/index.ts";
import { NATIVE as GGML_NATIVE } from "./gguf/load.ts";
import * as onnx from "./onnx/index.ts";
import { valueFromTensorData } from "../graph/tensor-data.ts";
import type { Model } from "../graph/ir.ts";
import { load as loadPytorch } from "./pytorch/load.ts";
import { looksLikeZip } from "./zip/index.ts";

export { detectFormat, type FileFormat };

/** A state dict as files hold it: tensors under names, possibly nested. */
export type LoadedState = { [key: string]: Tensor | LoadedState | unknown };

export interface TensorSummary {
  name: string;
  /** PyTorch's spelling: float32, bfloat16, int64, bool, ... (or the file's own type name when concord lacks it). */
  dtype: string;
  shape: number[];
}

export interface FileSummary {
  format: FileFormat;
  sizeBytes: number;
  tensors: TensorSummary[];
  parameterCount: number;
  metadata: Record<string, unknown>;
}

/** safetensors dtypes in PyTorch's spelling (those concord lacks too). */
const SAFETENSORS_TORCH_NAMES: Record<string, string> = {
  ...(TO_CONCORD as Record<string, string>),
  U16: "uint16", U32: "uint32", U64: "uint64", F8_E5M2: "float8_e5m2", F8_E4M3: "float8_e4m3fn", F8_E8M0: "float8_e8m0fnu", C64: "complex64",
};

/** GGUF types that have a PyTorch dtype; quantized types keep ggml's name (Q4_K, ...). */
const GGML_TORCH_NAMES: Record<string, string> = { ...GGML_NATIVE, F16: "float16", BF16: "bfloat16" };

function stemOf(fileName: string | undefined): string {
  if (!fileName) return "arr_0";
  const base = fileName.split(/[\\/]/).pop()!;
  return base.replace(/\.[^.]*$/, "") || "arr_0";
}

function onnxTensors(model: Model): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const t of model.graph.initializers) {
    const v = valueFromTensorData(t);
    if (v instanceof Tensor) out[t.name ?? `initializer_${Object.keys(out).length}`] = v;
  }
  return out;
}

/** Reads a file's tensors, whatever its format. */
export async function load(pathOrBytes: string | Uint8Array, options: { fileName?: string } = {}): Promise<LoadedState> {
  const fileName = typeof pathOrBytes === "string" ? pathOrBytes : options.fileName;
  const bytes = typeof pathOrBytes === "string" ? await (await fileSystem()).readFile(pathOrBytes) : pathOrBytes;
  return loadBytes(bytes, fileName);
}

/** `load` for bytes already in memory. */
export function loadBytes(bytes: Uint8Array, fileName?: string): LoadedState {
  const opts = fileName !== undefined ? { fileName } : {};
  switch (detectFormat(bytes, fileName)) {
    case "safetensors":
      return safetensors.load(bytes, opts).tensors;
    case "npy":
      return { [stemOf(fileName)]: npy.load(bytes, opts) };
    case "npz":
      return npy.loadNpz(bytes, opts);
    case "gguf":
      return gguf.load(bytes, opts).tensorData;
    case "onnx":
      return onnxTensors(onnx.decodeModel(bytes, { source: fileName ?? "model" }));
    case "pytorch":
      return loadPytorch(bytes, opts) as LoadedState;
  }
}

/** Flattens nested containers into dotted names, keeping only tensors. */
export function flattenTensors(state: unknown, prefix = "", out: Record<string, Tensor> = {}): Record<string, Tensor> {
  if (state instanceof Tensor) out[prefix] = state;
  else if (state instanceof Map) for (const [k, v] of state) flattenTensors(v, prefix ? `${prefix}.${String(k)}` : String(k), out);
  else if (Array.isArray(state)) state.forEach((v, i) => flattenTensors(v, prefix ? `${prefix}.${i}` : String(i), out));
  else if (state !== null && typeof state === "object" && !(state instanceof Uint8Array))
    for (const [k, v] of Object.entries(state)) flattenTensors(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

function summarizeTensors(tensors: Record<string, Tensor>): { tensors: TensorSummary[]; parameterCount: number } {
  const list = Object.entries(tensors).map(([name, t]) => ({ name, dtype: t.dtype as string, shape: [...t.shape] }));
  return { tensors: list, parameterCount: Object.values(tensors).reduce((n, t) => n + t.size, 0) };
}

/** Names, dtypes, shapes, parameter count and metadata of a file. */
export function inspectBytes(bytes: Uint8Array, fileName?: string): FileSummary {
  const format = detectFormat(bytes, fileName);
  const base = { format, sizeBytes: bytes.length };
  switch (format) {
    case "safetensors": {
      const header = safetensors.readHeader(bytes, fileName);
      const tensors = header.entries.map((e) => ({ name: e.name, dtype: SAFETENSORS_TORCH_NAMES[e.dtype] ?? e.dtype, shape: [...e.shape] }));
      return { ...base, tensors, parameterCount: tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0), metadata: { ...header.metadata } };
    }
    case "gguf": {
      const header = gguf.readHeader(bytes, fileName);
      const tensors = header.tensors.map((t) => ({ name: t.name, dtype: GGML_TORCH_NAMES[t.type.name] ?? t.type.name, shape: [...t.shape] }));
      return { ...base, tensors, parameterCount: tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0), metadata: { version: header.version, ...header.metadata } };
    }
    case "onnx": {
      const model = onnx.decodeModel(bytes, { source: fileName ?? "model" });
      const histogram: Record<string, number> = {};
      for (const n of model.graph.nodes) {
        const key = n.domain && n.domain !== "ai.onnx" ? `${n.domain}.${n.opType}` : n.opType;
        histogram[key] = (histogram[key] ?? 0) + 1;
      }
      const tensors = model.graph.initializers.map((t) => ({ name: t.name ?? "", dtype: t.elemType, shape: [...t.dims] }));
      const io = (v: Model["graph"]["inputs"][number]) => ({ name: v.name, type: describeType(v.type) });
      const init = new Set(model.graph.initializers.map((t) => t.name));
      return {
        ...base,
        tensors,
        parameterCount: tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0),
        metadata: {
          irVersion: model.irVersion,
          producer: [model.producerName, model.producerVersion].filter(Boolean).join(" "),
          opsets: Object.fromEntries(model.opsetImports.map((o) => [o.domain || "ai.onnx", o.version])),
          inputs: model.graph.inputs.filter((v) => !init.has(v.name)).map(io),
          outputs: model.graph.outputs.map(io),
          nodes: model.graph.nodes.length,
          opHistogram: Object.fromEntries(Object.entries(histogram).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
          ...Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key, p.value])),
        },
      };
    }
    default: {
      const tensors = flattenTensors(loadBytes(bytes, fileName));
      return { ...base, ...summarizeTensors(tensors), metadata: format === "pytorch" ? { serialization: looksLikeZip(bytes) ? "zip" : "legacy" } : {} };
    }
  }
}

function describeType(type: Model["graph"]["inputs"][number]["type"]): string {
  if (!type) return "?";
  if (type.kind === "tensor") return `${type.elemType}[${(type.shape ?? []).map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
  return type.kind;
}

/** `inspectBytes` for a path. */
export async function inspect(path: string): Promise<FileSummary> {
  return inspectBytes(await (await fileSystem()).readFile(path), path);
}
