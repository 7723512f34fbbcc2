/**
 * The update rules as functions over lists of tensors, as torch.optim._functional: each
 * changes parameters and state in place with tensor ops and must run under `noGrad`. The
 * optimizer classes call these; a backend may replace one with a fused kernel.
 */
export { sgd, type SGDUpdateOptions } from "./sgd.ts";
export { adam, type AdamUpdateOptions } from "./adam.ts";
export { adamw } from "./adamw.ts";
export { rmsprop, type RMSpropUpdateOptions } from "./rmsprop.ts";
export { adagrad, type AdagradUpdateOptions } from "./adagrad.ts";
export { adamax, type AdamaxUpdateOptions } from "./adamax.ts";
export { nadam, type NAdamUpdateOptions } from "./nadam.ts";
export { radam, type RAdamUpdateOptions } from "./radam.ts";
