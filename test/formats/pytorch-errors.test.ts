// Broken, hostile and unusual checkpoints, built byte by byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load, loadStateDict, save } from "../../src/formats/pytorch/index.ts";
import { writeZip } from "../../src/formats/zip/index.ts";
import { FormatError, UnsupportedError, ValueError } from "../../src/core/errors.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { tensor } from "../../src/index.ts";

const DIR = fileURLToPath(new URL("../fixtures/pytorch/", import.meta.url));
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(DIR + name));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

// A few pickle opcodes, written out.
const PROTO2 = [0x80, 2];
const MARK = 0x28, STOP = 0x2e, TUPLE = 0x74, EMPTY_TUPLE = 0x29, REDUCE = 0x52, BINPERSID = 0x51;
const EMPTY_DICT = 0x7d, EMPTY_LIST = 0x5d, APPEND = 0x61, SETITEM = 0x73, NEWFALSE = 0x89;
type Part = number | number[] | Uint8Array;
function pickle(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) typeof p === "number" ? out.push(p) : out.push(...p);
  return Uint8Array.from(out);
}
const str = (s: string): number[] => {
  const b = enc(s);
  return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b];
};
const int = (n: number): number[] => [0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const global = (module: string, name: string): number[] => [0x63, ...enc(`${module}\n${name}\n`)];
const tuple = (...items: number[][]): number[] => [MARK, ...items.flat(), TUPLE];

/** {"t": _rebuild_tensor_v2(storage '0' of `numel` elements, offset, shape, stride, False, OrderedDict())} */
function tensorPickle(numel: number, offset: number, shape: number[], stride: number[], storage = "FloatStorage", kind = "storage"): Uint8Array {
  return pickle(
    PROTO2, EMPTY_DICT, str("t"),
    global("torch._utils", "_rebuild_tensor_v2"),
    MARK,
    tuple(str(kind), global("torch", storage), str("0"), str("cpu"), int(numel)), BINPERSID,
    int(offset), tuple(...shape.map(int)), tuple(...stride.map(int)), NEWFALSE,
    global("collections", "OrderedDict"), EMPTY_TUPLE, REDUCE,
    TUPLE, REDUCE, SETITEM, STOP,
  );
}

function checkpoint(pkl: Uint8Array, records: Record<string, Uint8Array> = {}): Uint8Array {
  return writeZip([{ name: "archive/data.pkl", data: pkl }, ...Object.entries(records).map(([name, data]) => ({ name: `archive/${name}`, data }))]);
}

const floats = (...v: number[]): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);

function throwsFormat(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof FormatError && pattern.test(e.message));
}

test("the hand-built checkpoint reads (the builder is right)", () => {
  const sd = load(checkpoint(tensorPickle(4, 1, [3], [1]), { "data/0": floats(1, 2, 3, 4) })) as Record<string, Tensor>;
  assert.deepEqual(sd["t"]!.toArray(), [2, 3, 4]);
});

test("a tensor reaching past its storage is refused", () => {
  throwsFormat(() => load(checkpoint(tensorPickle(4, 2, [3], [1]), { "data/0": floats(1, 2, 3, 4) }), { fileName: "x.pt" }), /x\.pt.*reaches element 4 of a storage of 4/);
  throwsFormat(() => load(checkpoint(tensorPickle(4, 0, [2, 2], [3, 1]), { "data/0": floats(1, 2, 3, 4) })), /reaches element 4/);
  throwsFormat(() => load(checkpoint(tensorPickle(4, 0, [2], [-1]), { "data/0": floats(1, 2, 3, 4) })), /negative size or stride/);
});

test("storage records must exist and match their declared size", () => {
  throwsFormat(() => load(checkpoint(tensorPickle(4, 0, [4], [1])), { fileName: "m.pt" }), /m\.pt.*storage record 'archive\/data\/0' is missing/);
  throwsFormat(() => load(checkpoint(tensorPickle(4, 0, [4], [1]), { "data/0": floats(1, 2, 3) })), /has 12 bytes, 4 float32 elements need 16/);
});

