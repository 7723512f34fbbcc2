/**
 * Without SharedArrayBuffer (a browser page that is not cross-origin isolated) the wasm
 * backend runs on a plain memory with one thread: the kernel module's memory import is
 * rewritten to unshared, and the pool uses plain buffers. Here SharedArrayBuffer is hidden
 * from this process (test files run in their own processes) to check that path in Node;
 * test/browser runs it in Chromium.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Generator, backendInfo, configureWasmBackend, conv2d, matmul, randn, setBackend, softmax } from "../../src/index.ts";
import { unsharedMemoryImport } from "../../src/backends/wasm/memory-import.ts";
import { SIMD_WASM } from "../../src/backends/wasm/generated/binaries.ts";
import { assertClose } from "../helpers/assert.ts";

test("unsharedMemoryImport changes only the memory import's shared flag", () => {
  const bytes = Uint8Array.from(atob(SIMD_WASM), (c) => c.charCodeAt(0));
  const memoryOf = (m: WebAssembly.Module) => WebAssembly.Module.imports(m).find((i) => i.kind === "memory");
  assert.ok(memoryOf(new WebAssembly.Module(bytes)));
  const patched = unsharedMemoryImport(bytes);
  assert.equal(patched.length, bytes.length);
  assert.equal(patched.reduce((n, b, i) => n + (b === bytes[i] ? 0 : 1), 0), 1);
  const plain = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
  assert.throws(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: plain, abort: () => {} } }), WebAssembly.LinkError);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(patched), { env: { memory: plain, abort: () => {} } });
  assert.equal(typeof (instance.exports.heapBase as () => number)(), "number");
  assert.deepEqual(unsharedMemoryImport(patched), patched);
});

test("the wasm backend computes on one thread where SharedArrayBuffer is missing", () => {
  const g = globalThis as { SharedArrayBuffer?: SharedArrayBufferConstructor };
  const saved = g.SharedArrayBuffer;
  delete g.SharedArrayBuffer;
  try {
    configureWasmBackend({ threads: 2 }); // the runtime starts afresh, without shared memory
    const run = (backend: "js" | "wasm") => {
      setBackend(backend);
      const gen = new Generator(2);
      const [a, b, x, w] = [randn([64, 96], { generator: gen }), randn([96, 80], { generator: gen }), randn([2, 4, 12, 12], { generator: gen }), randn([8, 4, 3, 3], { generator: gen })];
      return [matmul(a, b), conv2d(x, w, null, 1, 1), softmax(a, -1)];
    };
    const onJs = run("js");
    const onWasm = run("wasm");
    assert.deepEqual({ ...backendInfo(), heapBytes: 0 }, { backend: "wasm", simd: backendInfo().simd, threads: 1, sharedMemory: false, heapBytes: 0 });
    onWasm.forEach((t, i) => assertClose(t, onJs[i]!, { rtol: 1e-5, atol: 1e-5 }, `result ${i}`));
  } finally {
    g.SharedArrayBuffer = saved;
  }
});
