/** Running ONNX bytes in onnxruntime-node with concord tensors in and out (tests only). */
import * as ort from "onnxruntime-node";
import { tensor, type DType, type Tensor } from "../../src/index.ts";

const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = {
  float32: "float32", float64: "float64", int64: "int64", int32: "int32", int8: "int8", uint8: "uint8", bool: "bool", int16: "int16",
};

export function toOrt(t: Tensor): ort.Tensor {
  const type = ORT_TYPES[t.dtype];
  if (!type) throw new Error(`no onnxruntime type for ${t.dtype}`);
  const data = t.contiguous().dataSync();
  const copy = t.dtype === "bool" ? Uint8Array.from(data as Uint8Array) : (data as Float32Array).slice();
  return new ort.Tensor(type, copy as Float32Array, [...t.shape]);
}

export function fromOrt(t: ort.Tensor): Tensor {
  const dtype = (Object.entries(ORT_TYPES).find(([, v]) => v === t.type)?.[0] ?? "float32") as DType;
  const data = t.type === "bool" ? Uint8Array.from(t.data as Uint8Array) : (t.data as Float32Array).slice();
  return tensor(data as Float32Array, { dtype, shape: [...t.dims] });
}

/** Runs the model bytes in onnxruntime-node; returns the outputs in graph order. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "disabled" });
  try {
    const result = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])));
    return session.outputNames.map((n) => fromOrt(result[n]!));
  } finally {
    await session.release();
  }
}
