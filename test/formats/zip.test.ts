import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateSync } from "fflate";
import { readZip, writeZip, crc32 } from "../../src/formats/zip/index.ts";
import { FormatError, UnsupportedError, ValueError } from "../../src/core/errors.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function sampleZip(): Uint8Array {
  return writeZip([
    { name: "archive/data.pkl", data: enc("pickle bytes") },
    { name: "archive/data/0", data: new Uint8Array(100).map((_, i) => i) },
    { name: "archive/notes.txt", data: enc("hello ".repeat(200)), deflate: true },
  ]);
}

/** Replaces every occurrence of `from` by `to` (same length) in a copy of `bytes`. */
function patch(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const a = enc(from);
  const b = enc(to);
  assert.equal(a.length, b.length);
  const out = bytes.slice();
  let hits = 0;
  for (let i = 0; i + a.length <= out.length; i++)
    if (a.every((x, k) => out[i + k] === x)) {
      out.set(b, i);
      hits++;
    }
  assert.ok(hits > 0, `'${from}' not found`);
  return out;
}

test("crc32 matches the standard check value", () => {
  assert.equal(crc32(enc("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test("write then read: stored and deflated entries, in order", () => {
  const zip = readZip(sampleZip());
  assert.deepEqual(zip.names(), ["archive/data.pkl", "archive/data/0", "archive/notes.txt"]);
  assert.equal(dec(zip.read("archive/data.pkl")), "pickle bytes");
  assert.deepEqual([...zip.read("archive/data/0")], Array.from({ length: 100 }, (_, i) => i));
  assert.equal(zip.entry("archive/notes.txt").method, "deflated");
  assert.ok(zip.entry("archive/notes.txt").compressedSize < 100);
  assert.equal(dec(zip.read("archive/notes.txt")), "hello ".repeat(200));
  assert.throws(() => zip.read("missing"), (e: unknown) => e instanceof FormatError && /no entry 'missing'/.test(e.message));
});

test("the writer is deterministic", () => {
  assert.deepEqual(sampleZip(), sampleZip());
});

test("align: 64 starts every entry's data on a 64-byte boundary, as PyTorch does", () => {
  const bytes = writeZip(
    [
      { name: "a/data.pkl", data: enc("x") },
      { name: "a/data/0", data: new Uint8Array(13) },
      { name: "a/version", data: enc("3\n") },
    ],
    { align: 64 },
  );
  const zip = readZip(bytes);
  for (const e of zip.entries) {
    const view = new DataView(bytes.buffer);
    const start = e.headerOffset + 30 + view.getUint16(e.headerOffset + 26, true) + view.getUint16(e.headerOffset + 28, true);
    assert.equal(start % 64, 0, e.name);
    // the padding field is PyTorch's: id "FB", then 'Z's
    const extra = e.headerOffset + 30 + view.getUint16(e.headerOffset + 26, true);
    assert.equal(dec(bytes.subarray(extra, extra + 2)), "FB");
  }
  assert.equal(dec(zip.read("a/version")), "3\n");
});

test("ZIP64 records are read back", () => {
  const bytes = writeZip([{ name: "a", data: enc("abc") }, { name: "b/c", data: enc("de".repeat(50)), deflate: true }], { forceZip64: true });
  const zip = readZip(bytes);
  assert.deepEqual(zip.names(), ["a", "b/c"]);
  assert.equal(dec(zip.read("a")), "abc");
  assert.equal(dec(zip.read("b/c")), "de".repeat(50));
});

test("the writer refuses unsafe and duplicate names", () => {
  for (const name of ["../x", "/etc/passwd", "a\\b", "C:/x", "a/../../b", ""])
    assert.throws(() => writeZip([{ name, data: enc("x") }]), ValueError, name);
  assert.throws(() => writeZip([{ name: "a", data: enc("x") }, { name: "a", data: enc("y") }]), ValueError);
});

test("path traversal, absolute paths and backslashes in entry names are refused", () => {
  const base = writeZip([{ name: "aa/x", data: enc("1") }]);
  for (const [bad, why] of [
    ["../x", /'\.\.' component/],
    ["/a/x", /absolute path/],
    ["a\\/x", /backslash/],
  ] as const) {
    const bytes = patch(base, "aa/x", bad);
    assert.throws(
      () => readZip(bytes, { fileName: "evil.zip" }),
      (e: unknown) => e instanceof FormatError && e.message.startsWith("evil.zip: ") && why.test(e.message),
    );
  }
});

test("too many entries are refused before any is read", () => {
  const bytes = writeZip(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: enc("x") })));
  assert.equal(readZip(bytes, { maxEntries: 5 }).entries.length, 5);
  assert.throws(() => readZip(bytes, { maxEntries: 4, fileName: "many.zip" }), /many.zip: zip has 5 entries, more than the limit of 4/);
});

