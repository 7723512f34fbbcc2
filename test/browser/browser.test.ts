/**
 * concord in a real browser: test/browser/entry.ts bundled with esbuild, served with and
 * without cross-origin isolation, run in headless Chromium (Debian's, via playwright-core).
 * Each check of checks.ts runs in the page and in Node, and the results must agree.
 * Skipped, naming what is missing, where chromium or playwright-core is not installed.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { bundlePage } from "../../scripts/browser/bundle.ts";
import { browserMissing, launchChromium, type Browser, type BrowserPage } from "../../scripts/browser/chromium.ts";
import { startStaticServer, type StaticServer } from "../../scripts/browser/server.ts";
import { assertClose } from "../helpers/assert.ts";
import { suiteRoot } from "../onnx/suite.ts";
import { compute, computeInputs, exportCnn, fitClassifier, fromDense, loaderBatches, pytorchSample, readAnyFormat, readSafetensors, safetensorsSample, trainMlp, type Dense } from "./checks.ts";
import type { PageChecks } from "./entry.ts";

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>concord browser test</title></head>
<body><script type="module" src="app.js"></script></body></html>`;

/** Runs check `name` in the page. */
function call<K extends keyof PageChecks>(page: BrowserPage, name: K, arg?: Parameters<PageChecks[K]>[0]): Promise<Awaited<ReturnType<PageChecks[K]>>> {
  return page.evaluate(
    ([n, a]) => (globalThis as unknown as { concordChecks: Record<string, (x: unknown) => unknown> }).concordChecks[n]!(a),
    [name, arg] as const,
  ) as Promise<Awaited<ReturnType<PageChecks[K]>>>;
}

function assertDenseClose(actual: Dense, expected: Dense, what: string, tol: { rtol?: number; atol?: number } = {}): void {
  assertClose(fromDense(actual), fromDense(expected), tol, what);
}

/** A page of `server` with the checks loaded; errors thrown in it end up in `errors`. */
async function openPage(browser: Browser, server: StaticServer, folder = "/"): Promise<{ page: BrowserPage; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(`${server.origin}${folder}index.html`);
  await page.waitForFunction("globalThis.concordChecks !== undefined", undefined, { timeout: 20_000 });
  return { page, errors };
}

/** The ONNX conformance suite's folder, or null where it is absent (those checks then skip). */
function onnxSuite(): string | null {
  try {
    return suiteRoot();
  } catch {
    return null;
  }
}

/** Files of the other formats loadBytes reads: compressed npz (fflate), float16 npy, GGUF, every safetensors dtype. */
const FIXTURES = fileURLToPath(new URL("../fixtures/formats/", import.meta.url));
const FORMAT_FILES = ["arrays_compressed.npz", "npy_le_f2.npy", "tiny-v3.gguf", "all_dtypes.safetensors"];

const missing = await browserMissing();
const onnxRoot = onnxSuite();

