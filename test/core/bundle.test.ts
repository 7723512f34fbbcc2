/** The library bundles for a browser: nothing reachable from src/index.ts imports a node: module. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { esbuildCheck } from "../helpers/bundle.ts";

test("src/index.ts bundles for the browser platform with no node: imports", async () => {
  const code = await esbuildCheck(new URL("../../src/index.ts", import.meta.url));
  assert.ok(code.length > 10_000);
});
