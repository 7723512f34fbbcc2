/** `concord convert IN OUT`: between checkpoint formats (.pt/.pth, .safetensors, .npz), by extension. */
import { readFile, writeFile } from "node:fs/promises";
import { ValueError } from "../core/errors.ts";
import { flattenTensors, loadBytes } from "../formats/index.ts";
import * as safetensors from "../formats/safetensors/index.ts";
import * as npy from "../formats/npy/index.ts";
import * as pytorch from "../formats/pytorch/index.ts";
import { formatBytes, type CliIo } from "./io.ts";

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

export async function convertCommand(input: string, output: string, io: CliIo): Promise<void> {
  const writer = WRITERS[extension(output)];
  if (!writer) throw new ValueError(`${output}: cannot write '${extension(output) || "(no extension)"}'; convert writes ${Object.keys(WRITERS).join(", ")}`);
  const state = loadBytes(new Uint8Array(await readFile(input)), input);
  const tensors = flattenTensors(state);
  if (Object.keys(tensors).length === 0) throw new ValueError(`${input}: holds no tensors to convert`);
  const bytes = writer(tensors);
  await writeFile(output, bytes);
  io.out(`${output}: ${Object.keys(tensors).length} tensors, ${formatBytes(bytes.length)}\n`);
}
