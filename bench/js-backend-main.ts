/** The js-backend part of `npm run bench`. */
import { benchJsBackend } from "./js-backend.ts";

await benchJsBackend();