test("big-endian checkpoints (byteorder record) are byte-swapped", () => {
  const be = new Uint8Array(8);
  new DataView(be.buffer).setFloat32(0, 1.5, false);
  new DataView(be.buffer).setFloat32(4, -2, false);
  const sd = load(checkpoint(tensorPickle(2, 0, [2], [1]), { byteorder: enc("big"), "data/0": be })) as Record<string, Tensor>;
  assert.deepEqual(sd["t"]!.toArray(), [1.5, -2]);
  throwsFormat(() => load(checkpoint(tensorPickle(2, 0, [2], [1]), { byteorder: enc("middle"), "data/0": be })), /byteorder record says 'middle'/);
});

test("unsupported storages and persistent ids that are not storages are refused", () => {
  assert.throws(() => load(checkpoint(tensorPickle(2, 0, [2], [1], "ComplexDoubleStorage"))), (e: unknown) => e instanceof UnsupportedError && /complex128/.test(e.message));
  assert.throws(() => load(checkpoint(tensorPickle(2, 0, [2], [1], "QInt8Storage"))), (e: unknown) => e instanceof UnsupportedError && /qint8/.test(e.message));
  throwsFormat(() => load(checkpoint(tensorPickle(2, 0, [2], [1], "FloatStorage", "module"))), /pickled nn\.Module/);
  throwsFormat(() => load(checkpoint(tensorPickle(2, 0, [2], [1], "FloatStorage", "other"))), /kind 'other' is not a storage/);
});

test("globals are refused before anything runs, STACK_GLOBAL included", () => {
  // a storage reference that would fail comes first; the refused global is still what is reported
  const pkl = pickle(PROTO2, MARK, tuple(str("storage"), global("torch", "FloatStorage"), str("9"), str("cpu"), int(1)), BINPERSID, global("os", "system"), str("true"), 0x85, REDUCE, TUPLE, STOP);
  throwsFormat(() => load(checkpoint(pkl)), /refused global 'os\.system'/);
  const stack = pickle(PROTO2, 0x8c, 2, ...enc("os"), 0x94, 0x8c, 6, ...enc("system"), 0x94, 0x93, STOP);
  throwsFormat(() => load(checkpoint(stack)), /refused global 'os\.system'/);
  const hidden = pickle(PROTO2, str("os"), str("system"), 0x32, 0x30, 0x93, STOP);
  throwsFormat(() => load(checkpoint(hidden)), /STACK_GLOBAL takes its module and name from values the scan cannot check/);
  throwsFormat(() => load(checkpoint(pickle(PROTO2, 0x82, 1, STOP))), /refused EXT1/);
  throwsFormat(() => load(checkpoint(pickle(PROTO2, global("builtins", "getattr"), STOP))), /refused global 'builtins\.getattr'/);
  throwsFormat(() => load(checkpoint(pickle(PROTO2, global("torch", "FloatStorage"), EMPTY_TUPLE, REDUCE, STOP))), /not an allowed function/);
});

test("malformed pickles give FormatErrors with the offset", () => {
  const cases: [Uint8Array, RegExp][] = [
    [pickle(PROTO2, 0x58, 0xf0, 0xff, 0xff, 0xff, STOP), /BINUNICODE needs 4294967280 bytes/],
    [pickle(PROTO2, 0x68, 7, STOP), /memo has no entry 7/],
    [pickle(PROTO2, APPEND, STOP), /APPEND on an empty stack/],
    [pickle(PROTO2, EMPTY_DICT, APPEND, STOP), /APPEND on an empty stack/],
    [pickle(PROTO2, EMPTY_DICT, EMPTY_LIST, APPEND, STOP), /APPEND on dict, not a list/],
    [pickle(PROTO2, EMPTY_DICT, EMPTY_LIST, EMPTY_LIST, SETITEM, STOP), /a list cannot be a dict key/],
    [pickle(PROTO2, TUPLE, STOP), /TUPLE without a MARK/],
    [pickle(PROTO2, MARK, STOP), /STOP inside an unclosed MARK|STOP on an empty stack/],
    [pickle(PROTO2, EMPTY_LIST), /pickle ends without a STOP/],
    [pickle(PROTO2, 0xff, STOP), /unknown pickle opcode 0xff/],
    [pickle(0x80, 9, STOP), /protocol 9 is newer than 5/],
  ];
  for (const [pkl, pattern] of cases) throwsFormat(() => load(checkpoint(pkl), { fileName: "bad.pt" }), new RegExp(`bad\\.pt.*${pattern.source}.*at byte`));
});