if (missing !== "") {
  test("concord in headless Chromium", { skip: missing }, () => {});
} else {
  describe("concord in headless Chromium", { timeout: 60_000 }, () => {
    let browser: Browser;
    let isolated: StaticServer;
    let plain: StaticServer;
    const inputs = computeInputs(1);
    const expected = compute(inputs);
    const sample = safetensorsSample();
    const checkpoint = pytorchSample();

    before(async () => {
      const files = new Map<string, string | Uint8Array>([
        ["/index.html", INDEX_HTML],
        ["/weights.safetensors", sample.bytes],
        ["/checkpoint.pt", checkpoint],
      ]);
      const bundle = await bundlePage(new URL("./entry.ts", import.meta.url));
      for (const [name, code] of bundle) files.set(`/${name}`, code);
      // A page whose folder lacks the DataLoader's worker script.
      files.set("/no-worker/index.html", INDEX_HTML).set("/no-worker/app.js", bundle.get("app.js")!);
      const folders: Record<string, string> = { "/fixtures/": FIXTURES, ...(onnxRoot === null ? {} : { "/onnx/": onnxRoot }) };
      [isolated, plain, browser] = await Promise.all([
        startStaticServer({ files, folders, isolated: true }),
        startStaticServer({ files, folders, isolated: false }),
        launchChromium(),
      ]);
    });

    after(async () => {
      await browser?.close();
      await Promise.all([isolated?.close(), plain?.close()]);
    });

    describe("a cross-origin isolated page", () => {
      let page: BrowserPage;
      let errors: string[];
      before(async () => ({ page, errors } = await openPage(browser, isolated)));
      after(async () => {
        await page.close();
        assert.deepEqual(errors, [], "errors in the page");
      });

      test("runs the wasm backend with SIMD, shared memory and worker threads", async () => {
        const info = await call(page, "info");
        assert.equal(info.crossOriginIsolated, true);
        assert.equal(info.backend, "wasm");
        assert.ok(info.simd === "relaxed" || info.simd === "simd", `simd: ${info.simd}`);
        assert.equal(info.sharedMemory, true);
        assert.equal(info.threads, Math.max(2, info.cores), "one thread per core (two at least: see entry.ts)");
      });

      test("matmul, conv2d and softmax equal Node's results", async () => {
        const got = await call(page, "compute", inputs);
        for (const k of ["matmul", "conv2d", "softmax"] as const) assertDenseClose(got[k], expected[k], k, { rtol: 1e-5, atol: 1e-5 });
      });

      test("after the shared heap grows, the threads still compute as Node does", async () => {
        const got = await call(page, "computeAfterGrowth", inputs);
        assert.equal(got.bigSize, 12_000_000);
        assert.ok(got.heapBytes >= 48_000_000, `heap ${got.heapBytes} bytes`);
        assert.ok(got.threads > 1);
        for (const k of ["matmul", "conv2d", "softmax"] as const) assertDenseClose(got.results[k], expected[k], k, { rtol: 1e-5, atol: 1e-5 });
      });

      test("an MLP trains with nn and optim.Adam as in Node", async () => {
        const losses = await call(page, "trainMlp", 25);
        assert.equal(losses.length, 25);
        assert.ok(losses[24]! < losses[0]! * 0.5, `loss ${losses[0]} -> ${losses[24]}`);
        const inNode = trainMlp(25);
        losses.forEach((l, i) => assert.ok(Math.abs(l - inNode[i]!) <= 1e-4 * Math.abs(inNode[i]!) + 1e-6, `step ${i}: ${l} in the page, ${inNode[i]} in Node`));
      });

      test("loads a fetched safetensors file", async () => {
        const got = await call(page, "safetensors", "/weights.safetensors");
        assert.deepEqual(got, readSafetensors(sample.bytes), "as Node reads it");
        assert.deepEqual(got.metadata, { format: "pt" });
        assert.deepEqual(Object.keys(got.tensors).sort(), Object.keys(sample.tensors).sort());
        for (const [name, t] of Object.entries(sample.tensors)) assertDenseClose(got.tensors[name]!, t, name);
      });

      test("loadBytes reads a PyTorch checkpoint, npz, npy, GGUF and safetensors as Node does", async () => {
        const got = await call(page, "anyFormat", ["/checkpoint.pt", ...FORMAT_FILES.map((f) => `/fixtures/${f}`)]);
        const inNode = [readAnyFormat(checkpoint, "checkpoint.pt"), ...FORMAT_FILES.map((f) => readAnyFormat(readFileSync(FIXTURES + f), f))];
        assert.deepEqual(Object.keys(got[0]!).sort(), ["model.fc.bias", "model.fc.weight", "step"]);
        got.forEach((tensors, i) => {
          assert.ok(Object.keys(tensors).length > 0, `file ${i} has tensors`);
          assert.deepEqual(tensors, inNode[i], `file ${i}`);
        });
      });

      for (const [name, nInputs] of [
        ["test_add", 2],
        ["test_basic_conv_with_padding", 2],
      ] as const) {
        test(`runs the ONNX model node/${name} from fetched bytes`, async (t) => {
          if (onnxRoot === null) return t.skip("the ONNX conformance suite (../shared/onnx-tests) is not here");
          const { actual, expected: want } = await call(page, "onnx", { dir: `/onnx/node/${name}`, inputs: nInputs, outputs: 1 });
          assert.equal(actual.length, want.length);
          actual.forEach((a, i) => assertDenseClose(a, want[i]!, `${name} output ${i}`, { rtol: 1e-3, atol: 1e-7 }));
        });
      }

      test("exports a CNN to ONNX, byte for byte as Node does, and runs the file", async () => {
        const got = await call(page, "exportCnn");
        const inNode = exportCnn();
        assert.deepEqual(got.bytes, inNode.bytes);
        assertDenseClose(got.fromOnnx, got.eager, "run from the file vs eager");
        assertDenseClose(got.eager, inNode.eager, "eager, page vs Node");
      });

      test("a DataLoader with 2 Web Workers yields the batches of numWorkers: 0", async () => {
        const withWorkers = await call(page, "loaderBatches", 2);
        const inPage = await call(page, "loaderBatches", 0);
        const inNode = await loaderBatches(0);
        assert.equal(withWorkers.length, 5);
        assert.deepEqual(withWorkers, inPage);
        assert.deepEqual(withWorkers, inNode);
      });

      test("the Trainer fits a classifier on Web Worker batches, with progress on the console, as in Node", async () => {
        const got = await call(page, "fit", 2);
        const inNode = await fitClassifier(0, false);
        assert.ok(got.loss[3]! < got.loss[0]! * 0.7, `loss ${got.loss}`);
        assert.ok(got.accuracy[3]! > 0.8, `accuracy ${got.accuracy}`);
        got.loss.forEach((l, i) => assert.ok(Math.abs(l - inNode.loss[i]!) <= 1e-4 * inNode.loss[i]!, `epoch ${i + 1}: loss ${l} in the page, ${inNode.loss[i]} in Node`));
        assert.deepEqual(got.accuracy, inNode.accuracy);
        assert.ok(got.lines.some((l) => l.includes("epoch 4/4")), got.lines.join("\n"));
      });
    });

    test("a DataLoader whose worker script is missing fails with an error naming it", async () => {
      const { page, errors } = await openPage(browser, isolated, "/no-worker/");
      try {
        await assert.rejects(call(page, "loaderBatches", 2), /DataLoader worker 0 failed: its script http:\/\/127\.0\.0\.1:\d+\/no-worker\/entry\.js did not load/);
        assert.ok(errors.every((e) => e.includes("404")), errors.join("\n"));
      } finally {
        await page.close();
      }
    });

    describe("a page without cross-origin isolation", () => {
      let page: BrowserPage;
      let errors: string[];
      before(async () => ({ page, errors } = await openPage(browser, plain)));
      after(async () => {
        await page.close();
        assert.deepEqual(errors, [], "errors in the page");
      });

      test("falls back to one thread without shared memory", async () => {
        const info = await call(page, "info");
        assert.equal(info.crossOriginIsolated, false);
        assert.equal(info.sharedArrayBuffer, false);
        assert.equal(info.backend, "wasm");
        assert.equal(info.sharedMemory, false);
        assert.equal(info.threads, 1);
      });

      test("still computes matmul, conv2d and softmax as Node does", async () => {
        const got = await call(page, "compute", inputs);
        for (const k of ["matmul", "conv2d", "softmax"] as const) assertDenseClose(got[k], expected[k], k, { rtol: 1e-5, atol: 1e-5 });
      });

      test("a DataLoader with 2 Web Workers still works (data copied, not shared)", async () => {
        assert.deepEqual(await call(page, "loaderBatches", 2), await loaderBatches(0));
      });
    });
  });
}
