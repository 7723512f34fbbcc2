/** safetensors files on disk (Node only). */
import { readFile, writeFile } from "node:fs/promises";
import type { Tensor } from "../../core/tensor.ts";
import { load, type LoadOptions, type Safetensors } from "./read.ts";
import { save, type SaveOptions } from "./write.ts";

/** Reads a safetensors file; errors name `path`. */
export async function loadFile(path: string, options: LoadOptions = {}): Promise<Safetensors> {
  const bytes = await readFile(path);
  return load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { fileName: path, ...options });
}

/** Writes `tensors` to `path` as a safetensors file. */
export async function saveFile(path: string, tensors: Record<string, Tensor>, options: SaveOptions = {}): Promise<void> {
  await writeFile(path, save(tensors, options));
}
