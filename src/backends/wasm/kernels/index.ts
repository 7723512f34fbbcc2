/** The wasm kernel table: ops this backend accelerates (the rest fall back to js). */
import type { WasmKernel } from "../index.ts";
import { binaryKernels } from "./binary.ts";
import { reduceKernels } from "./reduce.ts";
import { softmaxKernels } from "./softmax.ts";
import { unaryKernels } from "./unary.ts";
import { convKernels } from "./conv.ts";
import { poolKernels } from "./pool.ts";
import { matmulKernels } from "./matmul.ts";
import { copyKernels } from "./copy.ts";
import { normKernels } from "./norm.ts";
import { embeddingKernels } from "./embedding.ts";
import { attentionKernels } from "./attention.ts";
import { optimStepKernels } from "./optim-step.ts";
import { gatherKernels } from "./gather.ts";

export const wasmKernels: Record<string, WasmKernel> = {
  ...unaryKernels,
  ...binaryKernels,
  ...reduceKernels,
  ...softmaxKernels,
  ...convKernels,
  ...poolKernels,
  ...matmulKernels,
  ...copyKernels,
  ...normKernels,
  ...embeddingKernels,
  ...attentionKernels,
  ...optimStepKernels,
  ...gatherKernels,
};
