/**
 * A protocol-2 pickler for what concord saves: None, bools, ints, floats, strings, bytes,
 * lists, tuples (frozen arrays), dicts (plain objects and Maps), sets and tensors. It
 * writes only the opcodes PyTorch 1.13's weights-only unpickler accepts (plus BINFLOAT and
 * the protocol-2 forms of bytes and sets, which need a newer or unrestricted torch.load).
 * Tensors are written through a callback that returns the persistent id of their storage.
 */
import { ValueError } from "../../core/errors.ts";
import { Tensor } from "../../core/tensor.ts";
import { latin1, OP } from "./pickle-ops.ts";
import { MAX_NESTING } from "./materialize.ts";

const BATCH = 1000;
const utf8 = new TextEncoder();

/** The storage of a tensor as PyTorch names it in a persistent id. */
export interface StorageId {
  className: string;
  key: string;
  numel: number;
}

export class Pickler {
  private buf = new Uint8Array(1024);
  private len = 0;
  private readonly memo = new Map<unknown, number>();

  constructor(private readonly storageOf: (t: Tensor) => StorageId) {}

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private op(code: number): void {
    this.reserve(1);
    this.buf[this.len++] = code;
  }

  private raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private u32(x: number): void {
    this.reserve(4);
    new DataView(this.buf.buffer).setUint32(this.len, x, true);
    this.len += 4;
  }

  /** Records the object on top of the stack in the memo. */
  private put(key: unknown): void {
    const i = this.memo.size;
    this.memo.set(key, i);
    if (i < 256) {
      this.op(OP.BINPUT);
      this.op(i);
    } else {
      this.op(OP.LONG_BINPUT);
      this.u32(i);
    }
  }

  /** Pushes a memoized object again; false when it is not in the memo. */
  private get(key: unknown): boolean {
    const i = this.memo.get(key);
    if (i === undefined) return false;
    if (i < 256) {
      this.op(OP.BINGET);
      this.op(i);
    } else {
      this.op(OP.LONG_BINGET);
      this.u32(i);
    }
    return true;
  }

  /** A whole pickle of `value`: PROTO 2 ... STOP. */
  dump(value: unknown): Uint8Array {
    this.op(OP.PROTO);
    this.op(2);
    this.save(value, "value", 0);
    this.op(OP.STOP);
    return this.bytes();
  }

  private global(module: string, name: string): void {
    const key = `global:${module}\n${name}`;
    if (this.get(key)) return;
    this.op(OP.GLOBAL);
    this.raw(utf8.encode(`${module}\n${name}\n`));
    this.put(key);
  }

  private int(x: bigint): void {
    if (x >= 0n && x < 256n) {
      this.op(OP.BININT1);
      this.op(Number(x));
    } else if (x >= 0n && x < 65536n) {
      this.op(OP.BININT2);
      this.op(Number(x & 0xffn));
      this.op(Number(x >> 8n));
    } else if (x >= -(2n ** 31n) && x < 2n ** 31n) {
      this.op(OP.BININT);
      this.u32(Number(BigInt.asUintN(32, x)));
    } else {
      // LONG1: little-endian two's complement, as short as keeps the sign.
      const out: number[] = [];
      let v = x;
      while (true) {
        const byte = Number(BigInt.asUintN(8, v));
        out.push(byte);
        v >>= 8n;
        if ((v === 0n && !(byte & 0x80)) || (v === -1n && byte & 0x80)) break;
      }
      this.op(OP.LONG1);
      this.op(out.length);
      this.raw(Uint8Array.from(out));
    }
  }

  private string(s: string): void {
    const b = utf8.encode(s);
    this.op(OP.BINUNICODE);
    this.u32(b.length);
    this.raw(b);
  }

  private tuple(items: readonly unknown[], path: string, depth: number): void {
    if (items.length === 0) return this.op(OP.EMPTY_TUPLE);
    if (items.length > 3) this.op(OP.MARK);
    items.forEach((item, i) => this.save(item, `${path}[${i}]`, depth + 1));
    this.op(items.length === 1 ? OP.TUPLE1 : items.length === 2 ? OP.TUPLE2 : items.length === 3 ? OP.TUPLE3 : OP.TUPLE);
  }

