/** PyTorch checkpoints from and to files (Node only; the browser uses `load`/`save` on bytes). */
import { readFileSync, writeFileSync } from "node:fs";
import { load, loadStateDict, type LoadOptions } from "./load.ts";
import type { PyObject, PyValue } from "./materialize.ts";
import { save, type SaveOptions } from "./save.ts";

/** Reads a .pt/.pth file; errors name the file. */
export function loadFile(path: string, options: Omit<LoadOptions, "fileName"> = {}): PyValue {
  return load(readFileSync(path), { ...options, fileName: path });
}

/** Reads a .pt/.pth file whose top level is a state dict. */
export function loadStateDictFile(path: string, options: Omit<LoadOptions, "fileName"> = {}): PyObject {
  return loadStateDict(readFileSync(path), { ...options, fileName: path });
}

/** Writes `obj` (usually a state dict) as torch.save would. */
export function saveFile(path: string, obj: unknown, options: SaveOptions = {}): void {
  writeFileSync(path, save(obj, options));
}
