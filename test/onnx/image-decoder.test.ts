/**
 * ImageDecoder against PIL (fixture: scripts/fixtures/gen_onnx_images.py): baseline JPEG
 * at every chroma subsampling and grayscale, PNG in four color types, BMP, PPM/PGM and
 * TIFF, at odd sizes; pixels must be equal, as libjpeg's decoder gives them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tensor, tensor } from "../../src/index.ts";
import * as onnx from "../../src/formats/onnx/index.ts";
import { UnsupportedError, FormatError } from "../../src/core/errors.ts";
import { graph, model, node } from "./build.ts";

interface ImageCase {
  name: string;
  encoded: string;
  shape: number[];
  rgb: string;
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/onnx_images.json", import.meta.url), "utf8")) as { cases: ImageCase[] };

function decoder(format: string) {
  const g = graph(
    [node("ImageDecoder", ["bytes"], ["image"], [{ name: "pixel_format", type: "string", value: format }])],
    [{ name: "bytes", type: { kind: "tensor", elemType: "uint8", shape: [null] } }],
    [{ name: "image" }],
  );
  const m = onnx.loadSync(onnx.encodeModel(model(g, { opsetImports: [{ domain: "", version: 20 }] })));
  return (bytes: Uint8Array) => m.runSync({ bytes: tensor(bytes) }).image as Tensor;
}

const bytesOf = (b64: string) => new Uint8Array(Buffer.from(b64, "base64"));

test("ImageDecoder matches PIL pixel for pixel", () => {
  const rgb = decoder("RGB");
  assert.ok(fixture.cases.length >= 30);
  for (const c of fixture.cases) {
    const out = rgb(bytesOf(c.encoded));
    assert.deepEqual([...out.shape], c.shape, c.name);
    assert.deepEqual(Buffer.from(out.dataSync() as Uint8Array), Buffer.from(bytesOf(c.rgb)), c.name);
  }
});

test("ImageDecoder BGR and grayscale layouts", () => {
  const c = fixture.cases.find((x) => x.name === "png_rgb_13x7")!;
  const rgb = bytesOf(c.rgb);
  const bgr = decoder("BGR")(bytesOf(c.encoded)).dataSync() as Uint8Array;
  assert.deepEqual([bgr[0], bgr[1], bgr[2]], [rgb[2], rgb[1], rgb[0]]);
  const gray = decoder("Grayscale")(bytesOf(c.encoded));
  assert.deepEqual([...gray.shape], [7, 13, 1]);
  // PIL's convert("L"): (R·19595 + G·38470 + B·7471 + 2^15) >> 16
  assert.equal((gray.dataSync() as Uint8Array)[0], (rgb[0]! * 19595 + rgb[1]! * 38470 + rgb[2]! * 7471 + 0x8000) >> 16);
});

test("ImageDecoder refuses truncated and unknown data with typed errors", () => {
  const rgb = decoder("RGB");
  const png = bytesOf(fixture.cases.find((x) => x.name === "png_rgb_16x16")!.encoded);
  const jpeg = bytesOf(fixture.cases.find((x) => x.name === "jpeg_420_16x16")!.encoded);
  assert.throws(() => rgb(png.subarray(0, 60)), FormatError);
  assert.throws(() => rgb(jpeg.subarray(0, 200)), FormatError);
  assert.throws(() => rgb(Uint8Array.of(1, 2, 3, 4)), UnsupportedError);
});
