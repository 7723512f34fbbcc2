/**
 * Tensor indexing that reads like Python's `x[1:, ::2, None, ..., idx]`.
 *
 * ```ts
 * x.index(sl(1), sl(null, null, 2), null, "...", idx); // x[1:, ::2, None, ..., idx]
 * x.index("1:, ::2, None, ..., -1");                  // the same items, parsed
 * x.index(0, [2, 0]);                                  // x[0, [2, 0]]
 * x.index(x.gt(0));                                    // x[x > 0]
 * x.setIndex(sl(1), 0, 5);                             // x[1:, 0] = 5
 * x.indexPut_([idx], values, true);                    // x[idx] += values, duplicates add up
 * ```
 *
 * Items, left to right, each applying to the next dim of x:
 * - a number selects one position and removes the dim (negative counts from the end);
 * - `sl(start, end, step)` keeps a range (null leaves a bound open; step > 0);
 * - `null` inserts a new dim of size 1 (Python's `None`);
 * - `"..."` stands for as many whole dims as needed (one per index);
 * - a bool tensor (or nested array of booleans) is a mask over as many dims as it has;
 * - an int64 tensor (or nested array of numbers) picks positions along its dim. A 0-d
 *   integer tensor acts like a number.
 * - a string is parsed as a comma-separated list of the items above, written as in Python:
 *   `"1:, ::2, None, ..., -1, [0, 2]"`.
 *
 * Numbers, slices, null and "..." give a view sharing x's storage (basic indexing).
 * Tensors and arrays (advanced indexing) give a copy, following PyTorch's rules: index
 * tensors broadcast together, and their dims replace the indexed dims in place when those
 * were adjacent, or go first otherwise. Numbers are applied as selects first, as PyTorch
 * does (unlike NumPy, `x[0, :, idx]` keeps idx's dims where idx was).
 *
 * Setting: `x.setIndex(...items, value)` is `x[items] = value`, and
 * `x.indexPut_(items, value, accumulate?)` the same with the items as a list (or a string)
 * and an optional `+=` (PyTorch's `index_put_` with any items). The value broadcasts; a
 * scalar, or a tensor with basic items, is cast to x's dtype (with advanced items a tensor
 * value must already have it, as in PyTorch). Without autograd, basic items write through the view and advanced
 * items write `indexPut` of the view through it; when x or the value needs a gradient the
 * new x is built out of place with `indexPut` over the flat positions of the selected
 * elements and assigned back, so gradients flow to both.
 */
import { DTYPES } from "../core/dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../core/errors.ts";
import type { NestedArray, Scalar } from "../core/tensor.ts";
import { Tensor } from "../core/tensor.ts";
import { isGradEnabled } from "../autograd/grad-mode.ts";
import { arange, full, tensor } from "./creation.ts";
import { advancedIndex, indexPut } from "./defs/advanced-index.ts";
import { assignInPlace } from "./inplace.ts";
import { reshape, select, slice, unsqueeze, view } from "./views.ts";

/** A Python slice `start:end:step`; null leaves a bound open. Make one with `sl`. */
export class Slice {
  constructor(
    readonly start: number | null,
    readonly end: number | null,
    readonly step: number | null,
  ) {}

  toString(): string {
    const part = (v: number | null) => (v === null ? "" : String(v));
    return `${part(this.start)}:${part(this.end)}${this.step === null ? "" : `:${this.step}`}`;
  }
}

/**
 * The slice `start:end:step` for `x.index(...)`: `sl(1)` is `1:`, `sl(null, -1)` is `:-1`,
 * `sl(null, null, 2)` is `::2`, `sl()` is `:`.
 */
export function sl(start: number | null = null, end: number | null = null, step: number | null = null): Slice {
  return new Slice(start, end, step);
}

/** Nested arrays of numbers or booleans: an index list, as Python's `x[[0, 2]]`. */
export type IndexList = readonly (number | bigint | boolean | IndexList)[];

