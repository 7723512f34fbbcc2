/**
 * Every registered model at full size: stateDict() keys, shapes and dtypes equal
 * torchvision's state_dict() in order (num_batches_tracked buffers included), so its
 * checkpoints load with strict loadStateDict unchanged.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createModel, modelNames, type ModelName } from "../../src/models/index.ts";
import { skipInit } from "../../src/nn/init.ts";
import { readFixture, settle } from "./helpers.ts";

type Entry = [key: string, shape: number[], dtype: string];
const { models } = readFixture<{ models: Record<string, Entry[]> }>("keys.json");

test("every registered model has torchvision's key list in the fixture, and only those", () => {
  assert.deepEqual([...modelNames()].sort(), Object.keys(models).sort());
});

for (const name of modelNames()) {
  test(`${name}: stateDict keys, shapes and dtypes are torchvision's, in order`, async () => {
    await settle();
    const model = skipInit(() => createModel(name as ModelName));
    const actual = Object.entries(model.stateDict()).map(([k, t]): Entry => [k, [...t.shape], t.dtype]);
    const expected = models[name]!;
    const actualKeys = actual.map((e) => e[0]);
    const expectedKeys = expected.map((e) => e[0]);
    assert.deepEqual(actualKeys.filter((k) => !expectedKeys.includes(k)), [], "keys torchvision does not have");
    assert.deepEqual(expectedKeys.filter((k) => !actualKeys.includes(k)), [], "torchvision keys missing");
    assert.deepEqual(actual, expected);
  });
}
