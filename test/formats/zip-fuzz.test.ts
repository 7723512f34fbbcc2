import { test } from "node:test";
import assert from "node:assert/strict";
import { readZip, writeZip } from "../../src/formats/zip/index.ts";
import { fuzz } from "../helpers/fuzz.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const valid = writeZip(
  [
    { name: "archive/data.pkl", data: enc("pickle bytes") },
    { name: "archive/data/0", data: new Uint8Array(100).map((_, i) => i) },
    { name: "archive/notes.txt", data: enc("hello ".repeat(200)), deflate: true },
  ],
  { align: 64 },
);

test("fuzz: mutated archives read or fail with a ConcordError", { timeout: 120_000 }, () => {
  const stats = fuzz("zip", valid, (bytes) => {
    const zip = readZip(bytes, { fileName: "fuzz.zip" });
    return zip.entries.map((e) => zip.read(e));
  });
  assert.ok(stats.rejected > 0 && stats.accepted > 0, JSON.stringify(stats));
});
