/** `concord inspect FILE [--json]`: what a checkpoint or model file holds. */
import { readFile } from "node:fs/promises";
import { inspectBytes, type FileSummary } from "../formats/index.ts";
import { formatBytes, table, type CliIo } from "./io.ts";

export async function inspectCommand(file: string, options: { json?: boolean; limit?: number }, io: CliIo): Promise<void> {
  const bytes = new Uint8Array(await readFile(file));
  const summary = inspectBytes(bytes, file);
  if (options.json) {
    io.out(`${JSON.stringify({ file, ...summary }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
    return;
  }
  io.out(formatSummary(file, summary, options.limit ?? 50));
}

function formatSummary(file: string, s: FileSummary, limit: number): string {
  const lines: string[] = [];
  lines.push(`${file}: ${s.format}, ${formatBytes(s.sizeBytes)}`);
  lines.push(`${s.tensors.length} tensors, ${s.parameterCount.toLocaleString("en-US")} elements`);
  const meta = { ...s.metadata };
  if (s.format === "onnx") {
    const io = (label: string, list: unknown) => {
      for (const v of list as { name: string; type: string }[]) lines.push(`  ${label} ${v.name}: ${v.type}`);
    };
    lines.push(`ir_version ${String(meta.irVersion)}, opsets ${Object.entries(meta.opsets as Record<string, number>).map(([d, v]) => `${d} ${v}`).join(", ")}${meta.producer ? `, producer ${String(meta.producer)}` : ""}`);
    io("input ", meta.inputs);
    io("output", meta.outputs);
    const hist = Object.entries(meta.opHistogram as Record<string, number>);
    lines.push(`${String(meta.nodes)} nodes: ${hist.map(([op, n]) => `${op} ${n}`).join(", ")}`);
    for (const k of ["irVersion", "opsets", "producer", "inputs", "outputs", "nodes", "opHistogram"]) delete meta[k];
  }
  if (s.tensors.length > 0) {
    const rows = [["name", "dtype", "shape"], ...s.tensors.slice(0, limit).map((t) => [t.name, t.dtype, `[${t.shape.join(", ")}]`])];
    lines.push(table(rows).replace(/^/gm, "  "));
    if (s.tensors.length > limit) lines.push(`  ... ${s.tensors.length - limit} more (--limit N, or --json for all)`);
  }
  const metaEntries = Object.entries(meta);
  if (metaEntries.length > 0) {
    lines.push("metadata:");
    for (const [k, v] of metaEntries) {
      const text = typeof v === "string" ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
      lines.push(`  ${k}: ${text.length > 200 ? `${text.slice(0, 200)}...` : text}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
