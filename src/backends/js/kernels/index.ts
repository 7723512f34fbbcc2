/**
 * The js kernel table: total over the kernel ops of the registry, so the compiler refuses
 * an op without a reference kernel.
 */
import type { JsKernelTable } from "../../../ops/registry.ts";
import { binaryKernels } from "./binary.ts";
import { copyKernels } from "./copy.ts";
import { reduceKernels } from "./reduce.ts";
import { scanKernels } from "./scan.ts";
import { softmaxKernels } from "./softmax.ts";
import { sortKernels } from "./sort.ts";
import { unaryKernels } from "./unary.ts";
import { shapeKernels } from "./shape.ts";
import { indexingKernels } from "./indexing.ts";
import { linalgKernels } from "./linalg.ts";
import { convKernels } from "./conv.ts";
import { poolKernels } from "./pool.ts";
import { normKernels } from "./norm.ts";
import { upsampleKernels } from "./upsample.ts";
import { optimStepKernels } from "./optim-step.ts";

export const jsKernels: JsKernelTable = {
  ...unaryKernels,
  ...binaryKernels,
  ...reduceKernels,
  ...scanKernels,
  ...softmaxKernels,
  ...sortKernels,
  ...copyKernels,
  ...shapeKernels,
  ...indexingKernels,
  ...linalgKernels,
  ...convKernels,
  ...poolKernels,
  ...normKernels,
  ...upsampleKernels,
  ...optimStepKernels,
};
