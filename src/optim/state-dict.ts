/**
 * The data an optimizer or scheduler state dict holds, and the checks that read it back.
 *
 * Note: state dict layout. `stateDict()` returns what PyTorch's `state_dict()` returns, key
 * for key: `{ state: { 0: { step, exp_avg, ... }, ... }, param_groups: [{ lr, betas, ...,
 * params: [0, 1] }] }`, with PyTorch's snake_case names inside (`weight_decay`,
 * `initial_lr`), tuples as arrays and Python's None as null. Parameters are numbered in
 * group order. A checkpoint writer can pickle it unchanged, and a dict read from a PyTorch
 * checkpoint loads with `loadStateDict()`. Loaded dicts are untrusted: every value is
 * checked before it is used.
 */
import { ValueError } from "../core/errors.ts";
import { Tensor } from "../core/tensor.ts";

/** A value inside a state dict: tensors, numbers, flags, strings, null, and lists or records of them. */
export type StateValue = Tensor | number | boolean | string | null | readonly StateValue[] | { readonly [key: string]: StateValue };

/** A state dict's record level (one parameter's state, one group, one scheduler). */
export type StateRecord = { [key: string]: StateValue };

/** `weightDecay` -> `weight_decay`. */
export function toSnakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

/** `weight_decay` -> `weightDecay`. */
export function toCamelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function isRecord(value: unknown): value is StateRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Tensor);
}

/** `record[key]` as a record, or a ValueError naming `what`. */
export function readRecord(record: StateRecord, key: string, what: string): StateRecord {
  const value = record[key];
  if (!isRecord(value)) throw new ValueError(`${what}: expected '${key}' to be a dict, got ${describe(value)}`);
  return value;
}

/** `record[key]` as a finite or infinite number (not nan unless `allowNan`). */
export function readNumber(record: StateRecord, key: string, what: string, allowNan = false): number {
  const value = record[key];
  if (typeof value !== "number" || (Number.isNaN(value) && !allowNan))
    throw new ValueError(`${what}: expected '${key}' to be a number, got ${describe(value)}`);
  return value;
}

/** `record[key]` as an integer. */
export function readInteger(record: StateRecord, key: string, what: string): number {
  const value = readNumber(record, key, what);
  if (!Number.isInteger(value)) throw new ValueError(`${what}: expected '${key}' to be an integer, got ${value}`);
  return value;
}

export function readBoolean(record: StateRecord, key: string, what: string): boolean {
  const value = record[key];
  if (typeof value !== "boolean") throw new ValueError(`${what}: expected '${key}' to be a bool, got ${describe(value)}`);
  return value;
}

export function readString<S extends string>(record: StateRecord, key: string, what: string, allowed: readonly S[]): S {
  const value = record[key];
  if (typeof value !== "string" || !allowed.includes(value as S))
    throw new ValueError(`${what}: expected '${key}' to be one of ${allowed.join(", ")}, got ${describe(value)}`);
  return value as S;
}

/** `record[key]` as a list of numbers, of `length` when given. */
export function readNumbers(record: StateRecord, key: string, what: string, length?: number): number[] {
  const value = record[key];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "number"))
    throw new ValueError(`${what}: expected '${key}' to be a list of numbers, got ${describe(value)}`);
  if (length !== undefined && value.length !== length)
    throw new ValueError(`${what}: expected '${key}' to hold ${length} values, got ${value.length}`);
  return [...(value as number[])];
}

/**
 * A number written by PyTorch as a float that may be infinite: JSON-like sources give
 * "inf"/"-inf"/"nan" strings for them, which are accepted too.
 */
export function readExtendedNumber(record: StateRecord, key: string, what: string): number {
  const value = record[key];
  if (value === "inf") return Infinity;
  if (value === "-inf") return -Infinity;
  if (value === "nan") return NaN;
  return readNumber(record, key, what, true);
}

export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "None";
  if (value instanceof Tensor) return `a tensor of shape [${value.shape.join(", ")}]`;
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a dict" : `${typeof value} ${String(value)}`;
}
