/**
 * The page's program: concord bundled for the browser, and the checks of checks.ts under
 * `globalThis.concordChecks` for the test to call through page.evaluate. Files (safetensors,
 * ONNX) are fetched from the test's server, as an app would.
 */
import { backendInfo, configureWasmBackend, ready, zeros } from "../../src/index.ts";
import { compute, exportCnn, fitClassifier, loaderBatches, readAnyFormat, readSafetensors, runOnnxCase, trainMlp, type ComputeInputs } from "./checks.ts";

// The default is one thread per core: on a one-core machine, ask for two so the pool still runs.
if (navigator.hardwareConcurrency < 2) configureWasmBackend({ threads: 2 });

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

const checks = {
  /** The backend once its worker threads have started, and what the page is allowed. */
  info: async () => {
    await ready();
    return {
      ...backendInfo(),
      cores: navigator.hardwareConcurrency,
      crossOriginIsolated: globalThis.crossOriginIsolated,
      sharedArrayBuffer: typeof SharedArrayBuffer !== "undefined",
    };
  },
  compute: (inputs: ComputeInputs) => compute(inputs),
  /** `compute` after the heap grew past its first size (a 48 MB tensor), with that tensor still alive. */
  computeAfterGrowth: (inputs: ComputeInputs) => {
    const big = zeros([12_000_000]);
    const results = compute(inputs);
    return { results, heapBytes: backendInfo().heapBytes ?? 0, threads: backendInfo().threads ?? 0, bigSize: big.size };
  },
  trainMlp: (steps: number) => trainMlp(steps),
  safetensors: async (url: string) => readSafetensors(await fetchBytes(url)),
  /** `loadBytes` on fetched files (the format told from the bytes and the name). */
  anyFormat: async (urls: string[]) => Promise.all(urls.map(async (url) => readAnyFormat(await fetchBytes(url), url.slice(url.lastIndexOf("/") + 1)))),
  /** `dir` holds model.onnx and test_data_set_0/{input,output}_<i>.pb. */
  onnx: async ({ dir, inputs, outputs }: { dir: string; inputs: number; outputs: number }) => {
    const files = (kind: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => fetchBytes(`${dir}/test_data_set_0/${kind}_${i}.pb`)));
    return runOnnxCase(await fetchBytes(`${dir}/model.onnx`), await files("input", inputs), await files("output", outputs));
  },
  loaderBatches: (numWorkers: number) => loaderBatches(numWorkers),
  exportCnn: () => exportCnn(),
  /** fitClassifier with progress on the default sink (the console in a browser), whose lines it returns too. */
  fit: async (numWorkers: number) => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...parts: unknown[]) => lines.push(parts.join(" "));
    try {
      return { ...(await fitClassifier(numWorkers, {})), lines };
    } finally {
      console.log = log;
    }
  },
};

export type PageChecks = typeof checks;

(globalThis as { concordChecks?: PageChecks }).concordChecks = checks;
