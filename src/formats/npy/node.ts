/** .npy and .npz files on disk (Node only). */
import { readFile, writeFile } from "node:fs/promises";
import type { Tensor } from "../../core/tensor.ts";
import { load, save, type LoadOptions } from "./npy.ts";
import { loadNpz, saveNpz, type NpzLoadOptions } from "./npz.ts";

const view = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** Reads a .npy file; errors name `path`. */
export async function loadFile(path: string, options: LoadOptions = {}): Promise<Tensor> {
  return load(view(await readFile(path)), { fileName: path, ...options });
}

/** Writes `t` to `path` as a .npy file. */
export async function saveFile(path: string, t: Tensor): Promise<void> {
  await writeFile(path, save(t));
}

/** Reads a .npz file; errors name `path`. */
export async function loadNpzFile(path: string, options: NpzLoadOptions = {}): Promise<Record<string, Tensor>> {
  return loadNpz(view(await readFile(path)), { fileName: path, ...options });
}

/** Writes `tensors` to `path` as a .npz file. */
export async function saveNpzFile(path: string, tensors: Record<string, Tensor>, options: { compress?: boolean } = {}): Promise<void> {
  await writeFile(path, saveNpz(tensors, options));
}
