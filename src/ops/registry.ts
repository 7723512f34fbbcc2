/**
 * Every op record, gathered; the tables keyed by them are typed from this list.
 */
import type { TensorMeta, KernelOp, AttrsOf } from "./define-op.ts";
import type { ComputeArray, JsView } from "../backends/js/compute.ts";
import { binaryOps } from "./defs/binary.ts";
import { castOps } from "./defs/cast.ts";
import { clampOps } from "./defs/clamp.ts";
import { reduceOps } from "./defs/reduce.ts";
import { scanOps } from "./defs/scan.ts";
import { softmaxOps } from "./defs/softmax.ts";
import { sortOps } from "./defs/sort.ts";
import { unaryOps } from "./defs/unary.ts";
import { viewOps } from "./defs/view.ts";
import { shapeOps } from "./defs/shape.ts";
import { indexingOps } from "./defs/indexing.ts";
import { advancedIndexOps } from "./defs/advanced-index.ts";
import { linalgOps } from "./defs/linalg.ts";
import { convOps } from "./defs/conv.ts";
import { poolOps } from "./defs/pool.ts";
import { normOps } from "./defs/norm.ts";
import { upsampleOps } from "./defs/upsample.ts";
import { optimStepOps } from "./defs/optim-step.ts";

export const ops = {
  ...unaryOps,
  ...binaryOps,
  ...clampOps,
  ...castOps,
  ...reduceOps,
  ...scanOps,
  ...softmaxOps,
  ...sortOps,
  ...viewOps,
  ...shapeOps,
  ...indexingOps,
  ...advancedIndexOps,
  ...linalgOps,
  ...convOps,
  ...poolOps,
  ...normOps,
  ...upsampleOps,
  ...optimStepOps,
};

export type Ops = typeof ops;
export type OpName = keyof Ops;
/** Ops that run a kernel (views need none). */
export type KernelOpName = { [K in OpName]: Ops[K] extends KernelOp<infer _A> ? K : never }[OpName];

/** A js kernel: views in the compute dtypes, attributes, output metas -> one array per output. */
export type JsKernel<A> = (inputs: JsView[], attrs: A, outputs: readonly TensorMeta[]) => ComputeArray[];
export type JsKernelTable = { [K in KernelOpName]: JsKernel<AttrsOf<Ops[K]>> };
