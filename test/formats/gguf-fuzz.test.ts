import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { load } from "../../src/formats/gguf/index.ts";
import { fuzz } from "../helpers/fuzz.ts";

const valid = new Uint8Array(readFileSync(new URL("../fixtures/formats/tiny-v3.gguf", import.meta.url)));

test("fuzz: mutated GGUF files read or fail with a ConcordError", { timeout: 120_000 }, () => {
  const stats = fuzz("gguf", valid, (bytes) => load(bytes, { fileName: "fuzz.gguf", copy: true }));
  assert.ok(stats.rejected > 0 && stats.accepted > 0, JSON.stringify(stats));
});
