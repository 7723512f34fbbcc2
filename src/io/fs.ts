/**
 * File access for the parts of the library that take paths (checkpoints, model files,
 * charts). In Node it reaches `node:fs` through `process.getBuiltinModule`, so browser
 * bundles never include it; in a browser, path-taking calls fail with a clear error and
 * the byte-taking forms are the way in.
 */
import { requireNodeBuiltin } from "../core/node-builtin.ts";

export interface FileSystem {
  readFile(path: string): Promise<Uint8Array>;
  /** Writes via a temporary file and a rename, so a crash never leaves a half-written file. */
  writeFileAtomic(path: string, data: Uint8Array | string): Promise<void>;
  exists(path: string): Promise<boolean>;
}

interface NodeFsPromises {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  stat(path: string): Promise<unknown>;
  open(path: string, flags: string): Promise<{ sync(): Promise<void>; close(): Promise<void> }>;
}

let cached: FileSystem | null = null;

function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

/** The file system, or an UnsupportedError naming `what` outside Node. */
export async function fileSystem(what = "reading files by path"): Promise<FileSystem> {
  if (cached) return cached;
  const fs = requireNodeBuiltin<{ promises: NodeFsPromises }>("fs", what).promises;
  let counter = 0;
  cached = {
    readFile: (path) => fs.readFile(path).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
    async writeFileAtomic(path, data) {
      await fs.mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.tmp-${(globalThis as { process?: { pid?: number } }).process?.pid ?? 0}-${counter++}`;
      try {
        await fs.writeFile(tmp, data);
        const handle = await fs.open(tmp, "r+");
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.rename(tmp, path);
      } catch (e) {
        await fs.rm(tmp, { force: true });
        throw e;
      }
    },
    exists: (path) => fs.stat(path).then(() => true, () => false),
  };
  return cached;
}
