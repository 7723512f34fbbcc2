/**
 * String operators on host string tensors: StringNormalizer, StringConcat, StringSplit,
 * RegexFullMatch and Equal of strings, as ONNX's reference implements them.
 */
import { broadcastShapes } from "../../../core/shape.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { HostTensor, type GraphValue } from "../../../graph/value.ts";
import { tensor } from "../../../ops/creation.ts";
import type { OpFamily } from "./table.ts";
import { int64Tensor, invalid, type Inputs } from "./util.ts";

const boolTensor = (values: boolean[], shape: readonly number[]): Tensor => tensor(Uint8Array.from(values, Number), { dtype: "bool", shape });

export function stringsAt(inputs: Inputs, i: number, ctx: OpContext): HostTensor {
  const v = inputs[i];
  if (!(v instanceof HostTensor) || v.elemType !== "string") throw invalid(ctx, `input ${i} should be a string tensor`);
  return v;
}

/** f over the broadcast of a and b, row-major. */
export function broadcastHost<T>(a: HostTensor, b: HostTensor, f: (x: string, y: string) => T): { shape: number[]; values: T[] } {
  const shape = broadcastShapes(a.shape, b.shape);
  const n = shape.reduce((p, d) => p * d, 1);
  const strides = (s: readonly number[]) => {
    const st = new Array<number>(shape.length).fill(0);
    let acc = 1;
    for (let k = s.length - 1; k >= 0; k--) {
      const d = shape.length - s.length + k;
      st[d] = s[k] === 1 ? 0 : acc;
      acc *= s[k]!;
    }
    return st;
  };
  const [sa, sb] = [strides(a.shape), strides(b.shape)];
  const values: T[] = [];
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < shape.length; d++) {
      ia += idx[d]! * sa[d]!;
      ib += idx[d]! * sb[d]!;
    }
    values.push(f((a.data as string[])[ia]!, (b.data as string[])[ib]!));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { shape, values };
}

function stripAccents(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return s.normalize("NFKD").replace(/\p{M}/gu, "");
}

function stringNormalizer(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = stringsAt(inputs, 0, ctx);
  if (x.shape.length !== 1 && x.shape.length !== 2) throw invalid(ctx, "input must be a vector or a matrix");
  const action = ctx.attrs.string("case_change_action", "NONE");
  const caseSensitive = ctx.attrs.int("is_case_sensitive", 0) === 1;
  const rawStops = new Set(ctx.attrs.strings("stopwords") ?? []);
  const stops = new Set([...rawStops].map((w) => (action === "LOWER" ? w.toLowerCase() : action === "UPPER" ? w.toUpperCase() : w)));
  const removeStops = (t: string, set: Set<string>) => t.split(" ").filter((w) => !set.has(w)).join(" ");
  let out = (x.data as string[]).map(stripAccents);
  if (caseSensitive && stops.size > 0) out = out.map((t) => removeStops(t, rawStops));
  if (action === "LOWER") out = out.map((t) => t.toLowerCase());
  else if (action === "UPPER") out = out.map((t) => t.toUpperCase());
  else if (action !== "NONE") throw invalid(ctx, `unknown case_change_action ${action}`);
  if (!caseSensitive && stops.size > 0) out = out.map((t) => removeStops(t, stops));
  // A single row (or a vector) drops the strings that became empty; all empty leaves one "".
  if (x.shape.length === 1 || x.shape[0] === 1) {
    const kept = out.filter((t) => t.length > 0);
    const values = kept.length ? kept : [""];
    return [new HostTensor("string", x.shape.length === 1 ? [values.length] : [1, values.length], values)];
  }
  return [new HostTensor("string", x.shape, out)];
}

function stringConcat(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const { shape, values } = broadcastHost(stringsAt(inputs, 0, ctx), stringsAt(inputs, 1, ctx), (a, b) => a + b);
  return [new HostTensor("string", shape, values)];
}

/** Python's str.split: on runs of whitespace when `sep` is undefined, at most `maxsplit` splits. */
function pySplit(s: string, sep: string | undefined, maxsplit: number | undefined): string[] {
  const limit = maxsplit === undefined || maxsplit < 0 ? Infinity : maxsplit;
  if (sep === undefined) {
    const parts: string[] = [];
    let rest = s.replace(/^\s+/, "");
    while (rest.length > 0) {
      if (parts.length >= limit) {
        parts.push(rest);
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        parts.push(rest);
        break;
      }
      parts.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return parts;
  }
  const parts = s.split(sep);
  if (parts.length - 1 <= limit) return parts;
  return [...parts.slice(0, limit), parts.slice(limit).join(sep)];
}

function stringSplit(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = stringsAt(inputs, 0, ctx);
  const d = ctx.attrs.string("delimiter", "");
  const parts = (x.data as string[]).map((s) => pySplit(s, d === "" ? undefined : d, ctx.attrs.int("maxsplit")));
  const width = parts.reduce((m, p) => Math.max(m, p.length), 0);
  const values = parts.flatMap((p) => [...p, ...new Array<string>(width - p.length).fill("")]);
  return [new HostTensor("string", [...x.shape, width], values), int64Tensor(parts.map((p) => p.length), [...x.shape])];
}

function regexFullMatch(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = stringsAt(inputs, 0, ctx);
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${ctx.attrs.string("pattern", "")})$`, "u");
  } catch (e) {
    throw invalid(ctx, `invalid pattern: ${(e as Error).message}`);
  }
  return [boolTensor((x.data as string[]).map((s) => re.test(s)), x.shape)];
}

/** Equal of two string tensors (other types go through the elementwise Equal). */
export function stringEqual(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const { shape, values } = broadcastHost(stringsAt(inputs, 0, ctx), stringsAt(inputs, 1, ctx), (a, b) => a === b);
  return [boolTensor(values, shape)];
}

export const stringOps: OpFamily = {
  StringNormalizer: stringNormalizer,
  StringConcat: stringConcat,
  StringSplit: stringSplit,
  RegexFullMatch: regexFullMatch,
};
