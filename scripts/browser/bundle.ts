/**
 * Bundling for a browser page with esbuild: the page's entry and, next to it, the
 * DataLoader's Web Worker program.
 *
 * A DataLoader in a browser starts its workers from `entry.js` beside the bundle that
 * imported concord (src/data/worker/handle.ts resolves `./entry.js` against the bundle's
 * `import.meta.url`), so that file is src/data/worker/entry.ts bundled on its own. The wasm
 * backend's thread pool needs no file: its workers start from a Blob URL.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const DATA_WORKER = new URL("../../src/data/worker/entry.ts", import.meta.url);

/** Bundles one entry (ESM, browser platform) and returns its code. */
export async function bundleBrowser(entry: URL): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/**
 * The files a page needs: `pageName` (the entry bundled) and `entry.js` (the DataLoader's
 * worker program), by their names in the page's folder.
 */
export async function bundlePage(entry: URL, pageName = "app.js"): Promise<Map<string, string>> {
  if (pageName === "entry.js") throw new Error("entry.js is the DataLoader worker's name: give the page bundle another");
  const [page, worker] = await Promise.all([bundleBrowser(entry), bundleBrowser(DATA_WORKER)]);
  return new Map([
    [pageName, page],
    ["entry.js", worker],
  ]);
}
