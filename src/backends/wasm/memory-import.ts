/**
 * The kernel modules import a shared memory (they are built for threads). Where shared
 * memory is missing — a browser page that is not cross-origin isolated has no
 * SharedArrayBuffer, and Firefox and Safari then refuse `shared: true` memories — the
 * module must import a plain one instead. The kernels use no atomic wait, so clearing the
 * "shared" bit of the memory import's limits is all it takes: one byte, same length.
 */
import { FormatError } from "../../core/errors.ts";

const IMPORT_SECTION = 2;
const SHARED_FLAG = 0x02;

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. */
function readU32(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= bytes.length) break;
    const b = bytes[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, pos];
  }
  throw new FormatError("wasm kernel module: malformed LEB128 integer");
}

/** Skips a limits record (flags, min, max if flagged); returns the next position. */
function skipLimits(bytes: Uint8Array, pos: number): number {
  const flags = bytes[pos]!;
  let next = readU32(bytes, pos + 1)[1];
  if (flags & 0x01) next = readU32(bytes, next)[1];
  return next;
}

/** A copy of `wasm` whose memory import is not shared (the bytes unchanged if it already is not). */
export function unsharedMemoryImport(wasm: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = wasm.slice();
  let pos = 8; // magic and version
  while (pos < out.length) {
    const id = out[pos]!;
    const [size, start] = readU32(out, pos + 1);
    if (id !== IMPORT_SECTION) {
      pos = start + size;
      continue;
    }
    let [count, p] = readU32(out, start);
    for (; count > 0; count--) {
      for (let name = 0; name < 2; name++) {
        const [len, after] = readU32(out, p);
        p = after + len;
      }
      const kind = out[p++];
      if (kind === 0) p = readU32(out, p)[1]; // function: type index
      else if (kind === 1) p = skipLimits(out, p + 1); // table: reftype, limits
      else if (kind === 2) {
        out[p] = out[p]! & ~SHARED_FLAG; // memory: its limits' flags
        return out;
      } else if (kind === 3) p += 2; // global: valtype, mutability
      else throw new FormatError(`wasm kernel module: unexpected import kind ${kind}`);
    }
    return out;
  }
  return out;
}