test("containers nested past the limit are refused, not recursed into", () => {
  const depth = 5000;
  const pkl = pickle(PROTO2, new Array(depth).fill(EMPTY_LIST), new Array(depth - 1).fill(APPEND), STOP);
  throwsFormat(() => load(checkpoint(pkl)), /nested more than 1000 deep/);
});

test("truncated files give FormatErrors naming the file", () => {
  for (const file of ["views.zip.pt", "views.legacy.pt", "nested.legacy.pt"]) {
    const bytes = read(file);
    for (const n of [1, 2, 10, 50, Math.floor(bytes.length / 2), bytes.length - 9, bytes.length - 1])
      assert.throws(
        () => load(bytes.subarray(0, n), { fileName: file }),
        (e: unknown) => e instanceof FormatError && e.message.startsWith(`${file}`),
        `${file} cut at ${n}`,
      );
  }
  throwsFormat(() => load(enc("just some text, not a checkpoint"), { fileName: "t.txt" }), /t\.txt: not a PyTorch checkpoint/);
  throwsFormat(() => load(writeZip([{ name: "a/b.txt", data: enc("x") }])), /zip has no a\/data\.pkl/);
});

test("zip limits apply to checkpoints: bombs, traversal names, too many entries", () => {
  const bytes = read("resnet_like.zip.pt");
  throwsFormat(() => load(bytes, { fileName: "r.pt", zip: { maxEntries: 3 } }), /r\.pt: zip has \d+ entries, more than the limit of 3/);
  throwsFormat(() => load(bytes, { zip: { maxEntrySize: 100 } }), /more than the limit of 100 \(option maxEntrySize\)/);
  const bomb = writeZip([{ name: "archive/data.pkl", data: new Uint8Array(4 << 20), deflate: true }]);
  throwsFormat(() => load(bomb, { zip: { maxTotalSize: 1 << 20 } }), /more than the limit of 1048576 bytes uncompressed/);
  const named = checkpoint(tensorPickle(1, 0, [1], [1]), { "data/0": floats(1) });
  // rename the pickle (same length, in the local header and the central directory) to a traversal path
  const evil = Uint8Array.from(named);
  const a = enc("archive/data.pkl");
  const b = enc("../../x/data.pkl");
  for (let i = 0; i + a.length <= evil.length; i++) if (a.every((x, k) => evil[i + k] === x)) evil.set(b, i);
  throwsFormat(() => load(evil), /'\.\.' component/);
});

test("save refuses what is not data", () => {
  assert.throws(() => save({ f: () => 1 }), (e: unknown) => e instanceof ValueError && /value\["f"\]|a function/.test(e.message));
  assert.throws(() => save({ d: new Date(0) }), (e: unknown) => e instanceof ValueError && /Date is not data/.test(e.message));
  const t = tensor([1, 2]);
  t.dispose();
  assert.throws(() => save({ t }), /disposed/);
});

test("save keeps floats, big ints, bytes, sets, Maps and tuples", () => {
  const value = { f: 1.25, neg0: -0, big: 2n ** 70n, bytes: Uint8Array.of(0, 255), set: new Set([1, 2]), map: new Map<unknown, unknown>([[3, "x"]]), tup: Object.freeze([1, "a"]) };
  const back = load(save(value)) as Record<string, unknown>;
  assert.equal(back["f"], 1.25);
  assert.ok(Object.is(back["neg0"], -0));
  assert.equal(back["big"], 2n ** 70n);
  assert.deepEqual([...(back["bytes"] as Uint8Array)], [0, 255]);
  assert.deepEqual([...(back["set"] as Set<number>)], [1, 2]);
  assert.equal((back["map"] as Map<number, string>).get(3), "x");
  assert.ok(Object.isFrozen(back["tup"]));
  assert.deepEqual(back["tup"], [1, "a"]);
});

