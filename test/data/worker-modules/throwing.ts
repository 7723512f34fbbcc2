/** A data set whose item `failAt` throws, to see a worker's error reach the loop. */
import { ValueError } from "../../../src/core/errors.ts";
import { Dataset } from "../../../src/data/dataset.ts";

export class Throwing extends Dataset<number> {
  constructor(readonly failAt: number) {
    super();
    this.workerModule = new URL(import.meta.url);
    this.workerOptions = { failAt };
  }
  get length(): number {
    return 10;
  }
  getItem(index: number): number {
    if (index === this.failAt) throw new ValueError(`item ${index} is broken`);
    return index;
  }
}

export function createDataset(options: { failAt: number }): Throwing {
  return new Throwing(options.failAt);
}
