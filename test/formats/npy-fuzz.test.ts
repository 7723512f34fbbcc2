import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { load, loadNpz } from "../../src/formats/npy/index.ts";
import { fuzz } from "../helpers/fuzz.ts";

const file = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/formats/${name}`, import.meta.url)));

test("fuzz: mutated .npy files read or fail with a ConcordError", { timeout: 120_000 }, () => {
  for (const name of ["npy_fortran_be_i8.npy", "npy_le_f4.npy", "npy_le_u2.npy"]) {
    const stats = fuzz(name, file(name), (bytes) => load(bytes, { fileName: "fuzz.npy", copy: true }));
    assert.ok(stats.rejected > 0, JSON.stringify(stats));
  }
});

test("fuzz: mutated .npz files read or fail with a ConcordError", { timeout: 120_000 }, () => {
  for (const name of ["arrays.npz", "arrays_compressed.npz"]) {
    const stats = fuzz(name, file(name), (bytes) => loadNpz(bytes, { fileName: "fuzz.npz" }));
    assert.ok(stats.rejected > 0, JSON.stringify(stats));
  }
});
