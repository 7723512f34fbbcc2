/**
 * A progress line for the fit loop: on a terminal one bar redrawn in place
 * (batches, loss, metrics, samples/s, ETA); elsewhere (CI logs, files) plain lines at
 * a few points of each epoch and at its end.
 */

/** Where progress goes; `process.stdout` fits, and so does any object with `write`. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  sink?: ProgressSink;
  /** Plain lines per epoch when not on a terminal (default 4). */
  linesPerEpoch?: number;
  /** Minimum milliseconds between redraws on a terminal (default 100). */
  redrawMs?: number;
}

/** The sink used when none is given: Node's stdout when it exists, else the console. */
export function defaultSink(): ProgressSink {
  const proc = (globalThis as { process?: { stdout?: ProgressSink } }).process;
  if (proc?.stdout) return proc.stdout;
  let line = "";
  return {
    write(text: string) {
      line += text;
      const parts = line.split("\n");
      line = parts.pop()!;
      for (const p of parts) console.log(p);
    },
  };
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}` : `${m}:${String(r).padStart(2, "0")}`;
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

export class ProgressBar {
  readonly #sink: ProgressSink;
  readonly #tty: boolean;
  readonly #linesPerEpoch: number;
  readonly #redrawMs: number;
  #label = "";
  #total = 0;
  #start = 0;
  #lastDraw = 0;
  #nextLine = 0;
  #drawn = false;

  constructor(options: ProgressOptions = {}) {
    this.#sink = options.sink ?? defaultSink();
    this.#tty = this.#sink.isTTY === true;
    this.#linesPerEpoch = options.linesPerEpoch ?? 4;
    this.#redrawMs = options.redrawMs ?? 100;
  }

  /** Starts a phase ("epoch 1/3") of `total` batches (0 when unknown). */
  start(label: string, total: number): void {
    this.#label = label;
    this.#total = total;
    this.#start = performance.now();
    this.#lastDraw = 0;
    this.#nextLine = 1;
    this.#drawn = false;
  }

  /** Reports `done` batches and `samples` samples so far with the running logs. */
  update(done: number, samples: number, logs: Record<string, number>): void {
    const now = performance.now();
    if (this.#tty) {
      if (now - this.#lastDraw < this.#redrawMs && done !== this.#total) return;
      this.#lastDraw = now;
      this.#sink.write(`\r${this.#line(done, samples, logs, now, true)}\x1b[K`);
      this.#drawn = true;
    } else if (this.#total > 0 && done >= (this.#nextLine * this.#total) / this.#linesPerEpoch && done < this.#total) {
      while (done >= (this.#nextLine * this.#total) / this.#linesPerEpoch) this.#nextLine++;
      this.#sink.write(`${this.#line(done, samples, logs, now, false)}\n`);
    }
  }

  /** Ends the phase with a final line that includes `extra` (validation results). */
  end(done: number, samples: number, logs: Record<string, number>): void {
    const line = this.#line(done, samples, logs, performance.now(), false);
    this.#sink.write(this.#tty && this.#drawn ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  #line(done: number, samples: number, logs: Record<string, number>, now: number, bar: boolean): string {
    const elapsed = (now - this.#start) / 1000;
    const rate = elapsed > 0 ? samples / elapsed : 0;
    const parts = [this.#label];
    if (this.#total > 0) {
      const frac = Math.min(1, done / this.#total);
      const width = Math.max(10, Math.min(30, (this.#sink.columns ?? 100) - 90));
      const fill = Math.round(frac * width);
      parts.push(bar ? `[${"=".repeat(fill)}${fill < width ? ">" : ""}${" ".repeat(Math.max(0, width - fill - 1))}] ${done}/${this.#total}` : `${done}/${this.#total}`);
    } else parts.push(`${done}`);
    for (const [k, v] of Object.entries(logs)) parts.push(`${k} ${formatValue(v)}`);
    parts.push(`${rate.toFixed(0)} samples/s`);
    if (this.#total > 0 && done < this.#total) parts.push(`ETA ${formatDuration(((this.#total - done) * elapsed) / Math.max(done, 1))}`);
    else parts.push(formatDuration(elapsed));
    return parts.join(" | ");
  }
}
