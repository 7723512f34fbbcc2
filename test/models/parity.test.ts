/**
 * Full-size torchvision architectures, eval mode, batch 1: concord's output equals
 * torchvision 0.14's on the same (hashed) state dict and input within 1e-4 relative. The
 * state dicts are rebuilt here from the hash gen_models.py used (see hashed-weights.ts).
 */
import { test } from "node:test";
import { noGrad } from "../../src/index.ts";
import { createModel, type ModelName } from "../../src/models/index.ts";
import { skipInit } from "../../src/nn/init.ts";
import type { TensorSpec } from "../helpers/fixtures.ts";
import { hashedInput, hashedStateDict } from "./hashed-weights.ts";
import { assertOutputClose, readFixture, settle } from "./helpers.ts";

interface OutputCase {
  model: ModelName;
  options: Record<string, number>;
  inputShape: number[];
  output: TensorSpec;
}

const fixture = readFixture<{ inputStream: number; cases: OutputCase[] }>("outputs.json");

for (const c of fixture.cases) {
  test(`${c.model} ${JSON.stringify(c.options)} on [${c.inputShape}] matches torchvision`, async (t) => {
    await settle();
    const model = skipInit(() => createModel(c.model, c.options as never));
    const result = model.loadStateDict(hashedStateDict(model.stateDict()));
    if (result.missingKeys.length || result.unexpectedKeys.length) throw new Error("strict load reported keys");
    model.eval();
    const y = noGrad(() => model.forward(hashedInput(c.inputShape, fixture.inputStream)));
    t.diagnostic(`max |diff| / max |expected| = ${assertOutputClose(y, c.output, c.model).toExponential(2)}`);
  });
}
