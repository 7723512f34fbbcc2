/**
 * `save`: an ONNX model to a file (Node.js), large tensors optionally in one side file
 * (ONNX external data), as onnx.save_model(..., save_as_external_data=True) lays them out.
 */
import type { Model } from "../../graph/ir.ts";
import { encodeModel } from "./codec.ts";
import { nodeModule, type NodeFs, type NodePath } from "./load.ts";
import { checkLocation, type ExternalWriter } from "./tensor-proto.ts";

export interface SaveOptions {
  /** Put tensors of at least `sizeThreshold` bytes (default 1024) in `location`, next to the model. */
  externalData?: { location: string; sizeThreshold?: number };
}

/** The bytes of `model` and of its side file, with tensors over the threshold moved there. */
export function encodeWithExternalData(model: Model, location: string, sizeThreshold = 1024): { model: Uint8Array; external: Uint8Array } {
  checkLocation(location);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const writer: ExternalWriter = (_t, bytes) => {
    if (bytes.length < sizeThreshold) return undefined;
    const at = offset;
    chunks.push(bytes);
    offset += bytes.length;
    return { location, offset: at, length: bytes.length };
  };
  const bytes = encodeModel(model, { writeExternal: writer });
  const external = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    external.set(c, at);
    at += c.length;
  }
  return { model: bytes, external };
}

/**
 * Writes `model` to `path`.
 *
 * ```ts
 * onnx.save(model.model, "out.onnx", { externalData: { location: "out.onnx.data" } });
 * ```
 */
export function save(model: Model, path: string, options: SaveOptions = {}): void {
  const fs = nodeModule<NodeFs>("fs");
  const nodePath = nodeModule<NodePath>("path");
  if (!options.externalData) {
    fs.writeFileSync(path, encodeModel(model));
    return;
  }
  const { model: bytes, external } = encodeWithExternalData(model, options.externalData.location, options.externalData.sizeThreshold);
  fs.writeFileSync(nodePath.join(nodePath.dirname(path), options.externalData.location), external);
  fs.writeFileSync(path, bytes);
}
