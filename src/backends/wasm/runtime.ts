/**
 * The wasm runtime: heap, kernel module, main-thread instance and thread pool, created on
 * first use with the options in force then.
 */
import { nodeBuiltin } from "../../core/node-builtin.ts";
import { WasmHeap } from "./heap.ts";
import { instantiate, kernelModule, relaxedSimdSupported, type KernelExports, type SimdVariant } from "./module.ts";
import { ThreadPool, type Call } from "./pool.ts";

export interface WasmOptions {
  /** Threads including the main one (default: the number of cores). */
  threads?: number;
  /** Use relaxed SIMD (fused multiply-add) when the runtime has it (default true). */
  relaxedSimd?: boolean;
}

export interface WasmInfo {
  simd: SimdVariant;
  threads: number;
  sharedMemory: boolean;
  heapBytes: number;
}

function coreCount(): number {
  const g = globalThis as unknown as { navigator?: { hardwareConcurrency?: number } };
  const os = nodeBuiltin<{ availableParallelism?: () => number }>("os");
  return os?.availableParallelism?.() ?? g.navigator?.hardwareConcurrency ?? 1;
}

export class WasmRuntime {
  readonly heap: WasmHeap;
  readonly kernels: KernelExports;
  readonly pool: ThreadPool;
  readonly variant: SimdVariant;

  constructor(options: WasmOptions = {}) {
    this.variant = options.relaxedSimd !== false && relaxedSimdSupported() ? "relaxed" : "simd";
    // No SharedArrayBuffer (a browser page without cross-origin isolation): a plain memory, one thread.
    const shared = typeof SharedArrayBuffer !== "undefined";
    const module = kernelModule(this.variant, shared);
    // Instantiate once on a scratch memory to learn where the kernels' static data ends.
    const probe = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared } as WebAssembly.MemoryDescriptor);
    const reserved = Number(instantiate(module, probe).heapBase());
    this.heap = new WasmHeap(reserved);
    this.kernels = instantiate(module, this.heap.memory);
    const threads = this.heap.shared ? Math.max(1, options.threads ?? coreCount()) : 1;
    this.pool = new ThreadPool(this.kernels, module, this.heap.memory, threads);
  }

  /** Runs one call per thread (see ThreadPool.run). */
  parallel(calls: readonly Call[]): void {
    this.pool.run(calls);
  }

  info(): WasmInfo {
    return { simd: this.variant, threads: this.pool.threads, sharedMemory: this.heap.shared, heapBytes: this.heap.memory.buffer.byteLength };
  }
}

let runtime: WasmRuntime | undefined;
let pending: WasmOptions = {};

/** The runtime, created on first use. */
export function wasmRuntime(): WasmRuntime {
  runtime ??= new WasmRuntime(pending);
  return runtime;
}

/** Sets options for the runtime; takes effect when it is (re)created. */
export function configureWasm(options: WasmOptions): void {
  pending = { ...pending, ...options };
  if (runtime) {
    runtime.pool.close();
    runtime = undefined;
  }
}

/** Whether this JS engine runs WebAssembly SIMD at all. */
export function wasmSimdSupported(): boolean {
  // (module (func (result v128) v128.const 0))
  return WebAssembly.validate(
    Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, ...new Array<number>(16).fill(0), 11) as BufferSource,
  );
}
