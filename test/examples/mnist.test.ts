/** The main job (`npm start`) end to end on a training subset: every step it shows works. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("npm start trains, evaluates, reloads the checkpoint, exports ONNX with identical predictions and writes the chart", () => {
  const out = mkdtempSync(join(tmpdir(), "concord-mnist-"));
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/mnist.ts", "--subset", "1500", "--epochs", "1", "--workers", "1", "--out", out], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const text = r.stdout;
  assert.match(text, /^concord MNIST: backend /);
  assert.match(text, /1500 training and 10000 test images; model 225,034 parameters/);
  assert.match(text, /^epoch 1\/1 \| .*samples\/s/m);
  const acc = Number(/test accuracy ([\d.]+)%/.exec(text)![1]);
  assert.ok(acc > 80, `accuracy ${acc}% after 1500 images`);
  assert.match(text, /confusion matrix \(rows: true class, columns: predicted\):\ntrue\\pred\s+0\s+1/);
  assert.match(text, /reloaded into a new model, 10000\/10000 test predictions identical/);
  assert.match(text, /exported, reloaded and run, 10000\/10000 test predictions identical to the eager model/);
  for (const f of ["checkpoint.safetensors", "mnist-cnn.onnx", "training.html", "training.svg"]) assert.ok(existsSync(join(out, f)), f);
  assert.match(readFileSync(join(out, "training.svg"), "utf8"), /^<svg /);
});

test("npm start refuses bad options with a message", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/mnist.ts", "--epochs", "0"], { cwd: ROOT, encoding: "utf8" });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--epochs must be a positive integer/);
});
