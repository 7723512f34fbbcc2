import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, randint, randn, noGrad, sort, type Tensor } from "../../src/index.ts";
import { Embedding, Linear, Parameter, TransformerEncoder, TransformerEncoderLayer, functional as F } from "../../src/nn/index.ts";
import { Adam } from "../../src/optim/index.ts";

test("a one-layer transformer encoder learns to sort 6 digits (token accuracy ≥ 97 % on fresh sequences after 300 Adam steps)", async () => {
  manualSeed(0);
  const vocab = 8;
  const length = 6;
  const d = 32;
  const embed = new Embedding(vocab, d);
  const positions = new Parameter(randn([length, d]).mul(0.1));
  const encoder = new TransformerEncoder(new TransformerEncoderLayer(d, 2, { dimFeedforward: 2 * d, dropout: 0, batchFirst: true }), 1);
  const head = new Linear(d, vocab);
  const optimizer = new Adam([...embed.parameters(), positions, ...encoder.parameters(), ...head.parameters()], { lr: 0.01 });
  const batch = (n: number): [Tensor, Tensor] => {
    const x = randint(0, vocab, [n, length]);
    return [x, sort(x, { dim: -1 })[0]];
  };
  const logitsOf = (x: Tensor): Tensor => head.forward(encoder.forward(embed.forward(x).add(positions)));
  for (let step = 0; step < 300; step++) {
    const [x, y] = batch(64);
    const loss = F.crossEntropy(logitsOf(x).reshape([-1, vocab]), y.reshape([-1]));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    if (step % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  const [x, y] = batch(500);
  const accuracy = noGrad(() => logitsOf(x).argmax(-1).eq(y).float().mean().item() as number);
  assert.ok(accuracy >= 0.97, `token accuracy ${accuracy}`);
});
