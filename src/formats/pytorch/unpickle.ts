/**
 * The restricted unpickler: a pickle VM (protocols 0-5) in TypeScript. It only ever calls
 * the functions of the allow-list in globals.ts; every global is checked by a scan of the
 * whole pickle (scan.ts) before the first opcode runs. Lists are arrays, tuples frozen
 * arrays, dicts PyDicts, sets Sets; tensors come out as TensorSpecs (see values.ts).
 *
 * Every push costs at least one input byte, so the stack and the memo are bounded by the
 * pickle's length; lengths inside opcodes are checked before allocating (pickle-ops.ts).
 */
import { latin1, OP, opName, PickleReader } from "./pickle-ops.ts";
import { refusal, resolve, type GlobalContext } from "./globals.ts";
import { scanGlobals } from "./scan.ts";
import { isTuple, PyCallable, PyDict, StorageRef, TensorSpec } from "./values.ts";

export interface UnpickleOptions {
  fileName?: string;
  /** Resolves a persistent id (PyTorch's storages); required when the pickle has one. */
  persistentLoad?: (pid: unknown, offset: number) => unknown;
}

export interface Unpickled {
  value: unknown;
  /** Offset just past the STOP opcode. */
  end: number;
}

/** Runs the pickle in `bytes[start, end)` after checking every global it names. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}, start = 0, end = bytes.length): Unpickled {
  scanGlobals(new PickleReader(bytes, start, end, options.fileName));
  return new Machine(new PickleReader(bytes, start, end, options.fileName), options).run();
}

function describe(x: unknown): string {
  if (x === null) return "None";
  if (Array.isArray(x)) return isTuple(x) ? "tuple" : "list";
  if (x instanceof PyDict) return "dict";
  if (x instanceof Set) return "set";
  if (x instanceof Uint8Array) return "bytes";
  if (x instanceof TensorSpec) return "tensor";
  if (x instanceof StorageRef) return "storage";
  if (x instanceof PyCallable) return x.fullName;
  return typeof x;
}

function hashable(x: unknown): boolean {
  if (Array.isArray(x)) return isTuple(x) && x.every(hashable);
  return !(x instanceof PyDict || x instanceof Set);
}

class Machine implements GlobalContext {
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();

  constructor(
    private readonly r: PickleReader,
    private readonly options: UnpickleOptions,
  ) {}

  error(message: string, offset: number) {
    return this.r.error(message, offset);
  }

  /** Pushes onto the current stack (read after the argument is evaluated, which may pop a MARK). */
  private push(value: unknown): void {
    this.stack.push(value);
  }

  private pop(offset: number, code: number): unknown {
    if (this.stack.length === 0) throw this.error(`${opName(code)} on an empty stack`, offset);
    return this.stack.pop();
  }

  private top(offset: number, code: number): unknown {
    if (this.stack.length === 0) throw this.error(`${opName(code)} on an empty stack`, offset);
    return this.stack[this.stack.length - 1];
  }

  private popMark(offset: number, code: number): unknown[] {
    const items = this.stack;
    const outer = this.metastack.pop();
    if (outer === undefined) throw this.error(`${opName(code)} without a MARK`, offset);
    this.stack = outer;
    return items;
  }

  private call(fn: unknown, args: unknown, offset: number, code: number): unknown {
    if (!(fn instanceof PyCallable) || fn.call === null) throw this.error(`${opName(code)} calls ${describe(fn)}, which is not an allowed function`, offset);
    if (!Array.isArray(args)) throw this.error(`${opName(code)} needs a tuple of arguments, got ${describe(args)}`, offset);
    return fn.call(args, offset);
  }

  private global(module: string, name: string, offset: number): unknown {
    const refused = refusal(module, name, this.options.fileName, offset);
    if (refused) throw refused;
    return resolve(module, name, this, offset);
  }

  private setItems(target: unknown, items: readonly unknown[], offset: number, code: number): void {
    if (!(target instanceof PyDict)) throw this.error(`${opName(code)} on ${describe(target)}, not a dict`, offset);
    if (items.length % 2 !== 0) throw this.error(`${opName(code)} with an odd number of items`, offset);
    for (let i = 0; i < items.length; i += 2) {
      if (!hashable(items[i])) throw this.error(`${opName(code)}: a ${describe(items[i])} cannot be a dict key`, offset);
      target.map.set(items[i], items[i + 1]);
    }
  }

  private appendItems(target: unknown, items: readonly unknown[], offset: number, code: number): void {
    if (!Array.isArray(target) || isTuple(target)) throw this.error(`${opName(code)} on ${describe(target)}, not a list`, offset);
    for (const item of items) (target as unknown[]).push(item);
  }

  private addItems(target: unknown, items: readonly unknown[], offset: number, code: number): void {
    if (!(target instanceof Set)) throw this.error(`${opName(code)} on ${describe(target)}, not a set`, offset);
    for (const item of items) {
      if (!hashable(item)) throw this.error(`${opName(code)}: a ${describe(item)} cannot be a set member`, offset);
      target.add(item);
    }
  }

  run(): Unpickled {
    for (;;) {
      const { code, offset, arg } = this.r.next();
      switch (code) {
        case OP.PROTO:
          if ((arg as number) > 5) throw this.error(`pickle protocol ${String(arg)} is newer than 5`, offset);
          break;
        case OP.FRAME:
          break;
        case OP.STOP: {
          if (this.metastack.length !== 0) throw this.error("STOP inside an unclosed MARK", offset);
          return { value: this.pop(offset, code), end: this.r.pos };
        }
        case OP.MARK:
          this.metastack.push(this.stack);
          this.stack = [];
          break;
        case OP.POP:
          this.pop(offset, code);
          break;
        case OP.POP_MARK:
          this.popMark(offset, code);
          break;
        case OP.DUP:
          this.push(this.top(offset, code));
          break;

        case OP.NONE:
          this.push(null);
          break;
        case OP.NEWTRUE:
          this.push(true);
          break;
        case OP.NEWFALSE:
          this.push(false);
          break;
        case OP.INT:
        case OP.BININT:
        case OP.BININT1:
        case OP.BININT2:
        case OP.LONG:
        case OP.LONG1:
        case OP.LONG4:
        case OP.FLOAT:
        case OP.BINFLOAT:
        case OP.SHORT_BINUNICODE:
        case OP.BINUNICODE:
        case OP.BINUNICODE8:
        case OP.UNICODE:
        case OP.SHORT_BINBYTES:
        case OP.BINBYTES:
        case OP.BINBYTES8:
        case OP.BYTEARRAY8:
          this.push(arg);
          break;
        case OP.STRING:
        case OP.BINSTRING:
        case OP.SHORT_BINSTRING:
          this.push(asciiOrBytes(arg as Uint8Array));
          break;

        case OP.EMPTY_TUPLE:
          this.push(Object.freeze([]));
          break;
        case OP.TUPLE:
          this.push(Object.freeze(this.popMark(offset, code)));
          break;
        case OP.TUPLE1:
        case OP.TUPLE2:
        case OP.TUPLE3: {
          const n = code - OP.TUPLE1 + 1;
          if (this.stack.length < n) throw this.error(`${opName(code)} needs ${n} values on the stack`, offset);
          this.push(Object.freeze(this.stack.splice(this.stack.length - n, n)));
          break;
        }
        case OP.EMPTY_LIST:
          this.push([]);
          break;
        case OP.LIST:
          this.push(this.popMark(offset, code));
          break;
        case OP.EMPTY_DICT:
          this.push(new PyDict());
          break;
        case OP.DICT: {
          const items = this.popMark(offset, code);
          const d = new PyDict();
          this.setItems(d, items, offset, code);
          this.push(d);
          break;
        }
        case OP.EMPTY_SET:
          this.push(new Set());
          break;
        case OP.FROZENSET: {
          const set = new Set();
          this.addItems(set, this.popMark(offset, code), offset, code);
          this.push(set);
          break;
        }
        case OP.APPEND: {
          const item = this.pop(offset, code);
          this.appendItems(this.top(offset, code), [item], offset, code);
          break;
        }
        case OP.APPENDS: {
          const items = this.popMark(offset, code);
          this.appendItems(this.top(offset, code), items, offset, code);
          break;
        }
        case OP.SETITEM: {
          const value = this.pop(offset, code);
          const key = this.pop(offset, code);
          this.setItems(this.top(offset, code), [key, value], offset, code);
          break;
        }
        case OP.SETITEMS: {
          const items = this.popMark(offset, code);
          this.setItems(this.top(offset, code), items, offset, code);
          break;
        }
        case OP.ADDITEMS: {
          const items = this.popMark(offset, code);
          this.addItems(this.top(offset, code), items, offset, code);
          break;
        }

        case OP.GET:
        case OP.BINGET:
        case OP.LONG_BINGET: {
          if (!this.memo.has(arg as number)) throw this.error(`memo has no entry ${String(arg)}`, offset);
          this.push(this.memo.get(arg as number));
          break;
        }
        case OP.PUT:
        case OP.BINPUT:
        case OP.LONG_BINPUT:
          this.memo.set(arg as number, this.top(offset, code));
          break;
        case OP.MEMOIZE:
          this.memo.set(this.memo.size, this.top(offset, code));
          break;

        case OP.GLOBAL: {
          const [module, name] = arg as readonly [string, string];
          this.push(this.global(module, name, offset));
          break;
        }
        case OP.STACK_GLOBAL: {
          const name = this.pop(offset, code);
          const module = this.pop(offset, code);
          if (typeof module !== "string" || typeof name !== "string") throw this.error("STACK_GLOBAL needs two strings", offset);
          this.push(this.global(module, name, offset));
          break;
        }
        case OP.REDUCE: {
          const args = this.pop(offset, code);
          const fn = this.pop(offset, code);
          this.push(this.call(fn, args, offset, code));
          break;
        }
        case OP.NEWOBJ: {
          const args = this.pop(offset, code);
          const cls = this.pop(offset, code);
          this.push(this.call(cls, args, offset, code));
          break;
        }
        case OP.NEWOBJ_EX: {
          const kwargs = this.pop(offset, code);
          const args = this.pop(offset, code);
          const cls = this.pop(offset, code);
          if (!(kwargs instanceof PyDict) || kwargs.map.size !== 0) throw this.error("NEWOBJ_EX with keyword arguments is not supported", offset);
          this.push(this.call(cls, args, offset, code));
          break;
        }
        case OP.OBJ: {
          const items = this.popMark(offset, code);
          if (items.length === 0) throw this.error("OBJ without a class", offset);
          this.push(this.call(items[0], Object.freeze(items.slice(1)), offset, code));
          break;
        }
        case OP.INST: {
          const [module, name] = arg as readonly [string, string];
          const cls = this.global(module, name, offset);
          this.push(this.call(cls, Object.freeze(this.popMark(offset, code)), offset, code));
          break;
        }
        case OP.BUILD: {
          const state = this.pop(offset, code);
          const target = this.top(offset, code);
          // OrderedDict's state is its __dict__ (a module state dict's `_metadata`); a
          // parameter's is Python attributes. Neither is kept.
          const ok = (target instanceof PyDict || target instanceof TensorSpec) && (state === null || state instanceof PyDict || isTuple(state));
          if (!ok) throw this.error(`BUILD of ${describe(target)} from ${describe(state)} is not supported`, offset);
          break;
        }
        case OP.PERSID:
        case OP.BINPERSID: {
          const pid = code === OP.PERSID ? arg : this.pop(offset, code);
          if (this.options.persistentLoad === undefined) throw this.error("pickle refers to external data (a persistent id) where none is expected", offset);
          this.push(this.options.persistentLoad(pid, offset));
          break;
        }
        case OP.EXT1:
        case OP.EXT2:
        case OP.EXT4:
          throw this.error(`refused ${opName(code)}: extension-registry globals are never resolved`, offset);
        case OP.NEXT_BUFFER:
        case OP.READONLY_BUFFER:
          throw this.error(`${opName(code)}: out-of-band buffers are not supported`, offset);
        default:
          throw this.error(`unknown pickle opcode ${opName(code)}`, offset);
      }
    }
  }
}

/** A Python 2 str: a string when it is ASCII (PyTorch's legacy files use them for names), else its bytes. */
function asciiOrBytes(b: Uint8Array): string | Uint8Array {
  for (let i = 0; i < b.length; i++) if (b[i]! > 0x7f) return b;
  return latin1(b);
}
