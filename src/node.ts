/**
 * `concord/node`: the Node-only file helpers of each format (`loadFile` / `saveFile`),
 * kept out of the browser entry. The main entry's `load(path)`, `onnx.load(path)` and
 * the trainer's checkpoints also take paths in Node.
 *
 * ```ts
 * import { pytorch, safetensors } from "concord/node";
 * const sd = await pytorch.loadStateDictFile("model.pth");
 * await safetensors.saveFile("model.safetensors", sd);
 * ```
 */
export * as pytorch from "./formats/pytorch/node.ts";
export * as safetensors from "./formats/safetensors/node.ts";
export * as npy from "./formats/npy/node.ts";
export * as gguf from "./formats/gguf/node.ts";
