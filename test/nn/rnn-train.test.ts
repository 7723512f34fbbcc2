import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, randint, randn, noGrad, oneHot, type Tensor } from "../../src/index.ts";
import { LSTM, Parameter } from "../../src/nn/index.ts";

/** Adam (β 0.9, 0.999), inline until the optimizers are merged. */
function adam(params: Parameter[], lr: number): () => void {
  const m = params.map((p) => p.newZeros(p.shape));
  const v = params.map((p) => p.newZeros(p.shape));
  let t = 0;
  return () =>
    noGrad(() => {
      t++;
      params.forEach((p, i) => {
        const g = p.grad!;
        m[i]!.mul_(0.9).add_(g.mul(0.1));
        v[i]!.mul_(0.999).add_(g.mul(g).mul(0.001));
        const mh = m[i]!.div(1 - 0.9 ** t);
        const vh = v[i]!.div(1 - 0.999 ** t);
        p.sub_(mh.div(vh.sqrt().add(1e-8)).mul(lr));
        p.grad = null;
      });
    });
}

test("an LSTM learns to recall the first token of a sequence of 8 (accuracy ≥ 95 % on fresh sequences after 500 Adam steps)", async () => {
  manualSeed(0);
  const classes = 4;
  const steps = 8;
  const lstm = new LSTM(classes, 32, { batchFirst: true });
  const head = new Parameter(randn([32, classes]).mul(0.18));
  const bias = new Parameter(randn([classes]).mul(0));
  const step = adam([...lstm.parameters(), head, bias], 0.01);
  const batch = (n: number): [Tensor, Tensor] => {
    const tokens = randint(0, classes, [n, steps]);
    return [oneHot(tokens, classes).float(), tokens.select(1, 0)];
  };
  const logitsOf = (x: Tensor): Tensor => lstm.forward(x)[1][0].select(0, 0).matmul(head).add(bias);
  for (let i = 0; i < 500; i++) {
    const [x, y] = batch(32);
    const logp = logitsOf(x).logSoftmax(-1);
    const loss = logp.gather(1, y.unsqueeze(1)).mean().neg();
    loss.backward();
    step();
    if (i % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  const [x, y] = batch(500);
  const accuracy = noGrad(() => logitsOf(x).argmax(-1).eq(y).float().mean().item() as number);
  assert.ok(accuracy >= 0.95, `accuracy ${accuracy}`);
});
