/**
 * Every ONNX operator concord implements, joined from the family files.
 */
// Tensor methods (x.mul(y), ...) used by the op files.
import "../../../ops/methods.ts";
import "../../../autograd/methods.ts";
import type { OpResolver } from "../../../graph/interpreter.ts";
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

const table = buildTable([elementwiseOps, tensorOps, reduceOps, mathOps, nnOps, controlOps, indexingOps, lossOps, attentionOps, resizeOps, quantizeOps, layoutOps, stringOps, samplingOps, signalOps, rnnOps, detectionOps, trainingOps, mlOps, tfidfOps, deformConvOps, randomOps, imageOps]);

/** The implementation of (domain, op type) for the imported version of the domain. */
export const resolveOp: OpResolver = (domain, opType, version) => {
  const impl = resolveIn(table, domain, opType, version);
  return impl && domain === "" && SAME_TYPE_OPS.has(opType) ? widenUnsigned(opType, impl) : impl;
};

/** "OpType" and "domain/OpType" keys of every implemented operator. */
export function implementedOps(): string[] {
  return [...table.keys()].sort();
}
