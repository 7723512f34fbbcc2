/**
 * Every ONNX operator concord implements, joined from the family files.
 */
// Tensor methods (x.mul(y), ...) used by the op files.
import "../../../ops/methods.ts";
import "../../../autograd/methods.ts";
import type { OpResolver } from "../../../graph/interpreter.ts";
import { attentionOps } from "./attention.ts";
import { controlOps } from "./control.ts";
import { elementwiseOps } from "./elementwise.ts";
import { indexingOps } from "./indexing.ts";
import { lossOps } from "./loss.ts";
import { mathOps } from "./math.ts";
import { nnOps } from "./nn.ts";
import { reduceOps } from "./reduce.ts";
import { resizeOps } from "./resize.ts";
import { buildTable, resolveIn } from "./table.ts";
import { tensorOps } from "./tensor.ts";

const table = buildTable([elementwiseOps, tensorOps, reduceOps, mathOps, nnOps, controlOps, indexingOps, lossOps, attentionOps, resizeOps]);

/** The implementation of (domain, op type) for the imported version of the domain. */
export const resolveOp: OpResolver = (domain, opType, version) => resolveIn(table, domain, opType, version);

/** "OpType" and "domain/OpType" keys of every implemented operator. */
export function implementedOps(): string[] {
  return [...table.keys()].sort();
}
