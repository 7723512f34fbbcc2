/**
 * The ONNX backend conformance suite against test/onnx/expected-failures.json: a case that
 * fails without being listed is a regression; a listed case that passes must be removed
 * from the list. `UPDATE_EXPECTED=1` rewrites the list from this run (check the diff).
 * The light/ models (nine ImageNet networks, about 12 s) run unless `ONNX_LIGHT=0`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCase, runLightModel, type Outcome } from "./conformance-lib.ts";
import { FOLDERS, listCases, suiteRoot } from "./suite.ts";

const expectedFile = new URL("./expected-failures.json", import.meta.url).pathname;
/** cause -> case -> detail */
type Expected = Record<string, Record<string, string>>;

test("ONNX backend conformance suite", { timeout: 15 * 60_000 }, async () => {
  const expected: Expected = existsSync(expectedFile) ? (JSON.parse(readFileSync(expectedFile, "utf8")) as Expected) : {};
  const listed = new Map<string, string>();
  for (const [cause, cases] of Object.entries(expected)) for (const id of Object.keys(cases)) listed.set(id, cause);

  const results = new Map<string, Outcome>();
  const folders: string[] = [...FOLDERS];
  for (const folder of folders) {
    const counts = { passed: 0, failed: 0 };
    const start = performance.now();
    for (const c of listCases(folder)) {
      const outcome = runCase(c);
      results.set(c.id, outcome);
      counts[outcome.status === "pass" ? "passed" : "failed"]++;
      // Let finalizers free the tensors of finished cases.
      await new Promise((r) => setImmediate(r));
    }
    console.log(`${folder}: ${counts.passed} passed, ${counts.failed} failed (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  }
  if (process.env.ONNX_LIGHT !== "0") {
    const root = join(suiteRoot(), "light");
    const counts = { passed: 0, failed: 0 };
    for (const name of ["bvlc_alexnet", "densenet121", "inception_v1", "inception_v2", "resnet50", "shufflenet", "squeezenet", "vgg19", "zfnet512"]) {
      const outcome = runLightModel(join(root, `light_${name}.onnx`), join(root, `light_${name}_output_0.pb`));
      results.set(`light/${name}`, outcome);
      counts[outcome.status === "pass" ? "passed" : "failed"]++;
      await new Promise((r) => setImmediate(r));
    }
    console.log(`light: ${counts.passed} passed, ${counts.failed} failed`);
  } else console.log("light: skipped (ONNX_LIGHT=0)");

  const failures: Expected = {};
  for (const [id, o] of results) if (o.status === "fail") (failures[o.cause] ??= {})[id] = o.detail;
  const byCount = Object.entries(failures).sort((a, b) => Object.keys(b[1]).length - Object.keys(a[1]).length || a[0].localeCompare(b[0]));
  console.log("largest failure causes:\n" + byCount.slice(0, 25).map(([c, l]) => `  ${Object.keys(l).length}\t${c}`).join("\n"));

  if (process.env.UPDATE_EXPECTED === "1") {
    // Keep the entries of folders this run skipped (light/ without ONNX_LIGHT).
    for (const [cause, cases] of Object.entries(expected))
      for (const [id, detail] of Object.entries(cases)) if (!results.has(id)) (failures[cause] ??= {})[id] = detail;
    const sorted = Object.fromEntries(
      Object.entries(failures)
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([cause, cases]) => [cause, Object.fromEntries(Object.entries(cases).sort((a, b) => a[0].localeCompare(b[0])))]),
    );
    writeFileSync(expectedFile, JSON.stringify(sorted, null, 1) + "\n");
    console.log(`wrote ${expectedFile}`);
    return;
  }
  const regressions = [...results].filter(([id, o]) => o.status === "fail" && !listed.has(id)).map(([id, o]) => `${id}: ${o.status === "fail" ? `${o.cause}: ${o.detail}` : ""}`);
  const fixed = [...results].filter(([id, o]) => o.status === "pass" && listed.has(id)).map(([id]) => id);
  const show = (l: string[]) => l.slice(0, 40).join("\n") + (l.length > 40 ? `\n... and ${l.length - 40} more` : "");
  assert.ok(regressions.length === 0, `${regressions.length} cases fail that are not in expected-failures.json:\n${show(regressions)}`);
  assert.ok(fixed.length === 0, `${fixed.length} cases now pass: remove them from expected-failures.json (UPDATE_EXPECTED=1):\n${show(fixed)}`);
});
