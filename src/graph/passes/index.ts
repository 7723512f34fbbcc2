/**
 * Graph passes over the ONNX-shaped IR, and `optimize`, which runs them in order: constant
 * folding, Conv + BatchNormalization folding, MatMul + Add -> Gemm, dead-code elimination,
 * and value infos from shape inference.
 */
import type { OpResolver } from "../interpreter.ts";
import type { Model } from "../ir.ts";
import { foldConstants, type FoldOptions } from "./constant-folding.ts";
import { eliminateDeadCode } from "./dead-code.ts";
import { fuseConvBatchNorm } from "./fuse-conv-bn.ts";
import { fuseMatMulAdd } from "./fuse-gemm.ts";
import { withInferredShapes } from "./shape-inference.ts";

export { foldConstants, type FoldOptions, type FoldResult } from "./constant-folding.ts";
export { eliminateDeadCode, eliminateDeadCodeInGraph } from "./dead-code.ts";
export { fuseConvBatchNorm, type FuseResult } from "./fuse-conv-bn.ts";
export { fuseMatMulAdd } from "./fuse-gemm.ts";
export { inferShapes, withInferredShapes, type InferredType, type ShapeInferenceResult } from "./shape-inference.ts";

export interface OptimizeStats {
  folded: number;
  convBatchNorm: number;
  gemm: number;
}

/** The model after every pass; `stats` says what each did. */
export function optimize(model: Model, resolve: OpResolver, options: FoldOptions = {}): { model: Model; stats: OptimizeStats } {
  const folded = foldConstants(model, resolve, options);
  const bn = fuseConvBatchNorm(folded.model);
  const gemm = fuseMatMulAdd(bn.model);
  return { model: withInferredShapes(eliminateDeadCode(gemm.model)), stats: { folded: folded.folded, convBatchNorm: bn.fused, gemm: gemm.fused } };
}
