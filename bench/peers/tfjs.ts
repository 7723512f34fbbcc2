/**
 * TensorFlow.js peers: the cpu backend (plain JS) and the wasm backend (XNNPACK, SIMD;
 * single-threaded in Node, see ../shared/PEERS.md), switched with `useTfjs`.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname } from "node:path";

const require = createRequire(import.meta.url);
const wasmDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm")) + "/";
setWasmPaths(wasmDir);

export type TfjsBackend = "cpu" | "wasm";

export async function useTfjs(backend: TfjsBackend): Promise<typeof tf> {
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}