  /** Items of a list or dict in batches: MARK ... APPENDS / SETITEMS. */
  private batches(items: readonly unknown[], per: 1 | 2, code: number, path: string, depth: number): void {
    for (let i = 0; i < items.length; i += BATCH * per) {
      this.op(OP.MARK);
      const batch = items.slice(i, i + BATCH * per);
      batch.forEach((item, k) => this.save(item, per === 2 && k % 2 === 1 ? `${path}[${JSON.stringify(String(batch[k - 1]))}]` : `${path}[${i + k}]`, depth + 1));
      this.op(code);
    }
  }

  private save(x: unknown, path: string, depth: number): void {
    if (depth > MAX_NESTING) throw new ValueError(`cannot save ${path}: nested more than ${MAX_NESTING} deep`);
    if (x === null || x === undefined) return this.op(OP.NONE);
    if (typeof x === "boolean") return this.op(x ? OP.NEWTRUE : OP.NEWFALSE);
    if (typeof x === "bigint") return this.int(x);
    if (typeof x === "number") {
      if (Number.isSafeInteger(x) && !Object.is(x, -0)) return this.int(BigInt(x));
      this.op(OP.BINFLOAT);
      this.reserve(8);
      new DataView(this.buf.buffer).setFloat64(this.len, x, false);
      this.len += 8;
      return;
    }
    if (typeof x === "string") return this.string(x);
    if (typeof x !== "object") throw new ValueError(`cannot save ${path}: a ${typeof x} is not data`);
    if (this.get(x)) return;
    if (x instanceof Tensor) return this.tensor(x, path);
    if (x instanceof Uint8Array) {
      this.global("_codecs", "encode");
      this.string(latin1(x));
      this.string("latin1");
      this.op(OP.TUPLE2);
      this.op(OP.REDUCE);
      return this.put(x);
    }
    if (Array.isArray(x)) {
      if (Object.isFrozen(x)) {
        this.tuple(x, path, depth);
        return this.put(x);
      }
      this.op(OP.EMPTY_LIST);
      this.put(x);
      return this.batches(x, 1, OP.APPENDS, path, depth);
    }
    if (x instanceof Set) {
      this.global("__builtin__", "set");
      this.op(OP.EMPTY_LIST);
      this.batches([...x], 1, OP.APPENDS, path, depth);
      this.op(OP.TUPLE1);
      this.op(OP.REDUCE);
      return this.put(x);
    }
    const proto: unknown = Object.getPrototypeOf(x);
    if (!(x instanceof Map) && proto !== Object.prototype && proto !== null)
      throw new ValueError(`cannot save ${path}: a ${(x as object).constructor?.name ?? "object"} is not data (save tensors, numbers, strings, arrays, objects and Maps)`);
    const entries = x instanceof Map ? [...x.entries()] : Object.entries(x);
    this.op(OP.EMPTY_DICT);
    this.put(x);
    this.batches(entries.flat(), 2, OP.SETITEMS, path, depth);
  }

  /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict()). */
  private tensor(t: Tensor, path: string): void {
    if (t.isDisposed) throw new ValueError(`cannot save ${path}: the tensor was disposed`);
    const id = this.storageOf(t);
    this.global("torch._utils", "_rebuild_tensor_v2");
    this.op(OP.MARK);
    this.op(OP.MARK);
    this.string("storage");
    this.global("torch", id.className);
    this.string(id.key);
    this.string("cpu");
    this.int(BigInt(id.numel));
    this.op(OP.TUPLE);
    this.op(OP.BINPERSID);
    this.int(BigInt(t.offset));
    this.tuple(t.shape, path, 0);
    this.tuple(t.strides, path, 0);
    this.op(t.requiresGrad ? OP.NEWTRUE : OP.NEWFALSE);
    this.global("collections", "OrderedDict");
    this.op(OP.EMPTY_TUPLE);
    this.op(OP.REDUCE);
    this.op(OP.TUPLE);
    this.op(OP.REDUCE);
    this.put(t);
  }
}
