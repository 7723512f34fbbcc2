/** IDX and CSV readers, and MNIST / Fashion-MNIST from ../shared/data. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { FormatError, ValueError } from "../../src/index.ts";
import { FashionMNIST, MNIST, readCsv, readIdx } from "../../src/data/index.ts";
import { SHARED_DATA } from "./shared-data.ts";

/** An IDX file: magic 00 00 type ndim, big-endian dims, then `payload`. */
function idx(type: number, dims: number[], payload: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(head.buffer);
  head.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

describe("readIdx", () => {
  test("uint8, and big-endian int16 / int32 / float32 / float64, gzipped or not", () => {
    const u8 = idx(0x08, [2, 3], Uint8Array.from([1, 2, 3, 4, 5, 255]));
    assert.deepEqual(readIdx(u8).toArray(), [[1, 2, 3], [4, 5, 255]]);
    assert.deepEqual(readIdx(gzipSync(u8)).toArray(), [[1, 2, 3], [4, 5, 255]]);
    assert.equal(readIdx(u8).dtype, "uint8");
    const be = (bytes: number, write: (v: DataView, i: number) => void, n: number) => {
      const b = new Uint8Array(bytes * n);
      for (let i = 0; i < n; i++) write(new DataView(b.buffer), i);
      return b;
    };
    assert.deepEqual(readIdx(idx(0x0b, [2], be(2, (v, i) => v.setInt16(2 * i, [-2, 300][i]!, false), 2))).toArray(), [-2, 300]);
    assert.deepEqual(readIdx(idx(0x0c, [2], be(4, (v, i) => v.setInt32(4 * i, [-70000, 5][i]!, false), 2))).toArray(), [-70000, 5]);
    assert.deepEqual(readIdx(idx(0x0d, [1], be(4, (v) => v.setFloat32(0, 1.5, false), 1))).toArray(), [1.5]);
    const f64 = readIdx(idx(0x0e, [1, 1], be(8, (v) => v.setFloat64(0, -0.1, false), 1)));
    assert.equal(f64.dtype, "float64");
    assert.deepEqual(f64.toArray(), [[-0.1]]);
    assert.deepEqual(readIdx(idx(0x09, [2], Uint8Array.from([255, 1]))).toArray(), [-1, 1]);
  });

  test("typed errors: wrong magic, truncated header and data, dims that disagree, absurd dims, bad gzip", () => {
    const good = idx(0x08, [2, 2], Uint8Array.from([1, 2, 3, 4]));
    const bad = (bytes: Uint8Array, re: RegExp) =>
      assert.throws(() => readIdx(bytes, { file: "x.idx" }), (e: unknown) => e instanceof FormatError && re.test(e.message) && e.message.startsWith("x.idx: "));
    bad(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), /not an IDX file: magic 50 4b 03 04/);
    bad(Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 1, 9]), /not an IDX file/);
    bad(good.subarray(0, 3), /truncated: 3 bytes/);
    bad(good.subarray(0, 10), /IDX header is truncated: 2 dims need 12 bytes/);
    bad(good.subarray(0, good.length - 1), /IDX dims \[2, 2\] need more than the 3 data bytes present/);
    bad(idx(0x08, [2, 2], Uint8Array.from([1, 2, 3, 4, 5])), /IDX dims \[2, 2\] give 4 data bytes but 5 follow the header/);
    bad(idx(0x08, [0xffffffff, 0xffffffff, 0xffffffff], new Uint8Array(8)), /need more than the 8 data bytes present/);
    bad(idx(0x0e, [3], new Uint8Array(16)), /need more than the 16 data bytes/);
    const gz = gzipSync(good);
    bad(gz.subarray(0, gz.length - 6), /gzip/);
    const lying = gz.slice();
    new DataView(lying.buffer).setUint32(lying.length - 4, 0xfffffff0, true);
    bad(lying, /declares 4294967280 decompressed bytes, more than the limit/);
    bad(Uint8Array.from([0x1f, 0x8b, 8, 0]), /gzip data is truncated/);
  });
});

