/**
 * PyTorch checkpoints (.pt/.pth): `load` reads both formats torch.save writes (zip and
 * legacy) through a restricted unpickler that only builds tensors and plain data; `save`
 * writes the zip format, loadable with torch.load(path, weights_only=True).
 * File paths: see `./node.ts` (Node only).
 */
export { load, loadStateDict, type LoadOptions } from "./load.ts";
export { save, type SaveOptions } from "./save.ts";
export type { PyValue, PyObject } from "./materialize.ts";
