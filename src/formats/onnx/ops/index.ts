/**
 * Every ONNX operator concord implements, joined from the family files.
 */
// Tensor methods (x.mul(y), ...) used by the op files.
import "../../../ops/methods.ts";
import "../../../autograd/methods.ts";
import type { OpImpl, OpResolver } from "../../../graph/interpreter.ts";
import { attentionOps } from "./attention.ts";
import { controlOps } from "./control.ts";
import { deformConvOps } from "./deform-conv.ts";
import { detectionOps } from "./detection.ts";
import { elementwiseOps } from "./elementwise.ts";
import { imageOps } from "./image-decoder.ts";
import { indexingOps } from "./indexing.ts";
import { layoutOps } from "./layout.ts";
import { lossOps } from "./loss.ts";
import { mathOps } from "./math.ts";
import { mlOps } from "./ml.ts";
import { nnOps } from "./nn.ts";
import { quantizeOps } from "./quantize.ts";
import { randomOps } from "./random.ts";
import { reduceOps } from "./reduce.ts";
import { resizeOps } from "./resize.ts";
import { rnnOps } from "./rnn.ts";
import { buildTable, resolveIn } from "./table.ts";
import { SAME_TYPE_OPS, widenUnsigned } from "./unsigned.ts";
import { samplingOps } from "./sampling.ts";
import { signalOps } from "./signal.ts";
import { stringOps } from "./strings.ts";
import { tensorOps } from "./tensor.ts";
import { tfidfOps } from "./tfidf.ts";
import { trainingOps } from "./training.ts";

const table = buildTable([
  elementwiseOps, tensorOps, layoutOps, reduceOps, mathOps, nnOps, deformConvOps, rnnOps, attentionOps, lossOps, controlOps,
  indexingOps, detectionOps, resizeOps, samplingOps, signalOps, quantizeOps, randomOps, stringOps, tfidfOps, imageOps, mlOps,
  trainingOps,
]);

const resolved = new Map<string, OpImpl | undefined>();

/** The implementation of (domain, op type) for the imported version of the domain. */
export const resolveOp: OpResolver = (domain, opType, version) => {
  const key = `${domain}/${opType}/${version}`;
  if (resolved.has(key)) return resolved.get(key);
  const impl = resolveIn(table, domain, opType, version);
  const wrapped = impl && domain === "" && SAME_TYPE_OPS.has(opType) ? widenUnsigned(opType, impl) : impl;
  resolved.set(key, wrapped);
  return wrapped;
};

/** "OpType" and "domain/OpType" keys of every implemented operator. */
export function implementedOps(): string[] {
  return [...table.keys()].sort();
}
