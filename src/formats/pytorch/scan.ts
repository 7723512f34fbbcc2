/**
 * The first pass over a pickle: every global it names (GLOBAL, INST, STACK_GLOBAL) is
 * checked against the allow-list before a single opcode runs, so a refused global is
 * reported as such whatever else the file holds.
 *
 * STACK_GLOBAL takes its module and name from the stack; Python's pickler always pushes
 * them as string literals (or memo lookups of earlier ones) right before it. The scan
 * follows those strings and refuses a STACK_GLOBAL whose operands it cannot see.
 */
import { OP, type PickleReader } from "./pickle-ops.ts";
import { refusal } from "./globals.ts";

const STRING_OPS: ReadonlySet<number> = new Set([OP.SHORT_BINUNICODE, OP.BINUNICODE, OP.BINUNICODE8, OP.UNICODE]);
const GET_OPS: ReadonlySet<number> = new Set([OP.GET, OP.BINGET, OP.LONG_BINGET]);
const PUT_OPS: ReadonlySet<number> = new Set([OP.PUT, OP.BINPUT, OP.LONG_BINPUT]);

/** Walks the pickle to its STOP; throws the refusal for the first global not allowed. Returns the end offset. */
export function scanGlobals(reader: PickleReader): number {
  // The strings pushed since the last other opcode, and what the memo holds (null: not a string).
  let recent: (string | null)[] = [];
  const memo = new Map<number, string | null>();
  for (;;) {
    const op = reader.next();
    if (op.code === OP.STOP) return reader.pos;
    if (op.code === OP.GLOBAL || op.code === OP.INST) {
      const [module, name] = op.arg as readonly [string, string];
      const refused = refusal(module, name, reader.fileName, op.offset);
      if (refused) throw refused;
      recent = [];
    } else if (op.code === OP.STACK_GLOBAL) {
      const name = recent.pop();
      const module = recent.pop();
      if (typeof module !== "string" || typeof name !== "string")
        throw reader.error("STACK_GLOBAL takes its module and name from values the scan cannot check", op.offset);
      const refused = refusal(module, name, reader.fileName, op.offset);
      if (refused) throw refused;
      recent = [];
    } else if (op.code === OP.EXT1 || op.code === OP.EXT2 || op.code === OP.EXT4) {
      throw reader.error(`refused ${op.code === OP.EXT1 ? "EXT1" : op.code === OP.EXT2 ? "EXT2" : "EXT4"} ${String(op.arg)}: extension-registry globals are never resolved`, op.offset);
    } else if (STRING_OPS.has(op.code)) {
      recent.push(op.arg as string);
    } else if (GET_OPS.has(op.code)) {
      recent.push(memo.get(op.arg as number) ?? null);
    } else if (PUT_OPS.has(op.code)) {
      memo.set(op.arg as number, recent.length ? recent[recent.length - 1]! : null);
    } else if (op.code === OP.MEMOIZE) {
      memo.set(memo.size, recent.length ? recent[recent.length - 1]! : null);
    } else if (op.code !== OP.FRAME) {
      recent = [];
    }
  }
}
