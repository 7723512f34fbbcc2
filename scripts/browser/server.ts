/**
 * A tiny static server for browser tests: files held in memory plus folders on disk,
 * optionally with the cross-origin isolation headers that give a page SharedArrayBuffer
 * (and so the wasm backend's threads).
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

export interface StaticServerOptions {
  /** Files by URL path ("/app.js"). */
  files: ReadonlyMap<string, string | Uint8Array>;
  /** Folders on disk by URL prefix ("/onnx/" → "/work/shared/onnx-tests"). */
  folders?: Readonly<Record<string, string>>;
  /** Send COOP same-origin and COEP require-corp, making pages cross-origin isolated. */
  isolated: boolean;
}

export interface StaticServer {
  /** "http://127.0.0.1:port" */
  readonly origin: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** The file a folder prefix maps `path` to, or null when it is not under one (or escapes it). */
function folderFile(folders: Readonly<Record<string, string>>, path: string): string | null {
  for (const [prefix, dir] of Object.entries(folders)) {
    if (!path.startsWith(prefix)) continue;
    const rest = normalize(decodeURIComponent(path.slice(prefix.length)));
    if (rest.startsWith("..") || rest.startsWith(sep)) return null;
    return join(dir, rest);
  }
  return null;
}

/** Starts a server on 127.0.0.1 at a free port. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const headers: Record<string, string> = {
        "Content-Type": TYPES[extname(path)] ?? "application/octet-stream",
        "Cache-Control": "no-store",
      };
      if (options.isolated) {
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Embedder-Policy"] = "require-corp";
      }
      let body = options.files.get(path);
      if (body === undefined) {
        const file = folderFile(options.folders ?? {}, path);
        body = file === null ? undefined : await readFile(file).catch(() => undefined);
      }
      if (body === undefined) {
        res.writeHead(404, { "Content-Type": "text/plain" }).end(`not found: ${path}`);
        return;
      }
      res.writeHead(200, headers).end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
