// Embedding lookups and their gradient: whole float32 rows picked by row numbers (int32,
// already checked against the table's size by the glue), as indexSelect and indexAdd
// along dim 0 of a 2-D tensor whose rows are contiguous (any row stride).

/** out[i, :] = table[rows[i], :] for output rows [start, end); out is contiguous. */
export function gatherRowsF32(table: usize, rowStride: i32, cols: i32, rows: usize, out: usize, start: i32, end: i32): void {
  const bytes = <usize>cols << 2;
  for (let i = start; i < end; i++) {
    const r = load<i32>(rows + (<usize>i << 2));
    memory.copy(out + <usize>i * bytes, table + (<usize>r * <usize>rowStride << 2), bytes);
  }
}

/**
 * out = x, then out[rows[i], :] += src[i, :] for i = 0..n−1 in order, over the columns
 * [4·unitStart, min(cols, 4·unitEnd)). Threads take disjoint columns, so no element is
 * written by two of them, and each element adds its terms in index order, exactly as the
 * js kernel does (float32 rounding after every addition).
 */
export function indexAddRowsF32(
  x: usize, xRows: i32, xStride: i32, cols: i32, rows: usize, n: i32, src: usize, srcStride: i32, out: usize, unitStart: i32, unitEnd: i32,
): void {
  const c0 = unitStart << 2;
  const c1 = min(cols, unitEnd << 2);
  if (c0 >= c1) return;
  const width = c1 - c0;
  const rowBytes = <usize>cols << 2;
  const first = <usize>c0 << 2;
  for (let r = 0; r < xRows; r++) {
    memory.copy(out + <usize>r * rowBytes + first, x + (<usize>r * <usize>xStride << 2) + first, <usize>width << 2);
  }
  for (let i = 0; i < n; i++) {
    const dst = out + <usize>load<i32>(rows + (<usize>i << 2)) * rowBytes + first;
    const from = src + (<usize>i * <usize>srcStride << 2) + first;
    let c = 0;
    for (; c + 4 <= width; c += 4) {
      const o = <usize>c << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(from + o)));
    }
    for (; c < width; c++) {
      const o = <usize>c << 2;
      store<f32>(dst + o, load<f32>(dst + o) + load<f32>(from + o));
    }
  }
}
