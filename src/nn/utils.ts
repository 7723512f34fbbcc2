/**
 * nn.utils: parametersToVector and vectorToParameters (torch.nn.utils.parameters_to_vector
 * and vector_to_parameters); `rnn`, the packing of variable-length sequences
 * (torch.nn.utils.rnn).
 */
import { ShapeError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import { noGrad } from "../autograd/grad-mode.ts";
import { cat } from "../ops/defs/shape.ts";

export * as rnn from "./functional/rnn-packing.ts";

/** Every parameter flattened and joined, in order, into one vector (differentiable). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  return cat([...parameters].map((p) => p.reshape([-1])), 0);
}

/**
 * Copies consecutive slices of `vector` into the parameters, in order (the inverse of
 * parametersToVector); the vector must hold exactly as many elements as they do.
 */
export function vectorToParameters(vector: Tensor, parameters: Iterable<Tensor>): void {
  if (vector.ndim !== 1) throw new ShapeError(`expected vec to be a 1-D tensor, but got a ${vector.ndim}-D tensor`);
  const params = [...parameters];
  const total = params.reduce((n, p) => n + p.size, 0);
  if (total !== vector.size) throw new ShapeError(`vectorToParameters: the vector has ${vector.size} elements, the parameters ${total}`);
  noGrad(() => {
    let offset = 0;
    for (const p of params) {
      p.copy_(vector.narrow(0, offset, p.size).reshape(p.shape));
      offset += p.size;
    }
  });
}
