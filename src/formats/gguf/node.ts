/** GGUF files on disk (Node only). */
import { readFile } from "node:fs/promises";
import { load, type Gguf, type LoadOptions } from "./load.ts";

/** Reads a GGUF file whole; errors name `path`. */
export async function loadFile(path: string, options: LoadOptions = {}): Promise<Gguf> {
  const bytes = await readFile(path);
  return load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { fileName: path, ...options });
}
