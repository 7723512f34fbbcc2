/** `npm run bench`: every benchmark, peers measured in the same run, ratios printed. */
import { benchJsBackend } from "./js-backend.ts";

console.log(`concord benchmarks — node ${process.version}, ${new Date().toISOString()}`);
await benchJsBackend();
