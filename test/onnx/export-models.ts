/** Small wrappers the export tests trace. */
import type { Tensor } from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";

/** A recurrent module's output and its final state(s), as one flat list. */
export class LastStep extends nn.Module {
  constructor(readonly rnn: nn.Module) {
    super();
  }
  override forward(x: Tensor, ...state: Tensor[]): Tensor[] {
    const [out, last] = (state.length ? this.rnn.forward(x, state.length === 1 ? state[0] : state) : this.rnn.forward(x)) as [Tensor, Tensor | Tensor[]];
    return [out, ...(Array.isArray(last) ? last : [last])];
  }
}
