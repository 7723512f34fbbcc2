/**
 * `npm start` (for now): fits y = 3x - 2 with gradient descent using concord's tensors and
 * autograd, and prints the learned parameters. The MNIST training job replaces this once
 * the nn/optim/data layers land.
 */
import { manualSeed, noGrad, randn, tensor, zeros } from "../src/index.ts";

manualSeed(0);
const x = randn([256, 1]);
const y = x.mul(3).sub(2).add(randn([256, 1]).mul(0.1));
const w = zeros([1], { requiresGrad: true });
const b = zeros([1], { requiresGrad: true });
const lr = tensor(0.1);
for (let step = 0; step <= 100; step++) {
  const loss = x.mul(w).add(b).sub(y).pow(2).sum().div(x.sizeOf(0));
  loss.backward();
  noGrad(() => {
    w.sub_(w.grad!.mul(lr));
    b.sub_(b.grad!.mul(lr));
  });
  w.grad = null;
  b.grad = null;
  if (step % 20 === 0) console.log(`step ${String(step).padStart(3)}  loss ${(loss.item() as number).toFixed(5)}`);
}
console.log(`learned w = ${w.toString()}, b = ${b.toString()} (true: 3, -2)`);
