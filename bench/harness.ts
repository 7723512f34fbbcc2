/** Timing helpers for the benchmarks: warm-up, then the median of timed repetitions. */
export interface Timing {
  medianMs: number;
  runs: number;
}

export interface TimeOptions {
  /** Warm-up calls before timing (at least this many)... */
  warmup?: number;
  /** ...and for at least this long. */
  warmupMs?: number;
  /** Timed calls: at least `minRuns`, going on until `minMs` have passed, at most `maxRuns`. */
  minRuns?: number;
  minMs?: number;
  maxRuns?: number;
  /**
   * Yield a macrotask before each timed call (default true), so FinalizationRegistry
   * callbacks can free unreachable tensors' buffers: they never run inside a synchronous loop.
   */
  yieldBetween?: boolean;
}

/** Runs `fn` until warm, then returns the median of its timed calls. */
export async function time(fn: () => unknown | Promise<unknown>, options: TimeOptions = {}): Promise<Timing> {
  const { warmup = 2, warmupMs = 0, minRuns = 5, minMs = 300, maxRuns = 200, yieldBetween = true } = options;
  const warmStart = performance.now();
  for (let i = 0; i < warmup || performance.now() - warmStart < warmupMs; i++) await fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || (performance.now() - start < minMs && samples.length < maxRuns)) {
    if (yieldBetween) await new Promise((r) => setTimeout(r, 0));
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[samples.length >> 1]!, runs: samples.length };
}

export interface Row {
  name: string;
  concordMs: number;
  peerMs: number;
  /** Work per call, for a throughput column (e.g. FLOPs or elements). */
  work?: { amount: number; unit: string };
}

/** Prints a table: concord vs the peer, and the speed ratio (peer time / concord time; > 1 means concord is faster). */
export function printTable(title: string, peer: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log(`${"case".padEnd(34)} ${"concord ms".padStart(11)} ${(peer + " ms").padStart(14)} ${"speed ratio".padStart(11)}  throughput (concord / peer)`);
  for (const r of rows) {
    const ratio = r.peerMs / r.concordMs;
    const tp = r.work
      ? `${fmt(r.work.amount / r.concordMs / 1e6)} / ${fmt(r.work.amount / r.peerMs / 1e6)} G${r.work.unit}/s`
      : "";
    console.log(`${r.name.padEnd(34)} ${r.concordMs.toFixed(3).padStart(11)} ${r.peerMs.toFixed(3).padStart(14)} ${(ratio.toFixed(2) + "x").padStart(11)}  ${tp}`);
  }
}

function fmt(x: number): string {
  return x >= 10 ? x.toFixed(1) : x.toFixed(3);
}
