/**
 * TensorData (constants as files store them) <-> run-time values (concord Tensors for
 * concord's dtypes, HostTensors for the other element types).
 */
import type { DType, StorageArray } from "../core/dtype.ts";
import { Tensor } from "../core/tensor.ts";
import { fromStorageArray } from "../ops/creation.ts";
import { contiguous } from "../ops/views.ts";
import { isTensorElemType } from "./elem-type.ts";
import type { TensorData } from "./ir.ts";
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
