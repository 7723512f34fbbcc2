/** The training-throughput part of `npm run bench`. */
import { benchTraining } from "./training.ts";

await benchTraining();
process.exit(0);
