/**
 * `optimize` for ONNX models: the graph passes (src/graph/passes/) with concord's ONNX op
 * table for constant folding.
 *
 * ```ts
 * const fast = onnx.optimize(await onnx.load("resnet.onnx"));   // an OnnxModel again
 * ```
 */
import type { Model } from "../../../graph/ir.ts";
import { optimize as runPasses, type OptimizeStats } from "../../../graph/passes/index.ts";
import type { FoldOptions } from "../../../graph/passes/constant-folding.ts";
import { OnnxModel } from "../model.ts";
import { resolveOp } from "../ops/index.ts";

/** The model with constants folded, Conv+BatchNorm and MatMul+Add fused, dead code removed. */
export function optimize(model: OnnxModel, options?: FoldOptions): OnnxModel;
export function optimize(model: Model, options?: FoldOptions): Model;
export function optimize(model: OnnxModel | Model, options: FoldOptions = {}): OnnxModel | Model {
  const ir = model instanceof OnnxModel ? model.model : model;
  const out = runPasses(ir, resolveOp, options).model;
  return model instanceof OnnxModel ? new OnnxModel(out) : out;
}

/** `optimize` with what each pass did. */
export function optimizeWithStats(model: Model, options: FoldOptions = {}): { model: Model; stats: OptimizeStats } {
  return runPasses(model, resolveOp, options);
}
