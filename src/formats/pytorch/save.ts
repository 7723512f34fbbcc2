/**
 * Writing checkpoints in torch.save's zip format, loadable by `torch.load(path,
 * weights_only=True)` (PyTorch >= 1.13) when they hold tensors, ints, strings, bools, None
 * and containers; floats, bytes and sets load with newer or unrestricted torch.load.
 *
 * Layout (as PyTorch writes it): `archive/data.pkl`, `archive/byteorder` ("little"),
 * `archive/data/<key>` per storage, `archive/version` ("3\n"); each record's data 64-byte
 * aligned, every timestamp 1980-01-01, so the same input always gives the same bytes.
 *
 * Storages are written once, whole, however many tensors view them: tied weights stay
 * tied, and a view (offset, strides, non-contiguous) is written as its storage plus its
 * offset and strides, as PyTorch does.
 */
import { DTYPES } from "../../core/dtype.ts";
import type { Storage } from "../../core/storage.ts";
import type { Tensor } from "../../core/tensor.ts";
import { writeZip, type ZipWriteEntry } from "../zip/index.ts";
import { Pickler } from "./pickle-write.ts";
import { storageBytes } from "./storage-data.ts";
import { DTYPE_STORAGES } from "./storage-types.ts";

export interface SaveOptions {
  /** The folder name inside the zip (PyTorch uses the file's base name; default "archive"). */
  archiveName?: string;
}

/** torch.save(obj) as bytes. `obj` is usually a state dict: a record of name -> Tensor. */
export function save(obj: unknown, options: SaveOptions = {}): Uint8Array {
  const archive = options.archiveName ?? "archive";
  const keys = new Map<Storage, string>();
  const pickler = new Pickler((t: Tensor) => {
    let key = keys.get(t.storage);
    if (key === undefined) {
      key = String(keys.size);
      keys.set(t.storage, key);
    }
    return { className: DTYPE_STORAGES[t.dtype], key, numel: t.storage.length };
  });
  const pickle = pickler.dump(obj);
  const records: ZipWriteEntry[] = [
    { name: `${archive}/data.pkl`, data: pickle },
    { name: `${archive}/byteorder`, data: new TextEncoder().encode("little") },
  ];
  // PyTorch writes the records in the string order of their keys.
  const byKey = [...keys].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [storage, key] of byKey) {
    const view = storageBytes(storage.owner.readSync(storage.handle)).subarray(0, storage.length * DTYPES[storage.dtype].itemsize);
    // A backend whose views do not outlive the next allocation (wasm) gets copied now.
    records.push({ name: `${archive}/data/${key}`, data: storage.owner.stableViews ? view : view.slice() });
  }
  records.push({ name: `${archive}/version`, data: new TextEncoder().encode("3\n") });
  return writeZip(records, { align: 64 });
}
