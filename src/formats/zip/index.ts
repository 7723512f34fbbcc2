/** Zip archives in memory: the container of PyTorch checkpoints and NumPy .npz files. */
export { readZip, looksLikeZip, ZipReader, ZIP_DEFAULT_LIMITS, type ZipEntry, type ZipReadOptions } from "./read.ts";
export { writeZip, type ZipWriteEntry, type ZipWriteOptions } from "./write.ts";
export { crc32 } from "./crc32.ts";
