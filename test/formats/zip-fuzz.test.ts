import { test } from "node:test";
import assert from "node:assert/strict";
import { readZip, writeZip } from "../../src/formats/zip/index.ts";
import { fuzz } from "../helpers/fuzz.ts";
import { FormatError } from "../../src/core/errors.ts";

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

test("the harness fails on non-ConcordErrors, slow parses and big allocations", () => {
  assert.throws(() => fuzz("self", valid, () => { throw new TypeError("boom"); }, { iterations: 3 }), /threw TypeError instead of a ConcordError: boom/);
  assert.equal(fuzz("self", valid, () => { throw new FormatError("fine"); }, { iterations: 3 }).rejected, 3);
  assert.throws(() => fuzz("self", valid, () => { const end = performance.now() + 30; while (performance.now() < end); }, { iterations: 2, timeBudgetMs: 10 }), /over the budget of 10 ms/);
  assert.throws(() => fuzz("self", valid, () => new Uint8Array(8 << 20).fill(1), { iterations: 2, allocBudgetBytes: 1 << 20 }), /memory grew by \d+ bytes/);
});
