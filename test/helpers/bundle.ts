/** Bundles an entry for the browser platform and checks nothing in it imports a node: module. */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Returns the bundle's code. */
export async function esbuildCheck(entry: URL): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
    metafile: true,
  });
  const nodeImports = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.path.startsWith("node:") || i.external).map((i) => i.path),
  );
  assert.deepEqual(nodeImports, []);
  const code = result.outputFiles[0]!.text;
  assert.ok(!/from\s+["']node:/.test(code));
  return code;
}
