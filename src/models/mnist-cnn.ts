/**
 * The MNIST convolutional network of PyTorch's examples (pytorch/examples mnist/main.py's
 * `Net`): conv1 1→32 3×3, conv2 32→64 3×3, 2×2 max pool, dropout 0.25, fc1 9216→128,
 * dropout 0.5, fc2 128→10, log-softmax. Same keys (conv1.weight ... fc2.bias), so that
 * example's `mnist_cnn.pt` loads unchanged. Input: [N, 1, 28, 28].
 */
import type { Tensor } from "../core/tensor.ts";
import { flatten } from "../ops/views.ts";
import { logSoftmax } from "../ops/defs/softmax.ts";
import { maxPool2d } from "../ops/defs/pool.ts";
import { Module } from "../nn/module.ts";
import { Conv2d, Dropout, Linear } from "../nn/layers/index.ts";
import { relu } from "../nn/functional/activation.ts";

export interface MnistCNNOptions {
  /** Default 10. */
  numClasses?: number;
}

/** pytorch/examples' MNIST Net: returns log-probabilities [N, numClasses]. */
export class MnistCNN extends Module {
  conv1 = new Conv2d(1, 32, 3, { stride: 1 });
  conv2 = new Conv2d(32, 64, 3, { stride: 1 });
  dropout1 = new Dropout(0.25);
  dropout2 = new Dropout(0.5);
  fc1 = new Linear(9216, 128);
  fc2: Linear;

  constructor(options: MnistCNNOptions = {}) {
    super();
    this.fc2 = new Linear(128, options.numClasses ?? 10);
  }

  override forward(x: Tensor): Tensor {
    x = relu(this.conv1.forward(x));
    x = relu(this.conv2.forward(x));
    x = maxPool2d(x, 2);
    x = this.dropout1.forward(x);
    x = flatten(x, 1);
    x = relu(this.fc1.forward(x));
    x = this.dropout2.forward(x);
    return logSoftmax(this.fc2.forward(x), 1);
  }
}

export const mnist_cnn = (options: MnistCNNOptions = {}): MnistCNN => new MnistCNN(options);
