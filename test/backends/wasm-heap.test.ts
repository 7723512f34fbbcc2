/**
 * The wasm heap tells the garbage collector about its growth: a loop that drops large
 * tensors without disposing them, yielding between steps as training loops do, keeps the
 * heap bounded although it makes almost no JS garbage (see Note: garbage-collector pressure,
 * src/backends/wasm/heap.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { backendInfo, ready, rand, setBackend } from "../../src/index.ts";

test("steps dropping 64 MB of tensors each keep the wasm heap bounded", async () => {
  setBackend("wasm");
  await ready();
  const x = rand([1 << 20]);
  // Each step: 16 new 4 MB tensors, unreachable at its end (1 GB over the loop).
  for (let i = 0; i < 16; i++) {
    let y = x;
    for (let j = 0; j < 16; j++) y = y.add(1);
    await new Promise((r) => setTimeout(r, 0));
  }
  const heapBytes = (backendInfo() as { heapBytes: number }).heapBytes;
  assert.ok(heapBytes < 512 * 1024 * 1024, `heap grew to ${heapBytes} bytes`);
});
