/**
 * One hierarchy for every error concord throws, so callers can catch by kind.
 * A message says what was expected and what was found.
 */
export class ConcordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that cannot broadcast, reshape sizes that disagree, dims out of range. */
export class ShapeError extends ConcordError {}

/** A dtype an op does not accept, or a cast PyTorch refuses (float result into an int tensor). */
export class DTypeError extends ConcordError {}

/** An op with no kernel for a dtype on any backend, or a feature not implemented. */
export class UnsupportedError extends ConcordError {}

/** Misuse of autograd: backward through a freed graph, in-place on a leaf, modified saved tensors. */
export class AutogradError extends ConcordError {}

/** An argument out of its domain (negative size, bad enum value, index out of range). */
export class ValueError extends ConcordError {}

/** A file or byte buffer that is not what it claims; names the file and the byte offset. */
export class FormatError extends ConcordError {
  constructor(
    message: string,
    readonly file?: string,
    readonly offset?: number,
  ) {
    super(
      (file !== undefined ? `${file}: ` : "") + message + (offset !== undefined ? ` (at byte ${offset})` : ""),
    );
  }
}
