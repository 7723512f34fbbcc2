/**
 * The relaxed-SIMD build (fused multiply-add) is tested too: Node 20 runs it only with
 * --experimental-wasm-relaxed-simd, so a child process with that flag runs the op suites
 * whose kernels differ between the builds (matmul, conv, elementwise) on the wasm backend.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const FLAG = "--experimental-wasm-relaxed-simd";

test("the relaxed-SIMD build is chosen when the runtime has it, and the plain one otherwise", () => {
  const probe = `import { backendInfo, setBackend } from "./src/index.ts"; setBackend("wasm"); console.log(backendInfo().simd);`;
  const run = (flags: string[]) =>
    spawnSync(process.execPath, [...flags, "--import", "tsx", "--input-type=module", "-e", probe], { cwd: root, encoding: "utf8" });
  const plain = run([]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout.trim(), "simd");
  const relaxed = run([FLAG]);
  assert.equal(relaxed.status, 0, relaxed.stderr);
  assert.equal(relaxed.stdout.trim(), "relaxed");
});

test("op suites pass on the relaxed-SIMD build", { timeout: 600_000 }, () => {
  const suites = ["test/ops/linalg.test.ts", "test/ops/unary.test.ts", "test/ops/binary.test.ts", "test/ops/reduce.test.ts", "test/ops/conv.test.ts"];
  const run = spawnSync(process.execPath, [FLAG, "--expose-gc", "--import", "tsx", "--test", "--test-reporter=dot", ...suites], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CONCORD_TEST_BACKENDS: "wasm" },
  });
  assert.equal(run.status, 0, run.stdout.slice(-3000) + run.stderr.slice(-2000));
});