/** The legacy format around a main pickle: magic, protocol 1001, sys info, object, keys, storages. */
function legacy(main: Uint8Array, keys: string[], storages: Uint8Array[], littleEndian = true): Uint8Array {
  const magic = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]; // 0x1950a86a20f9469cfc6c, little-endian
  const parts: Part[] = [
    pickle(PROTO2, 0x8a, magic.length, magic, STOP),
    pickle(PROTO2, 0x4d, 1001 & 0xff, 1001 >> 8, STOP),
    pickle(PROTO2, EMPTY_DICT, str("little_endian"), littleEndian ? 0x88 : NEWFALSE, SETITEM, STOP),
    main,
    pickle(PROTO2, EMPTY_LIST, MARK, ...keys.map(str), 0x65, STOP),
  ];
  for (const s of storages) {
    const count = new Uint8Array(8);
    new DataView(count.buffer).setBigInt64(0, BigInt(s.length / 4), littleEndian);
    parts.push(count, s);
  }
  return pickle(...parts);
}

/** {"t": _rebuild_tensor_v2(storage 'root' (6 floats) viewed from element 2 for 3, offset, [2], [1], ...)} */
function legacyViewPickle(viewOffset: number, viewSize: number, offset: number): Uint8Array {
  return pickle(
    PROTO2, EMPTY_DICT, str("t"),
    global("torch._utils", "_rebuild_tensor_v2"),
    MARK,
    tuple(str("storage"), global("torch", "FloatStorage"), str("root"), str("cpu"), int(6), tuple(str("view"), int(viewOffset), int(viewSize))), BINPERSID,
    int(offset), tuple(int(2)), tuple(int(1)), NEWFALSE,
    global("collections", "OrderedDict"), EMPTY_TUPLE, REDUCE,
    TUPLE, REDUCE, SETITEM, STOP,
  );
}

test("legacy storage views (old PyTorch) read at their offset, bounded by the view", () => {
  const sd = load(legacy(legacyViewPickle(2, 3, 1), ["root"], [floats(0, 1, 2, 3, 4, 5)])) as Record<string, Tensor>;
  assert.deepEqual(sd["t"]!.toArray(), [3, 4]);
  throwsFormat(() => load(legacy(legacyViewPickle(2, 3, 2), ["root"], [floats(0, 1, 2, 3, 4, 5)])), /reaches element 3 of a storage of 3/);
  throwsFormat(() => load(legacy(legacyViewPickle(4, 3, 0), ["root"], [floats(0, 1, 2, 3, 4, 5)])), /outside its storage of 6 elements/);
});

test("legacy storages must be listed, sized and present as the pickle says", () => {
  const pkl = legacyViewPickle(0, 6, 0);
  const data = floats(0, 1, 2, 3, 4, 5);
  const be = new Uint8Array(24);
  for (let i = 0; i < 6; i++) new DataView(be.buffer).setFloat32(i * 4, i, false);
  assert.deepEqual((load(legacy(pkl, ["root"], [be], false)) as Record<string, Tensor>)["t"]!.toArray(), [0, 1]);
  throwsFormat(() => load(legacy(pkl, [], [])), /storage 'root' is used but its data is missing/);
  throwsFormat(() => load(legacy(pkl, ["root", "other"], [data, data])), /storage 'other' is listed but no tensor uses it/);
  throwsFormat(() => load(legacy(pkl, ["root"], [floats(0, 1, 2)])), /storage 'root' has 3 elements in the file, its tensors say 6/);
  throwsFormat(() => load(legacy(pkl, ["root"], [data]).subarray(0, -4)), /file ends inside storage 'root'/);
});

test("loadStateDict wants a dict with string keys at the top", () => {
  throwsFormat(() => loadStateDict(save([tensor([1])]), { fileName: "l.pt" }), /l\.pt: the checkpoint's top level is a list, not a dict with string keys/);
  throwsFormat(() => loadStateDict(save(new Map([[1, 2]]))), /top level is a dict with non-string keys/);
  assert.deepEqual(Object.keys(loadStateDict(save({ b: 1, a: 2 }))), ["b", "a"]);
});
