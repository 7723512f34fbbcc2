/** A data set for worker tests: each item reports its worker, that worker's seed and one float32 draw (torch.rand(1)). */
import { defaultGenerator, fillUniform } from "../../../src/core/random.ts";
import { Dataset } from "../../../src/data/dataset.ts";
import { getWorkerInfo } from "../../../src/data/worker/info.ts";

export interface Probe {
  index: number;
  worker: number;
  seed: bigint;
  draw: number;
}

export class SeedProbe extends Dataset<Probe> {
  constructor(readonly n: number) {
    super();
    this.workerModule = new URL(import.meta.url);
    this.workerOptions = { n };
  }
  get length(): number {
    return this.n;
  }
  getItem(index: number): Probe {
    const u = new Float32Array(1);
    fillUniform(defaultGenerator, u, 0, 1, "float32");
    return { index, worker: getWorkerInfo()?.id ?? -1, seed: defaultGenerator.initialSeed(), draw: u[0]! };
  }
}

export function createDataset(options: { n: number }): SeedProbe {
  return new SeedProbe(options.n);
}
