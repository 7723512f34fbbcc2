/**
 * `load`: an ONNX model from a path (Node.js), bytes or an ArrayBuffer, with external data
 * read from side files next to the model (Node.js) or from bytes the caller passes.
 */
import { nodeBuiltin } from "../../core/node-builtin.ts";
import { FormatError, ValueError } from "../../core/errors.ts";
import type { ExternalLocation } from "../../graph/ir.ts";
import { decodeModel } from "./codec.ts";
import { OnnxModel } from "./model.ts";
import { checkLocation, type ExternalReader } from "./tensor-proto.ts";

export interface LoadOptions {
  /** Side files by their `location`, for external data when the model is given as bytes. */
  externalData?: Record<string, Uint8Array>;
}

export interface NodeFs {
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array): void;
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  fstatSync(fd: number): { size: number; isFile(): boolean };
  realpathSync(path: string): string;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
}
export interface NodePath {
  dirname(p: string): string;
  join(...p: string[]): string;
  relative(from: string, to: string): string;
  isAbsolute(p: string): boolean;
}

export function nodeModule<T>(name: string): T {
  const m = nodeBuiltin<T>(name);
  if (!m) throw new ValueError(`loading from a path needs Node.js (${name}); pass the bytes instead`);
  return m as T;
}

/** The byte range [offset, offset+length) of a file of `size` bytes, checked. */
export function externalRange(ext: ExternalLocation, size: number): [number, number] {
  const offset = ext.offset ?? 0;
  const length = ext.length ?? size - offset;
  if (offset > size || length < 0 || offset + length > size)
    throw new FormatError(`external data ${ext.location}: bytes [${offset}, ${offset + length}) lie outside the file of ${size} bytes`);
  return [offset, length];
}

function readerFromBytes(files: Record<string, Uint8Array>): ExternalReader {
  return (ext) => {
    checkLocation(ext.location);
    const file = Object.prototype.hasOwnProperty.call(files, ext.location) ? files[ext.location] : undefined;
    if (!file) throw new FormatError(`external data file ${ext.location} was not given`);
    const [offset, length] = externalRange(ext, file.length);
    return file.subarray(offset, offset + length);
  };
}

function readerFromDir(dir: string): ExternalReader {
  const fs = nodeModule<NodeFs>("fs");
  const path = nodeModule<NodePath>("path");
  return (ext) => {
    checkLocation(ext.location);
    const file = path.join(dir, ext.location);
    let fd: number;
    try {
      fd = fs.openSync(file, "r");
    } catch (e) {
      throw new FormatError(`cannot open external data file: ${(e as Error).message}`, file);
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw new FormatError("external data location is not a file", file);
      // The location is checked as text; a symbolic link inside the folder may still lead out of it.
      const inside = path.relative(fs.realpathSync(dir), fs.realpathSync(file));
      if (inside.startsWith("..") || path.isAbsolute(inside)) throw new FormatError("external data leads outside the model's folder", file);
      const [offset, length] = externalRange(ext, stat.size);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, out, done, length - done, offset + done);
        if (n <= 0) throw new FormatError(`external data ended after ${done} of ${length} bytes`, file);
        done += n;
      }
      return out;
    } finally {
      fs.closeSync(fd);
    }
  };
}

/**
 * Loads an ONNX model.
 *
 * ```ts
 * const model = await onnx.load("resnet.onnx");          // Node.js: a path
 * const model2 = await onnx.load(new Uint8Array(bytes));  // anywhere: the file's bytes
 * ```
 */
export async function load(source: string | Uint8Array | ArrayBuffer, options: LoadOptions = {}): Promise<OnnxModel> {
  return loadSync(source, options);
}

/** `load`, synchronously. */
export function loadSync(source: string | Uint8Array | ArrayBuffer, options: LoadOptions = {}): OnnxModel {
  if (typeof source === "string") {
    const fs = nodeModule<NodeFs>("fs");
    const path = nodeModule<NodePath>("path");
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(source);
    } catch (e) {
      throw new FormatError(`cannot read: ${(e as Error).message}`, source);
    }
    const readExternal = options.externalData ? readerFromBytes(options.externalData) : readerFromDir(path.dirname(source));
    return new OnnxModel(decodeModel(bytes, { readExternal, source }));
  }
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  return new OnnxModel(decodeModel(bytes, options.externalData ? { readExternal: readerFromBytes(options.externalData) } : {}));
}