test("zip bomb: an entry inflating past the bound is refused without inflating it", () => {
  const big = new Uint8Array(8 * 2 ** 20); // 8 MiB of zeros deflates to ~8 KiB
  const bytes = writeZip([{ name: "bomb", data: big, deflate: true }]);
  assert.ok(bytes.length < 64 * 1024);
  assert.throws(() => readZip(bytes, { maxEntrySize: 2 ** 20, fileName: "bomb.zip" }), /bomb.zip: entry 'bomb' is 8388608 bytes uncompressed, more than the limit/);
  assert.throws(() => readZip(bytes, { maxTotalSize: 2 ** 20 }), /more than the limit of 1048576 bytes uncompressed/);
  assert.equal(readZip(bytes).read("bomb").length, big.length);
});

test("zip bomb: a header understating the inflated size is caught at the declared size", () => {
  const data = new Uint8Array(4096).fill(7);
  const bytes = writeZip([{ name: "liar", data, deflate: true }]);
  const view = new DataView(bytes.buffer);
  const cd = bytes.length - 22 - (46 + 4);
  assert.equal(view.getUint32(cd, true), 0x02014b50);
  view.setUint32(cd + 24, 100, true); // claims 100 bytes
  assert.throws(() => readZip(bytes).read("liar"), /inflates to more than 100 bytes/);
});

test("a size no deflate stream can reach is refused up front", () => {
  const bytes = writeZip([{ name: "x", data: new Uint8Array(64), deflate: true }]);
  const view = new DataView(bytes.buffer);
  const cd = bytes.length - 22 - (46 + 1);
  view.setUint32(cd + 24, 0xfffffff0, true);
  assert.throws(() => readZip(bytes), /beyond what deflate can produce/);
});

test("CRC mismatch, truncation and garbage give FormatErrors naming the file", () => {
  const bytes = sampleZip();
  const bad = patch(bytes, "pickle bytes", "pickle bytez");
  assert.throws(() => readZip(bad, { fileName: "f.pt" }).read("archive/data.pkl"), /f.pt: entry 'archive\/data.pkl' fails its CRC-32 check/);
  assert.equal(dec(readZip(bad, { checkCrc: false }).read("archive/data.pkl")), "pickle bytez");
  for (const n of [0, 10, bytes.length - 30, bytes.length - 1])
    assert.throws(() => readZip(bytes.subarray(0, n), { fileName: "f.pt" }), (e: unknown) => e instanceof FormatError && e.message.startsWith("f.pt: "));
  assert.throws(() => readZip(enc("definitely not a zip archive at all")), /no end-of-central-directory record/);
});

test("encrypted entries and unknown methods are UnsupportedErrors", () => {
  const bytes = writeZip([{ name: "x", data: enc("abc") }]);
  const cd = bytes.length - 22 - (46 + 1);
  const enc1 = bytes.slice();
  new DataView(enc1.buffer).setUint16(cd + 8, 0x0801, true);
  assert.throws(() => readZip(enc1), UnsupportedError);
  const bz = bytes.slice();
  new DataView(bz.buffer).setUint16(cd + 10, 12, true);
  assert.throws(() => readZip(bz), (e: unknown) => e instanceof UnsupportedError && /method 12/.test(e.message));
});

test("raw deflate written by fflate directly reads back", () => {
  const data = enc("abcabcabc".repeat(30));
  const bytes = writeZip([{ name: "d", data, deflate: true }]);
  const zip = readZip(bytes);
  assert.deepEqual(zip.read("d"), data);
  assert.equal(zip.entry("d").compressedSize, deflateSync(data, { level: 6 }).length);
});
