// Mutated checkpoints must load or fail with a ConcordError: never another error, a hang or a huge allocation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load } from "../../src/formats/pytorch/index.ts";
import { readZip, writeZip } from "../../src/formats/zip/index.ts";
import { fuzz } from "../helpers/fuzz.ts";

const DIR = fileURLToPath(new URL("../fixtures/pytorch/", import.meta.url));
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(DIR + name));
const TIMEOUT = { timeout: 600_000 };

function assertBoth(name: string, stats: ReturnType<typeof fuzz>): void {
  assert.ok(stats.accepted + stats.rejected === stats.iterations, name);
  assert.ok(stats.rejected > 0, `${name}: some mutations must be rejected (${JSON.stringify(stats)})`);
}

for (const file of ["views.zip.pt", "nested.p4.pt"]) {
  test(`fuzz: mutated ${file} (CRC checks off, so mutations reach the pickle and storages)`, TIMEOUT, () => {
    assertBoth(file, fuzz(file, read(file), (bytes) => load(bytes, { fileName: file, zip: { checkCrc: false } }), { seed: 11 }));
  });
}

for (const file of ["views.zip.pt", "nested.zip.pt", "resnet_like.zip.pt"]) {
  test(`fuzz: the pickle of ${file}, mutated and zipped again`, TIMEOUT, () => {
    const zip = readZip(read(file));
    const entries = zip.entries.map((e) => ({ name: e.name, data: zip.read(e) }));
    const pkl = entries.find((e) => e.name.endsWith("/data.pkl"))!;
    const parse = (mutated: Uint8Array) => load(writeZip(entries.map((e) => (e === pkl ? { name: e.name, data: mutated } : e))), { fileName: file });
    assertBoth(file, fuzz(`${file} data.pkl`, pkl.data, parse, { seed: 7 }));
  });
}

for (const file of ["views.legacy.pt", "nested.legacy.pt", "plain.p0.legacy.pt"]) {
  test(`fuzz: mutated ${file}`, TIMEOUT, () => {
    assertBoth(file, fuzz(file, read(file), (bytes) => load(bytes, { fileName: file }), { seed: 3 }));
  });
}
