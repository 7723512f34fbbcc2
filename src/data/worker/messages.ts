/**
 * What crosses between the DataLoader and its worker threads: batches with their tensors
 * as transferable payloads, and the messages of the protocol.
 */
import { Tensor } from "../../core/tensor.ts";
import { payloadToTensor, tensorToTransfer, type TensorPayload } from "./shared-tensor.ts";
import type { WorkerSpec } from "./spec.ts";

const TENSOR_TAG = "__concordTensor";

interface EncodedTensor {
  readonly [TENSOR_TAG]: TensorPayload;
}

function isEncodedTensor(x: unknown): x is EncodedTensor {
  return typeof x === "object" && x !== null && TENSOR_TAG in x;
}

/** A batch ready to post: tensors become payloads whose buffers are added to `transfer`. */
export function encodeValue(value: unknown, transfer: ArrayBuffer[]): unknown {
  if (value instanceof Tensor) return { [TENSOR_TAG]: tensorToTransfer(value, transfer) };
  if (Array.isArray(value)) return value.map((v) => encodeValue(v, transfer));
  if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encodeValue(v, transfer);
    return out;
  }
  return value;
}

/** The inverse of {@link encodeValue}: payloads become tensors again. */
export function decodeValue(value: unknown): unknown {
  if (isEncodedTensor(value)) return payloadToTensor(value[TENSOR_TAG]);
  if (Array.isArray(value)) return value.map(decodeValue);
  if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decodeValue(v);
    return out;
  }
  return value;
}

/** The first message a worker gets. */
export interface InitMessage {
  readonly type: "init";
  readonly spec: WorkerSpec;
  readonly workerId: number;
  readonly numWorkers: number;
  /** base_seed + worker id, as a decimal string (a 64-bit value). */
  readonly seed: string;
  /** "default": collate in the worker; "none": send the samples, the main thread collates. */
  readonly collate: "default" | "none";
  /** A module whose `workerInit(info)` runs once before the first task, or null. */
  readonly initModule: string | null;
}

export interface TaskMessage {
  readonly type: "task";
  readonly taskId: number;
  readonly indices: readonly number[];
}

export type ToWorker = InitMessage | TaskMessage;

export type FromWorker =
  | { readonly type: "result"; readonly taskId: number; readonly value: unknown }
  | { readonly type: "error"; readonly taskId: number | null; readonly name: string; readonly message: string; readonly stack: string };