describe("readCsv", () => {
  test("header, label column by name and index, quotes, CRLF, blank lines", () => {
    const text = 'a,b,"label"\r\n1,2.5,0\n\n3,-4e2,1\n"5",nan,2\n';
    const byName = readCsv(text, { labelColumn: "label" });
    assert.deepEqual(byName.header, ["a", "b", "label"]);
    assert.deepEqual(byName.featureNames, ["a", "b"]);
    assert.equal(byName.features.dtype, "float32");
    assert.deepEqual(byName.features.shape, [3, 2]);
    assert.deepEqual(byName.features.toArray(), [[1, 2.5], [3, -400], [5, NaN]]);
    assert.deepEqual(byName.labels!.toArray(), [0n, 1n, 2n]);
    const picked = readCsv(text, { header: true, columns: ["b"], labelColumn: -1, dtype: "float64" });
    assert.deepEqual(picked.features.toArray(), [[2.5], [-400], [NaN]]);
    const noHeader = readCsv("1;2\n3;4.5\n", { delimiter: ";", labelColumn: 1 });
    assert.equal(noHeader.header, null);
    assert.deepEqual(noHeader.features.toArray(), [[1], [3]]);
    assert.equal(noHeader.labels!.dtype, "float32");
  });

  test("errors name the row and column", () => {
    assert.throws(() => readCsv("a,b\n1,2\n3,x\n"), (e: unknown) => e instanceof FormatError && /CSV row 3, column 'b': 'x' is not a number/.test(e.message));
    assert.throws(() => readCsv("1,2\n3\n"), (e: unknown) => e instanceof FormatError && /CSV row 2 has 1 fields, expected 2/.test(e.message));
    assert.throws(() => readCsv('1,"2\n'), /row 1: unterminated quoted field/);
    assert.throws(() => readCsv("1,2\n", { labelColumn: "y" }), (e: unknown) => e instanceof ValueError && /has no header row/.test(e.message));
    assert.throws(() => readCsv("a,b\n1,2\n", { labelColumn: "y" }), /'y' is not in the header \[a, b\]/);
    assert.throws(() => readCsv("1,2\n", { labelColumn: 5 }), /labelColumn 5 is out of range for 2 columns/);
    assert.throws(() => readCsv("\n\n"), /CSV has no rows/);
  });

  test("iris.csv and digits.csv.gz from the shared data", { skip: SHARED_DATA === null }, () => {
    const iris = readCsv(readFileSync(join(SHARED_DATA!, "small", "iris.csv"), "utf8"), { header: true, labelColumn: -1 });
    assert.deepEqual(iris.features.shape, [150, 4]);
    assert.deepEqual(iris.features.index(0).toArray(), [5.1, 3.5, 1.4, 0.2].map(Math.fround));
    assert.deepEqual(counts(iris.labels!.toArray() as bigint[], 3), [50, 50, 50]);
    const digits = readCsv(readFileSync(join(SHARED_DATA!, "small", "digits.csv.gz")), { labelColumn: 64 });
    assert.equal(digits.header, null);
    assert.deepEqual(digits.features.shape, [1797, 64]);
    assert.equal(digits.features.max().item(), 16);
    assert.equal(digits.labels!.shape[0], 1797);
  });
});

function counts(labels: bigint[], k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const l of labels) c[Number(l)]!++;
  return c;
}

const sha256 = (bytes: ArrayBufferView) => createHash("sha256").update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).digest("hex");

describe("MNIST and Fashion-MNIST", { skip: SHARED_DATA === null }, () => {
  const expected = {
    mnist: {
      train: { n: 60000, images: "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757", labels: "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        counts: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949], first: [5, 0, 4, 1, 9, 2, 1, 3, 1, 4], sum0: 27525,
        row14: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 81, 240, 253, 253, 119, 25, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
      test: { n: 10000, images: "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161", labels: "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
        counts: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], first: [7, 2, 1, 0, 4, 1, 4, 9, 5, 9], sum0: 18454,
        row14: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 59, 249, 254, 62, 0, 0, 0, 0, 0, 0, 0, 0] },
    },
    fashion: {
      test: { n: 10000, images: "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a", labels: "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
        counts: new Array(10).fill(1000), first: [9, 2, 1, 1, 6, 1, 4, 6, 5, 7], sum0: 33456,
        row14: [0, 0, 0, 0, 0, 0, 2, 4, 1, 0, 0, 0, 98, 136, 110, 109, 110, 162, 135, 144, 149, 159, 167, 144, 158, 169, 119, 0] },
    },
  };
  type Expect = (typeof expected.mnist)["train"];
  const check = (ds: MNIST | FashionMNIST, e: Expect) => {
    assert.equal(ds.length, e.n);
    assert.deepEqual(ds.data.shape, [e.n, 28, 28]);
    assert.equal(ds.data.dtype, "uint8");
    assert.equal(sha256(ds.data.dataSync()), e.images);
    assert.equal(sha256(Uint8Array.from(ds.targets.dataSync() as BigInt64Array, Number)), e.labels);
    assert.deepEqual(counts(ds.targets.toArray() as bigint[], 10), e.counts);
    const [image, label] = ds.getItem(0);
    assert.deepEqual(image.shape, [1, 28, 28]);
    assert.equal(label, e.first[0]);
    assert.equal(Number(image.to("int64").sum().item()), e.sum0);
    assert.deepEqual(image.index(0).index(14).toArray(), e.row14);
    assert.deepEqual(Array.from({ length: 10 }, (_, i) => ds.getItem(i)[1]), e.first);
  };
  test("MNIST train and test: shapes, checksums of the decoded content, label counts, first image", () => {
    check(new MNIST({ root: join(SHARED_DATA!, "mnist") }), expected.mnist.train);
    check(new MNIST({ root: join(SHARED_DATA!, "mnist"), train: false }), expected.mnist.test);
  });
  test("FashionMNIST test split", () => {
    check(new FashionMNIST({ root: join(SHARED_DATA!, "fashion-mnist"), train: false }), expected.fashion.test);
  });
  test("MNIST.fromBytes and a missing folder", () => {
    const dir = join(SHARED_DATA!, "mnist");
    const ds = MNIST.fromBytes({ images: readFileSync(join(dir, "t10k-images-idx3-ubyte.gz")), labels: readFileSync(join(dir, "t10k-labels-idx1-ubyte.gz")) });
    assert.equal(ds.length, 10000);
    assert.throws(() => new MNIST({ root: "/nonexistent" }), (e: unknown) => e instanceof FormatError && /MNIST file train-images-idx3-ubyte not found/.test(e.message));
    assert.throws(
      () => MNIST.fromBytes({ images: readFileSync(join(dir, "t10k-labels-idx1-ubyte.gz")), labels: readFileSync(join(dir, "t10k-labels-idx1-ubyte.gz")) }),
      /expected uint8 images \[N, H, W\]/,
    );
  });
});