/** One item of `x.index(...)`; see the file comment. */
export type IndexItem = number | boolean | null | "..." | (string & {}) | Slice | Tensor | IndexList;

type Item =
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "slice"; readonly slice: Slice }
  | { readonly kind: "newAxis" }
  | { readonly kind: "ellipsis" }
  | { readonly kind: "tensor"; readonly tensor: Tensor };

const isMask = (t: Tensor) => t.dtype === "bool" || t.dtype === "uint8";

function listTensor(list: IndexList): Tensor {
  const flat = (list as unknown[]).flat(Infinity as 1);
  if (flat.length === 0) return tensor(list as NestedArray, { dtype: "int64" });
  const bools = flat.every((v) => typeof v === "boolean");
  return tensor(list as NestedArray, { dtype: bools ? "bool" : "int64" });
}

function toItems(raw: readonly IndexItem[]): Item[] {
  const items: Item[] = [];
  for (const r of raw) {
    if (r === null) items.push({ kind: "newAxis" });
    else if (typeof r === "string") items.push(...parseIndex(r));
    else if (typeof r === "number") {
      if (!Number.isInteger(r)) throw new ValueError(`index: only integers, slices, null, "...", and int64 or bool tensors are valid indices (got ${r})`);
      items.push({ kind: "int", value: r });
    } else if (typeof r === "boolean") items.push({ kind: "tensor", tensor: tensor(r) });
    else if (r instanceof Slice) items.push({ kind: "slice", slice: r });
    else if (r instanceof Tensor) {
      // A 0-d integer tensor is a plain select, as in PyTorch (a view, not a copy).
      if (r.ndim === 0 && !isMask(r) && DTYPES[r.dtype].kind === "int")
        items.push({ kind: "int", value: Number(r.item()) });
      else items.push({ kind: "tensor", tensor: r });
    } else if (Array.isArray(r)) items.push({ kind: "tensor", tensor: listTensor(r) });
    else throw new ValueError(`index: unsupported index item ${String(r)}`);
  }
  return items;
}

/** Splits on commas outside brackets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "[") depth++;
    else if (ch === "]") depth--;
    else if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new ValueError(`index: unbalanced ']' in "${text}"`);
  }
  if (depth !== 0) throw new ValueError(`index: unbalanced '[' in "${text}"`);
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

const INTEGER = /^[+-]?\d+$/;

function parseInteger(text: string, whole: string): number {
  if (!INTEGER.test(text)) throw new ValueError(`index: cannot parse "${text}" in "${whole}"`);
  return Number(text);
}

function parseListValue(text: string, whole: string): NestedArray {
  const t = text.trim();
  if (t.startsWith("[")) {
    if (!t.endsWith("]")) throw new ValueError(`index: cannot parse "${t}" in "${whole}"`);
    const inner = t.slice(1, -1).trim();
    return inner === "" ? [] : splitTopLevel(inner).map((p) => parseListValue(p, whole));
  }
  if (t === "True" || t === "true") return true;
  if (t === "False" || t === "false") return false;
  return parseInteger(t, whole);
}

/**
 * Parses Python's index syntax into items: `"1:, ::2, None, ..., -1, [0, 2], True"`.
 * An empty string (or a lone trailing comma's empty part) gives no items.
 */
function parseIndex(text: string): Item[] {
  const parts = splitTopLevel(text);
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 1 && parts[0] === "") return [];
  return parts.map((p): Item => {
    if (p === "") throw new ValueError(`index: empty item in "${text}"`);
    if (p === "..." || p === "Ellipsis") return { kind: "ellipsis" };
    if (p === "None" || p === "null") return { kind: "newAxis" };
    if (p === "True" || p === "true" || p === "False" || p === "false") return { kind: "tensor", tensor: tensor(p.startsWith("T") || p.startsWith("t")) };
    if (p.startsWith("[")) return { kind: "tensor", tensor: listTensor(parseListValue(p, text) as IndexList) };
    if (p.includes(":")) {
      const bounds = p.split(":").map((b) => b.trim());
      if (bounds.length > 3) throw new ValueError(`index: too many ':' in "${p}"`);
      const [start, end, step] = bounds.map((b) => (b === undefined || b === "" ? null : parseInteger(b, text)));
      return { kind: "slice", slice: new Slice(start ?? null, end ?? null, step ?? null) };
    }
    return { kind: "int", value: parseInteger(p, text) };
  });
}

