/**
 * Numeric CSV: rows of numbers (an optional header row of names) into a feature tensor
 * and, optionally, a label tensor taken from one column.
 */
import { DTYPES, type DType, type StorageArray } from "../../core/dtype.ts";
import { FormatError, ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { fromStorageArray } from "../../ops/creation.ts";
import { DEFAULT_MAX_BYTES, gunzipBounded, isGzip } from "./gzip.ts";

export interface CsvOptions {
  /** Whether the first row holds column names: true, false, or "auto" (default: a header when any field of the first row is not a number). */
  header?: boolean | "auto";
  /** The feature columns, by name (needs a header) or index; default every column but the label. */
  columns?: readonly (string | number)[];
  /** The column holding labels, by name or index (negative counts from the end). */
  labelColumn?: string | number;
  /** Field separator (default ","). */
  delimiter?: string;
  /** dtype of the features (default float32). Labels are int64 when all are integers, else float32. */
  dtype?: DType;
  /** Named in error messages. */
  file?: string;
}

export interface CsvData {
  /** [rows, columns] of the feature columns. */
  features: Tensor;
  /** [rows] of the label column, or null without `labelColumn`. */
  labels: Tensor | null;
  /** The names of the feature columns (their indices as strings without a header). */
  featureNames: string[];
  /** The header row, or null. */
  header: string[] | null;
}

/** Splits one line into fields, with RFC 4180 quotes ("a,b" and "" for a quote). */
function splitLine(line: string, delimiter: string, lineNo: number, file?: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (line.startsWith(delimiter, i)) {
      fields.push(field);
      field = "";
      i += delimiter.length - 1;
    } else field += c;
  }
  if (quoted) throw new FormatError(`CSV row ${lineNo}: unterminated quoted field`, file);
  fields.push(field);
  return fields;
}

function parseNumber(s: string): number {
  const t = s.trim();
  if (t === "") return NaN;
  const lower = t.toLowerCase();
  if (lower === "nan") return NaN;
  if (lower === "inf" || lower === "+inf" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  const v = Number(t);
  return v;
}

function isNumeric(s: string): boolean {
  const t = s.trim().toLowerCase();
  return t !== "" && (!Number.isNaN(Number(t)) || ["nan", "inf", "+inf", "-inf", "infinity", "-infinity"].includes(t));
}

/** Resolves a column given by name or index to its index. */
function columnIndex(col: string | number, header: string[] | null, width: number, what: string): number {
  if (typeof col === "number") {
    const i = col < 0 ? col + width : col;
    if (!Number.isInteger(col) || i < 0 || i >= width) throw new ValueError(`readCsv: ${what} ${col} is out of range for ${width} columns`);
    return i;
  }
  if (header === null) throw new ValueError(`readCsv: ${what} '${col}' is a name, but the CSV has no header row`);
  const i = header.indexOf(col);
  if (i < 0) throw new ValueError(`readCsv: ${what} '${col}' is not in the header [${header.join(", ")}]`);
  return i;
}

/**
 * Reads numeric CSV text (or bytes, gzipped or not) into tensors. Empty lines are skipped;
 * every row must have as many fields as the first; a field that is not a number (empty
 * fields and "nan" read as NaN, "inf" as infinity) is a FormatError naming its row and column.
 *
 * @example
 * const { features, labels } = readCsv(text, { header: true, labelColumn: -1 });
 */
export function readCsv(input: string | Uint8Array, options: CsvOptions = {}): CsvData {
  const file = options.file;
  const text = typeof input === "string" ? input : new TextDecoder().decode(isGzip(input) ? gunzipBounded(input, DEFAULT_MAX_BYTES, file) : input);
  const delimiter = options.delimiter ?? ",";
  if (delimiter.length === 0) throw new ValueError("readCsv: the delimiter must not be empty");
  const lines: { no: number; fields: string[] }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() !== "") lines.push({ no: i + 1, fields: splitLine(line, delimiter, i + 1, file) });
  });
  if (lines.length === 0) throw new FormatError("CSV has no rows", file);
  const headerMode = options.header ?? "auto";
  const hasHeader = headerMode === "auto" ? !lines[0]!.fields.every(isNumeric) : headerMode;
  const header = hasHeader ? lines[0]!.fields.map((f) => f.trim()) : null;
  const rows = hasHeader ? lines.slice(1) : lines;
  const width = header?.length ?? rows[0]?.fields.length ?? 0;
  const label = options.labelColumn === undefined ? -1 : columnIndex(options.labelColumn, header, width, "labelColumn");
  const featureCols = options.columns
    ? options.columns.map((c) => columnIndex(c, header, width, "column"))
    : Array.from({ length: width }, (_, i) => i).filter((i) => i !== label);
  const name = (c: number) => (header ? `'${header[c]}'` : `${c}`);

  const dtype = options.dtype ?? "float32";
  const values = new Float64Array(rows.length * featureCols.length);
  const labelValues = new Float64Array(label >= 0 ? rows.length : 0);
  rows.forEach(({ no, fields }, r) => {
    if (fields.length !== width) throw new FormatError(`CSV row ${no} has ${fields.length} fields, expected ${width}`, file);
    const read = (c: number): number => {
      const v = parseNumber(fields[c]!);
      if (Number.isNaN(v) && fields[c]!.trim() !== "" && fields[c]!.trim().toLowerCase() !== "nan")
        throw new FormatError(`CSV row ${no}, column ${name(c)}: '${fields[c]}' is not a number`, file);
      return v;
    };
    featureCols.forEach((c, k) => (values[r * featureCols.length + k] = read(c)));
    if (label >= 0) labelValues[r] = read(label);
  });
  const features = fromStorageArray(castNumbers(values, dtype), [rows.length, featureCols.length], dtype);
  let labels: Tensor | null = null;
  if (label >= 0) {
    const integral = labelValues.every(Number.isInteger);
    labels = integral
      ? fromStorageArray(BigInt64Array.from(labelValues, (v) => BigInt(v)), [rows.length], "int64")
      : fromStorageArray(Float32Array.from(labelValues), [rows.length], "float32");
  }
  return { features, labels, featureNames: featureCols.map((c) => (header ? header[c]! : String(c))), header };
}

function castNumbers(values: Float64Array, dtype: DType): StorageArray {
  if (dtype !== "float32" && dtype !== "float64" && dtype !== "int32" && dtype !== "int16" && dtype !== "int8" && dtype !== "uint8")
    throw new ValueError(`readCsv: dtype must be float32, float64, int32, int16, int8 or uint8, got ${dtype}`);
  const out = new DTYPES[dtype].array(values.length) as Float64Array;
  out.set(values);
  return out as StorageArray;
}
