import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { load } from "../../src/formats/safetensors/index.ts";
import { fuzz } from "../helpers/fuzz.ts";

const valid = new Uint8Array(readFileSync(new URL("../fixtures/formats/all_dtypes.safetensors", import.meta.url)));

test("fuzz: mutated safetensors files read or fail with a ConcordError", { timeout: 120_000 }, () => {
  const stats = fuzz("safetensors", valid, (bytes) => load(bytes, { fileName: "fuzz.safetensors", copy: true }));
  assert.ok(stats.rejected > 0, JSON.stringify(stats));
});