/** How many dims of x an item consumes. */
function dimsUsed(item: Item): number {
  if (item.kind === "int" || item.kind === "slice") return 1;
  if (item.kind === "tensor") return isMask(item.tensor) ? item.tensor.ndim : 1;
  return 0;
}

interface Applied {
  /** x after the basic items: a view. */
  readonly view: Tensor;
  /** Per dim of the view, the advanced index (or null); a mask covers as many entries as it has dims. */
  readonly advanced: (Tensor | null)[] | null;
}

/** Applies numbers, slices, null and "..." as views; collects tensors for advanced indexing. */
function applyBasic(x: Tensor, items: readonly Item[]): Applied {
  const used = items.reduce((n, item) => n + dimsUsed(item), 0);
  const ellipses = items.filter((i) => i.kind === "ellipsis").length;
  if (ellipses > 1) throw new ValueError("index: an index can only have a single ellipsis ('...')");
  if (used > x.ndim)
    throw new ShapeError(x.ndim === 0 ? "index: invalid index of a 0-dim tensor" : `index: too many indices for tensor of dimension ${x.ndim} (got ${used})`);
  let v = x;
  let dim = 0;
  const entries: { dim: number; tensor: Tensor }[] = [];
  for (const item of items) {
    switch (item.kind) {
      case "int":
        v = select(v, dim, item.value);
        break;
      case "slice":
        if (item.slice.step !== null && item.slice.step <= 0) throw new ValueError("index: slice step must be greater than zero");
        v = slice(v, dim, item.slice.start, item.slice.end, item.slice.step ?? 1);
        dim++;
        break;
      case "newAxis":
        v = unsqueeze(v, dim);
        dim++;
        break;
      case "ellipsis":
        dim += x.ndim - used;
        break;
      case "tensor": {
        const t = item.tensor;
        if (t.ndim === 0 && isMask(t)) {
          // x[True] adds a dim of size 1 and keeps it; x[False] adds it empty (PyTorch's boolToIndexingTensor).
          v = unsqueeze(v, dim);
          entries.push({ dim, tensor: t.item() ? tensor([0n]) : tensor(new BigInt64Array(0)) });
          dim++;
        } else {
          entries.push({ dim, tensor: t });
          dim += isMask(t) ? t.ndim : 1;
        }
      }
    }
  }
  if (entries.length === 0) return { view: v === x ? view(x, x.shape) : v, advanced: null };
  const advanced: (Tensor | null)[] = [];
  for (let d = 0; d < v.ndim; ) {
    const entry = entries.find((e) => e.dim === d);
    advanced.push(entry ? entry.tensor : null);
    d += entry && isMask(entry.tensor) ? entry.tensor.ndim : 1;
  }
  return { view: v, advanced };
}

/**
 * `x[items]` (see the file comment): a view for numbers, slices, null and "...", a
 * differentiable copy when a tensor or array is among the items.
 *
 * ```ts
 * x.index(0);               // x[0]
 * x.index(sl(1), "...", 0); // x[1:, ..., 0]
 * x.index("::2, None");     // x[::2, None]
 * x.index(mask);            // x[mask]
 * ```
 */
export function index(x: Tensor, ...items: IndexItem[]): Tensor {
  return indexItems(x, toItems(items));
}

function indexItems(x: Tensor, items: readonly Item[]): Tensor {
  const { view: v, advanced } = applyBasic(x, items);
  return advanced ? advancedIndex(v, advanced) : v;
}

