/** Where the shared data sets live: ../shared/data from the repo root (or the nearest ancestor's shared/data, for worktrees). */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function find(): string | null {
  let dir = fileURLToPath(new URL("../..", import.meta.url));
  for (let up = 0; up < 4; up++) {
    const candidate = join(dir, "..", "shared", "data");
    if (existsSync(join(candidate, "mnist"))) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/** The shared data folder, or null when it is absent (tests that need it are skipped). */
export const SHARED_DATA = find();
