/**
 * Python spellings for module reprs, so `String(layer)` reads as PyTorch's `repr(layer)`:
 * floats as Python's repr writes them (1.0, 0.1, 1e-05), tuples with the 1-tuple comma,
 * True/False/None.
 */

/** A number as Python's repr of a float: shortest round-trip digits, exponent outside [1e-4, 1e16). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = x.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  const text = String(x);
  return text.includes(".") || text.includes("e") ? text : `${text}.0`;
}

/** A boolean as Python writes it. */
export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/** An int tuple as Python writes it: (3,) and (3, 3). */
export function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(", ")})`;
}

/** An int, or a tuple of ints when the argument was given as a list. */
export function pyIntOrTuple(value: number | readonly number[]): string {
  return typeof value === "number" ? String(value) : pyTuple(value);
}

/** A float or None. */
export function pyOptionalFloat(x: number | null): string {
  return x === null ? "None" : pyFloat(x);
}

/** An integer as Python's int, anything else as a float. */
export function pyNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : pyFloat(x);
}
