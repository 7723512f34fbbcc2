/**
 * Variable-length sequences for the recurrent layers (`torch.nn.utils.rnn`): PackedSequence,
 * padSequence, packPaddedSequence, padPackedSequence, packSequence.
 *
 * Note: packed layout. A PackedSequence holds the steps of a batch sorted by decreasing
 * length, time-major without padding: `data` is [Σ lengths, *], step t contributing its
 * first batchSizes[t] sequences. sortedIndices[i] is the caller's batch index of sorted
 * sequence i (unsortedIndices its inverse). Moving between packed and padded [T, B, *]
 * layouts is one indexSelect each way (a sentinel row stands for padding), so gradients
 * flow through both.
 */
import { ShapeError, ValueError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { full, tensor } from "../../ops/creation.ts";
import { cat } from "../../ops/defs/shape.ts";
import { sort } from "../../ops/defs/sort.ts";
import { stack } from "../../ops/composite/shape.ts";

/** A batch of variable-length sequences in the packed layout (see Note: packed layout). */
export class PackedSequence {
  constructor(
    /** [Σ lengths, *]: the steps, time-major, each over the sequences still running. */
    readonly data: Tensor,
    /** int64 [T]: how many sequences run at each step (non-increasing). */
    readonly batchSizes: Tensor,
    /** int64 [B]: the caller's batch index of each sorted sequence, or null when given sorted. */
    readonly sortedIndices: Tensor | null = null,
    /** int64 [B]: the inverse permutation of sortedIndices. */
    readonly unsortedIndices: Tensor | null = null,
  ) {}

  /** The batch sizes as numbers. */
  sizes(): number[] {
    return Array.from(this.batchSizes.to("int64").dataSync() as BigInt64Array, Number);
  }
}

/** Index maps between the packed rows and a padded [T, B] grid (see Note: packed layout). */
export interface PackedLayout {
  readonly steps: number;
  readonly batch: number;
  /** Packed row k sits at padded position t·B + b. */
  readonly paddedPosition: Tensor;
  /** Padded position t·B + b reads packed row k, or the sentinel Σ lengths for padding. */
  readonly packedRow: Tensor;
  /** bool [T, B, 1]: true where step t of sequence b exists. */
  readonly valid: Tensor;
}

export function packedLayout(batchSizes: readonly number[]): PackedLayout {
  const steps = batchSizes.length;
  const batch = batchSizes[0] ?? 0;
  const total = batchSizes.reduce((a, b) => a + b, 0);
  const paddedPosition: number[] = [];
  const packedRow = new Array<number>(steps * batch).fill(total);
  const valid: boolean[][][] = [];
  let k = 0;
  for (let t = 0; t < steps; t++) {
    valid.push([]);
    for (let b = 0; b < batch; b++) {
      const present = b < batchSizes[t]!;
      valid[t]!.push([present]);
      if (!present) continue;
      paddedPosition.push(t * batch + b);
      packedRow[t * batch + b] = k++;
    }
  }
  return {
    steps,
    batch,
    paddedPosition: tensor(paddedPosition, { dtype: "int64" }),
    packedRow: tensor(packedRow, { dtype: "int64" }),
    valid: tensor(valid, { dtype: "bool" }),
  };
}

function checkBatchSizes(sizes: readonly number[]): void {
  if (sizes.length === 0) throw new ValueError("a PackedSequence needs at least one step");
  sizes.forEach((s, t) => {
    if (!Number.isInteger(s) || s <= 0 || (t > 0 && s > sizes[t - 1]!))
      throw new ValueError(`batch_sizes must be positive and non-increasing, got [${sizes.join(", ")}]`);
  });
}

/** The padded [T, B, *] tensor of packed rows, `fill` where a sequence has ended. */
export function padPacked(data: Tensor, layout: PackedLayout, fill: number): Tensor {
  const sentinel = full([1, ...data.shape.slice(1)], fill, { dtype: data.dtype });
  return cat([data, sentinel]).indexSelect(0, layout.packedRow).reshape([layout.steps, layout.batch, ...data.shape.slice(1)]);
}

/** The packed rows of a padded [T, B, *] tensor. */
export function packPadded(padded: Tensor, layout: PackedLayout): Tensor {
  return padded.reshape([layout.steps * layout.batch, ...padded.shape.slice(2)]).indexSelect(0, layout.paddedPosition);
}

function lengthList(lengths: Tensor | readonly number[]): number[] {
  const list = Array.isArray(lengths) ? [...(lengths as readonly number[])] : Array.from((lengths as Tensor).to("float64").dataSync(), Number);
  if (list.some((n) => !Number.isInteger(n))) throw new ValueError(`lengths must be integers, got [${list.join(", ")}]`);
  return list;
}

/**
 * Stacks sequences [L_i, *] into [max L, B, *] ([B, max L, *] with batchFirst), padding
 * with `paddingValue` (`torch.nn.utils.rnn.pad_sequence`).
 */
export function padSequence(sequences: readonly Tensor[], options: { batchFirst?: boolean; paddingValue?: number } = {}): Tensor {
  if (sequences.length === 0) throw new ValueError("pad_sequence: received an empty list of sequences");
  const trailing = sequences[0]!.shape.slice(1);
  const longest = Math.max(...sequences.map((s) => s.shape[0] ?? 0));
  const padded = sequences.map((s, i) => {
    if (s.ndim < 1 || s.shape.slice(1).some((d, j) => d !== trailing[j]) || s.ndim !== trailing.length + 1)
      throw new ShapeError(`pad_sequence: sequence ${i} has shape [${s.shape.join(", ")}], expected [L, ${trailing.join(", ")}]`);
    const rest = longest - s.shape[0]!;
    return rest === 0 ? s : cat([s, full([rest, ...trailing], options.paddingValue ?? 0, { dtype: s.dtype })]);
  });
  return stack(padded, options.batchFirst ? 0 : 1);
}

/**
 * Packs a padded batch [T, B, *] ([B, T, *] with batchFirst) of sequences with the given
 * lengths (`torch.nn.utils.rnn.pack_padded_sequence`). With `enforceSorted` (default) the
 * lengths must be non-increasing; otherwise the batch is sorted and the permutation kept.
 */
export function packPaddedSequence(
  input: Tensor, lengths: Tensor | readonly number[], options: { batchFirst?: boolean; enforceSorted?: boolean } = {},
): PackedSequence {
  const list = lengthList(lengths);
  const batchDim = options.batchFirst ? 0 : 1;
  if (input.ndim < 2) throw new ShapeError(`pack_padded_sequence: expected an input of at least 2 dims, got ${input.ndim}`);
  if (list.length !== input.shape[batchDim])
    throw new ShapeError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${list.length} (batch_size=${input.shape[batchDim]})`);
  if (list.some((n) => n <= 0)) throw new ValueError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  let sortedIndices: Tensor | null = null;
  let unsortedIndices: Tensor | null = null;
  let x = options.batchFirst ? input.transpose(0, 1) : input;
  let sorted = list;
  if (options.enforceSorted ?? true) {
    if (list.some((n, i) => i > 0 && n > list[i - 1]!))
      throw new ValueError(
        "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.",
      );
  } else {
    const [values, indices] = sort(tensor(list, { dtype: "int64" }), { descending: true });
    sortedIndices = indices;
    unsortedIndices = invertPermutation(indices);
    sorted = Array.from(values.dataSync() as BigInt64Array, Number);
    x = x.indexSelect(1, sortedIndices);
  }
  if (sorted[0]! > x.shape[0]!) throw new ShapeError(`pack_padded_sequence: a length of ${sorted[0]} exceeds the ${x.shape[0]} steps of the input`);
  const batchSizes = Array.from({ length: sorted[0]! }, (_, t) => sorted.filter((n) => n > t).length);
  const layout = packedLayout(batchSizes);
  const data = packPadded(x.slice(0, 0, layout.steps), layout);
  return new PackedSequence(data, tensor(batchSizes, { dtype: "int64" }), sortedIndices, unsortedIndices);
}

function invertPermutation(indices: Tensor): Tensor {
  const order = Array.from(indices.dataSync() as BigInt64Array, Number);
  const inverse = new Array<number>(order.length);
  order.forEach((o, i) => (inverse[o] = i));
  return tensor(inverse, { dtype: "int64" });
}

/**
 * Pads a PackedSequence back to [T, B, *] ([B, T, *] with batchFirst) in the caller's batch
 * order; returns it with the int64 lengths (`torch.nn.utils.rnn.pad_packed_sequence`).
 * `totalLength` pads to that many steps.
 */
export function padPackedSequence(
  sequence: PackedSequence, options: { batchFirst?: boolean; paddingValue?: number; totalLength?: number | null } = {},
): [Tensor, Tensor] {
  const layout = layoutOf(sequence);
  const sizes = sequence.sizes();
  let padded = padPacked(sequence.data, layout, options.paddingValue ?? 0);
  const total = options.totalLength ?? null;
  if (total !== null) {
    if (!Number.isInteger(total) || total < layout.steps)
      throw new ValueError(`Expected total_length to be at least the length of the longest sequence in input, but got total_length=${total} and max sequence length being ${layout.steps}`);
    if (total > layout.steps)
      padded = cat([padded, full([total - layout.steps, ...padded.shape.slice(1)], options.paddingValue ?? 0, { dtype: padded.dtype })]);
  }
  let lengths = tensor(Array.from({ length: layout.batch }, (_, b) => sizes.filter((s) => s > b).length), { dtype: "int64" });
  if (sequence.unsortedIndices) {
    padded = padded.indexSelect(1, sequence.unsortedIndices);
    lengths = lengths.indexSelect(0, sequence.unsortedIndices);
  }
  return [options.batchFirst ? padded.transpose(0, 1) : padded, lengths];
}

/** Packs a list of sequences [L_i, *] (`torch.nn.utils.rnn.pack_sequence`). */
export function packSequence(sequences: readonly Tensor[], options: { enforceSorted?: boolean } = {}): PackedSequence {
  const lengths = sequences.map((s) => s.shape[0] ?? 0);
  return packPaddedSequence(padSequence(sequences), lengths, { enforceSorted: options.enforceSorted ?? true });
}

/** Checks a PackedSequence's batch sizes and returns them with its layout. */
export function layoutOf(sequence: PackedSequence): PackedLayout {
  const sizes = sequence.sizes();
  checkBatchSizes(sizes);
  if (sequence.data.shape[0] !== sizes.reduce((a, b) => a + b, 0))
    throw new ShapeError(`PackedSequence: data has ${sequence.data.shape[0]} rows, batch_sizes add up to ${sizes.reduce((a, b) => a + b, 0)}`);
  return packedLayout(sizes);
}