/** PyTorch drops a value's leading size-1 dims beyond the target's rank before broadcasting. */
function dropLeadingOnes(value: Tensor, ndim: number): Tensor {
  let v = value;
  while (v.ndim > ndim && v.shape[0] === 1) v = reshape(v, v.shape.slice(1));
  return v;
}

/** The rank of `view[advanced]` (a mask's dims become one dim of positions). */
function advancedRank(view: Tensor, advanced: readonly (Tensor | null)[]): number {
  const tensors = advanced.filter((t): t is Tensor => t !== null);
  const covered = tensors.reduce((n, t) => n + (isMask(t) ? t.ndim : 1), 0);
  const broadcastRank = Math.max(...tensors.map((t) => (isMask(t) ? 1 : t.ndim)));
  return view.ndim - covered + broadcastRank;
}

function assign(x: Tensor, rawItems: readonly IndexItem[], value: Tensor | Scalar, accumulate: boolean, op: string): Tensor {
  const items = toItems(rawItems);
  // PyTorch casts the value for basic indexing (copy_) but index_put refuses another dtype.
  if (typeof value === "object" && value.dtype !== x.dtype && items.some((i) => i.kind === "tensor"))
    throw new DTypeError(`${op}: index put requires the source and destination dtypes match, got ${x.dtype} for the destination and ${value.dtype} for the source`);
  const valueTensor = typeof value === "object" ? value : full([], value, { dtype: x.dtype });
  const v = valueTensor.dtype === x.dtype ? valueTensor : valueTensor.to(x.dtype);
  if (!(isGradEnabled() && (x.requiresGrad || v.requiresGrad))) {
    const { view: target, advanced } = applyBasic(x, items);
    if (!advanced && !accumulate) assignInPlace(target, dropLeadingOnes(v, target.ndim), op, true);
    else {
      const list = advanced ?? target.shape.map(() => null);
      const rank = advanced ? advancedRank(target, advanced) : target.ndim;
      assignInPlace(target, indexPut(target, list, dropLeadingOnes(v, rank), accumulate), op, true);
    }
    return x;
  }
  // Under autograd: the flat positions of the selected elements, then an out-of-place
  // indexPut on the flat tensor, assigned back to x (which records the graph).
  const positions = indexItems(arange(x.size).reshape(x.shape), items);
  const values = dropLeadingOnes(v, positions.ndim).expand(positions.shape);
  const updated = indexPut(reshape(x, [-1]), [reshape(positions, [-1])], reshape(values, [-1]), accumulate);
  return assignInPlace(x, reshape(updated, x.shape), op, true);
}

/**
 * `x[items] = value` in place (see the file comment); returns x. The last argument is the
 * value (a tensor, broadcast, or a scalar); the ones before it are the items.
 *
 * ```ts
 * x.setIndex(0, sl(1), 5);           // x[0, 1:] = 5
 * x.setIndex(x.lt(0), 0);            // x[x < 0] = 0
 * x.setIndex("..., 0", tensor([1])); // x[..., 0] = tensor([1])
 * ```
 */
export function setIndex(x: Tensor, ...itemsAndValue: [...items: IndexItem[], value: Tensor | Scalar]): Tensor {
  if (itemsAndValue.length === 0) throw new ValueError("setIndex: expected the index items followed by a value");
  const value = itemsAndValue[itemsAndValue.length - 1] as Tensor | Scalar;
  return assign(x, itemsAndValue.slice(0, -1) as IndexItem[], value, false, "setIndex");
}

/**
 * `x[items] = value`, or `x[items] += value` with `accumulate` (then repeated positions add
 * up), in place; returns x. PyTorch's `index_put_`, taking any index items as a list (or a
 * string): `x.indexPut_([idx0, idx1], values, true)`.
 */
export function indexPut_(x: Tensor, items: string | readonly IndexItem[], value: Tensor | Scalar, accumulate = false): Tensor {
  return assign(x, typeof items === "string" ? [items] : items, value, accumulate, "indexPut_");
}
