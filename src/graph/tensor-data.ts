/**
 * TensorData (constants as files store them) <-> run-time values (concord Tensors for
 * concord's dtypes, HostTensors for the other element types).
 */
import type { DType, StorageArray } from "../core/dtype.ts";
import { Tensor } from "../core/tensor.ts";
import { fromStorageArray } from "../ops/creation.ts";
import { contiguous } from "../ops/views.ts";
import { isTensorElemType } from "./elem-type.ts";
import { ValueError } from "../core/errors.ts";
import type { SparseTensorData, TensorData } from "./ir.ts";
import { HostTensor, type HostArray } from "./value.ts";

/** The value a constant holds: a Tensor when its element type is a concord dtype. */
export function valueFromTensorData(t: TensorData): Tensor | HostTensor {
  if (isTensorElemType(t.elemType)) {
    let data = t.data as StorageArray;
    if (t.elemType === "bool") data = (data as Uint8Array).map((v) => (v ? 1 : 0));
    return fromStorageArray(data, t.dims, t.elemType as DType);
  }
  return new HostTensor(t.elemType, t.dims, t.data);
}

/** The elements of a tensor in row-major order, in its storage form (float16 as bits). */
export function storageValues(t: Tensor): StorageArray {
  const c = contiguous(t);
  const raw = c.rawStorage();
  return raw.slice(c.offset, c.offset + c.size) as StorageArray;
}

/** A value as TensorData (copying its elements). */
export function tensorDataFromValue(v: Tensor | HostTensor, name?: string): TensorData {
  const t: TensorData =
    v instanceof Tensor
      ? { elemType: v.dtype, dims: [...v.shape], data: storageValues(v) as HostArray }
      : { elemType: v.elemType, dims: [...v.shape], data: v.data.slice() as HostArray };
  if (name !== undefined) t.name = name;
  return t;
}

/**
 * A sparse tensor (ONNX SparseTensorProto) made dense: `indices` holds either NNZ linear
 * positions or an [NNZ, rank] list of coordinates; every other element is zero.
 */
export function denseFromSparse(s: SparseTensorData): TensorData {
  const { values, indices, dims } = s;
  const n = dims.reduce((p, d) => p * d, 1);
  const nnz = values.dims.reduce((p, d) => p * d, 1);
  const idx = Array.from(indices.data as ArrayLike<number | bigint>, Number);
  const rank = dims.length;
  const linear = idx.length === nnz ? idx : null;
  if (!linear && idx.length !== nnz * rank) throw new ValueError(`sparse tensor: ${idx.length} indices for ${nnz} values of a rank-${rank} tensor`);
  const src = values.data;
  const out = (Array.isArray(src) ? new Array<string>(n).fill("") : new (src.constructor as new (n: number) => Exclude<HostArray, string[]>)(n)) as HostArray;
  for (let k = 0; k < nnz; k++) {
    let at = 0;
    if (linear) at = linear[k]!;
    else for (let d = 0; d < rank; d++) at = at * dims[d]! + idx[k * rank + d]!;
    if (!(at >= 0 && at < n)) throw new ValueError(`sparse tensor: index ${at} is outside ${n} elements`);
    (out as unknown as unknown[])[at] = (src as unknown as unknown[])[k];
  }
  const t: TensorData = { elemType: values.elemType, dims: [...dims], data: out };
  if (values.name !== undefined) t.name = values.name;
  return t;
}
