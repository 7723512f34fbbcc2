/**
 * Run as a program by workers.test.ts: starts a 2-worker loader, takes one batch and then
 * leaves the loop without finishing it (`mode` "drop": just stop calling next(); "break":
 * break out of for-await, which calls return()). The process must then exit by itself.
 */
import { arange } from "../../../src/index.ts";
import { DataLoader, TensorDataset } from "../../../src/data/index.ts";

const mode = process.argv[2] ?? "drop";
const loader = new DataLoader(new TensorDataset(arange(1000)), { batchSize: 10, numWorkers: 2 });
if (mode === "break") {
  for await (const batch of loader) {
    console.log("got", (batch as unknown[]).length);
    break;
  }
} else {
  const it = loader[Symbol.asyncIterator]();
  const first = await it.next();
  console.log("got", (first.value as unknown[]).length);
}
