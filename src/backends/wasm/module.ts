/**
 * Loading the kernel module: pick the relaxed-SIMD build when the runtime validates it
 * (fused multiply-add), the plain-SIMD build otherwise, and compile it synchronously
 * (allowed in Node, in workers, and on a browser page's main thread for modules this small:
 * Chromium refuses synchronous compiles there only above 8 MB; the kernels are ~110 KB).
 */
import { RELAXED_WASM, SIMD_WASM } from "./generated/binaries.ts";
import { unsharedMemoryImport } from "./memory-import.ts";

export type SimdVariant = "relaxed" | "simd";

/** The kernels every instance exports (byte addresses and sizes are numbers). */
export type KernelExports = Record<string, (...args: number[]) => number | void> & {
  heapBase(): number;
};

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * A module with one function, `(func (result v128) v128.const 0 v128.const 0 v128.const 0
 * f32x4.relaxed_madd)`: it validates only where relaxed SIMD exists.
 */
function relaxedProbe(): Uint8Array {
  const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const body = [0x00, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x0b];
  return Uint8Array.of(
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x0a, body.length + 2, 0x01, body.length, ...body, // code section
  );
}

let relaxedSupport: boolean | undefined;

/** Whether this runtime runs relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd). */
export function relaxedSimdSupported(): boolean {
  relaxedSupport ??= WebAssembly.validate(relaxedProbe() as BufferSource);
  return relaxedSupport;
}

const modules = new Map<string, WebAssembly.Module>();

/** The kernel module, importing a shared memory or, where there is none, a plain one. */
export function kernelModule(variant: SimdVariant, sharedMemory: boolean): WebAssembly.Module {
  const key = `${variant}:${sharedMemory}`;
  let m = modules.get(key);
  if (!m) {
    const bytes = decodeBase64(variant === "relaxed" ? RELAXED_WASM : SIMD_WASM);
    m = new WebAssembly.Module((sharedMemory ? bytes : unsharedMemoryImport(bytes)) as BufferSource);
    modules.set(key, m);
  }
  return m;
}

export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort: () => {
        throw new Error("wasm kernel aborted");
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}
