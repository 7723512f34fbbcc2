/**
 * The computations the browser test runs, written once: the page (entry.ts) runs them in
 * Chromium and the test runs them in Node, and the two results must agree. Inputs and
 * results are plain data (shape + numbers) so they cross page.evaluate unchanged.
 */
import {
  Generator,
  conv2d,
  data,
  flattenTensors,
  loadBytes,
  manualSeed,
  matmul,
  nn,
  onnx,
  optim,
  pytorch,
  randn,
  safetensors,
  softmax,
  tensor,
  train,
  type DType,
  type Tensor,
} from "../../src/index.ts";

/** A float32 tensor as plain data. */
export interface Dense {
  shape: number[];
  values: number[];
}

export function toDense(t: Tensor): Dense {
  return { shape: [...t.shape], values: Array.from(t.dataSync() as ArrayLike<number>, Number) };
}

export function fromDense(d: Dense): Tensor {
  return tensor(Float32Array.from(d.values), { shape: d.shape });
}

export interface ComputeInputs {
  a: Dense;
  b: Dense;
  image: Dense;
  kernel: Dense;
  bias: Dense;
  logits: Dense;
}

/** Inputs big enough that matmul and conv2d split their work across threads. */
export function computeInputs(seed: number): ComputeInputs {
  const generator = new Generator(seed);
  const draw = (shape: number[]): Dense => toDense(randn(shape, { generator }));
  return {
    a: draw([96, 80]),
    b: draw([80, 128]),
    image: draw([2, 8, 24, 24]),
    kernel: draw([16, 8, 3, 3]),
    bias: draw([16]),
    logits: draw([32, 100]),
  };
}

export interface ComputeResults {
  matmul: Dense;
  conv2d: Dense;
  softmax: Dense;
}

export function compute(inputs: ComputeInputs): ComputeResults {
  return {
    matmul: toDense(matmul(fromDense(inputs.a), fromDense(inputs.b))),
    conv2d: toDense(conv2d(fromDense(inputs.image), fromDense(inputs.kernel), fromDense(inputs.bias), 1, 1)),
    softmax: toDense(softmax(fromDense(inputs.logits), -1)),
  };
}

/** Fits a small MLP to y = tanh(x·w) with Adam; returns the loss before each step. */
export function trainMlp(steps: number): number[] {
  manualSeed(11);
  const x = randn([64, 4]);
  const y = x.matmul(tensor([[1.5], [-2], [0.5], [1]], { dtype: "float32" })).tanh();
  const model = new nn.Sequential(new nn.Linear(4, 32), new nn.ReLU(), new nn.Linear(32, 1));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.02 });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    optimizer.zeroGrad();
    const loss = nn.functional.mseLoss(model.forward(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item() as number);
  }
  return losses;
}

/** Tensors for a safetensors file, and the file's bytes. */
export function safetensorsSample(): { tensors: Record<string, Dense>; bytes: Uint8Array } {
  const generator = new Generator(5);
  const tensors = {
    "layer.0.weight": randn([3, 4], { generator }),
    "layer.0.bias": randn([3], { generator }),
  };
  const bytes = safetensors.save(tensors, { metadata: { format: "pt" } });
  return { tensors: Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, toDense(t)])), bytes };
}

export function readSafetensors(bytes: Uint8Array): { tensors: Record<string, Dense>; metadata: Record<string, string> } {
  const { tensors, metadata } = safetensors.load(bytes);
  return { tensors: Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, toDense(t)])), metadata };
}

/** Runs an ONNX model given as bytes on the test set's inputs; returns its outputs and the expected ones. */
export async function runOnnxCase(model: Uint8Array, inputs: Uint8Array[], outputs: Uint8Array[]): Promise<{ actual: Dense[]; expected: Dense[] }> {
  const m = await onnx.load(model);
  const feeds: Record<string, Tensor> = {};
  inputs.forEach((bytes, i) => {
    const t = onnx.decodeTensor(bytes);
    feeds[m.inputNames[i]!] = tensor(t.data as Float32Array, { shape: t.dims });
  });
  const result = await m.run(feeds);
  const actual = m.outputNames.map((name) => toDense(result[name] as Tensor));
  const expected = outputs.map((bytes) => {
    const t = onnx.decodeTensor(bytes);
    return { shape: t.dims, values: Array.from(t.data as Float32Array) };
  });
  return { actual, expected };
}

/** The batches of a shuffled DataLoader over a TensorDataset, loaded with `numWorkers` workers. */
export async function loaderBatches(numWorkers: number): Promise<Dense[][]> {
  const x = tensor(Float32Array.from({ length: 23 * 3 }, (_, i) => i * 0.5), { shape: [23, 3] });
  const y = tensor(Float32Array.from({ length: 23 }, (_, i) => i % 4), { shape: [23] });
  const loader = new data.DataLoader<Tensor[], Tensor[]>(new data.TensorDataset(x, y), { batchSize: 5, shuffle: true, generator: new Generator(3), numWorkers });
  const batches: Dense[][] = [];
  for await (const batch of loader) batches.push(batch.map(toDense));
  return batches;
}

/**
 * Fits a small classifier (is x0 > x1?) for 4 epochs with the Trainer, on batches from a
 * DataLoader with `numWorkers` workers; returns the per-epoch loss and accuracy.
 */
export async function fitClassifier(numWorkers: number, progress: train.ProgressOptions | false): Promise<{ loss: number[]; accuracy: number[] }> {
  manualSeed(21);
  const x = randn([128, 2]);
  const xs = x.dataSync() as Float32Array;
  const y = tensor(Array.from({ length: 128 }, (_, i) => (xs[2 * i]! > xs[2 * i + 1]! ? 1 : 0)), { dtype: "int64" });
  const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 2));
  const trainer = new train.Trainer({
    model,
    optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }),
    lossFn: (out, target) => nn.functional.crossEntropy(out, target),
    metrics: [new train.Accuracy()],
    progress,
  });
  const loader = new data.DataLoader<Tensor[], Tensor[]>(new data.TensorDataset(x, y), { batchSize: 16, shuffle: true, generator: new Generator(4), numWorkers });
  const history = await trainer.fit(loader, { epochs: 4 });
  return { loss: history.train.loss!, accuracy: history.train.accuracy! };
}

/** A PyTorch checkpoint (torch.save's zip format) of a small nested state. */
export function pytorchSample(): Uint8Array {
  const generator = new Generator(9);
  return pytorch.save({ model: { "fc.weight": randn([2, 3], { generator }), "fc.bias": randn([2], { generator }) }, step: tensor([7], { dtype: "int64" }) });
}

/** Every tensor of a file in any format concord reads, with its dtype, by flattened name. */
export function readAnyFormat(bytes: Uint8Array, fileName: string): Record<string, Dense & { dtype: DType }> {
  const tensors = flattenTensors(loadBytes(bytes, fileName));
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, { dtype: t.dtype, ...toDense(t) }]));
}

/** A small CNN exported to ONNX (the file's bytes), and its output eagerly and run from the file. */
export function exportCnn(): { bytes: number[]; eager: Dense; fromOnnx: Dense } {
  manualSeed(13);
  const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(64, 3));
  model.eval();
  const x = randn([2, 1, 8, 8]);
  const bytes = onnx.export(model, x, { inputNames: ["x"], outputNames: ["y"] });
  const fromOnnx = onnx.loadSync(bytes).runSync({ x }).y as Tensor;
  return { bytes: Array.from(bytes), eager: toDense(model.forward(x)), fromOnnx: toDense(fromOnnx) };
}
