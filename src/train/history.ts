/** What a fit records: per-epoch train and validation logs and the loss of every batch. */
export interface History {
  /** Epoch numbers (1-based) in order. */
  epochs: number[];
  /** Per-epoch train values by key ("loss", "accuracy", ...). */
  train: Record<string, number[]>;
  /** Per-epoch validation values by key. */
  val: Record<string, number[]>;
  /** Loss of each training batch, with its global step. */
  batches: { step: number; loss: number }[];
}

export function emptyHistory(): History {
  return { epochs: [], train: {}, val: {}, batches: [] };
}

export function recordEpoch(history: History, epoch: number, train: Record<string, number>, val: Record<string, number>): void {
  history.epochs.push(epoch);
  const n = history.epochs.length;
  for (const [target, logs] of [[history.train, train], [history.val, val]] as const) {
    for (const [k, v] of Object.entries(logs)) {
      const arr = (target[k] ??= []);
      while (arr.length < n - 1) arr.push(Number.NaN);
      arr.push(v);
    }
  }
}
