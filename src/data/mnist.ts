/**
 * MNIST and Fashion-MNIST (`torchvision.datasets.MNIST` / `FashionMNIST`): the four
 * standard IDX files, gzipped or not, read from a folder (Node) or given as bytes.
 */
import { FormatError, ShapeError } from "../core/errors.ts";
import { findFile, joinPath, readFileBytes } from "./files-node.ts";
import { ImageDataset, type ImageDatasetOptions } from "./image-dataset.ts";
import { readIdx } from "./readers/idx.ts";

export interface MnistOptions extends ImageDatasetOptions {
  /** The folder holding the files (directly, or under <Name>/raw/ as torchvision keeps them). */
  root: string;
  /** The 60000 training images (default) or the 10000 test images. */
  train?: boolean;
}

export interface MnistBytes extends ImageDatasetOptions {
  /** The images file (idx3-ubyte, gzipped or not). */
  images: Uint8Array;
  /** The labels file (idx1-ubyte, gzipped or not). */
  labels: Uint8Array;
}

/** Reads the images [N, 28, 28] uint8 and labels [N] of one split and checks they agree. */
function parseSplit(images: Uint8Array, labels: Uint8Array, imagesFile?: string, labelsFile?: string) {
  const data = readIdx(images, imagesFile === undefined ? {} : { file: imagesFile });
  const targets = readIdx(labels, labelsFile === undefined ? {} : { file: labelsFile });
  if (data.ndim !== 3 || data.dtype !== "uint8") throw new FormatError(`expected uint8 images [N, H, W], got ${data.dtype} [${data.shape.join(", ")}]`, imagesFile);
  if (targets.ndim !== 1 || targets.dtype !== "uint8") throw new FormatError(`expected uint8 labels [N], got ${targets.dtype} [${targets.shape.join(", ")}]`, labelsFile);
  if (targets.shape[0] !== data.shape[0]) throw new ShapeError(`${data.shape[0]} images but ${targets.shape[0]} labels`);
  return { data, targets };
}

function locate(root: string, folder: string, base: string): string {
  const names = [base, `${base}.gz`];
  const dirs = [root, joinPath(root, folder, "raw")];
  return findFile(dirs.flatMap((d) => names.map((n) => joinPath(d, n))), `${folder} file ${base}`);
}

function load(options: MnistOptions, folder: string) {
  const prefix = options.train ?? true ? "train" : "t10k";
  const imagesPath = locate(options.root, folder, `${prefix}-images-idx3-ubyte`);
  const labelsPath = locate(options.root, folder, `${prefix}-labels-idx1-ubyte`);
  return parseSplit(readFileBytes(imagesPath), readFileBytes(labelsPath), imagesPath, labelsPath);
}

/**
 * The MNIST digits: item i is [image uint8 [1, 28, 28], label 0-9] (through the
 * transforms if given).
 *
 * @example
 * const train = new MNIST({ root: "data/mnist", transform: new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])]) });
 */
export class MNIST extends ImageDataset {
  static readonly classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"];

  constructor(options: MnistOptions) {
    const { data, targets } = load(options, "MNIST");
    super(data, targets, options);
  }

  /** The data set from the bytes of its two files (works in browsers). */
  static fromBytes(bytes: MnistBytes): ImageDataset {
    const { data, targets } = parseSplit(bytes.images, bytes.labels);
    return new ImageDataset(data, targets, bytes);
  }
}

/** Fashion-MNIST: the same layout as MNIST, ten kinds of clothing. */
export class FashionMNIST extends ImageDataset {
  static readonly classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

  constructor(options: MnistOptions) {
    const { data, targets } = load(options, "FashionMNIST");
    super(data, targets, options);
  }

  /** The data set from the bytes of its two files (works in browsers). */
  static fromBytes(bytes: MnistBytes): ImageDataset {
    return MNIST.fromBytes(bytes);
  }
}
