/**
 * Grad mode: whether ops record themselves for backward (PyTorch's `torch.no_grad()` and
 * `torch.enable_grad()`). A plain flag, restored even when the callback throws.
 */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Sets grad mode and returns the previous value. */
export function setGradEnabled(value: boolean): boolean {
  const previous = enabled;
  enabled = value;
  return previous;
}

function withGradMode<T>(value: boolean, fn: () => T): T {
  const previous = setGradEnabled(value);
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** Runs `fn` without recording ops for autograd. `noGrad(() => w.sub_(w.grad!.mul(lr)))`. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
