/** The library bundles for a browser: nothing reachable from src/index.ts imports a node: module. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

test("src/index.ts bundles for the browser platform with no node: imports", async () => {
  const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
  const result = await build({
    entryPoints: [entry],
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
  assert.ok(code.length > 10_000);
});
