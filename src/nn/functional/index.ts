/** nn.functional: the layers' computations as functions. */
export { rnnTanhCell, rnnReluCell, lstmCell, gruCell } from "./rnn.ts";
