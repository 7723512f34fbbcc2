/** Option checks with PyTorch's messages ("Invalid learning rate: -1"). */
import { ValueError } from "../core/errors.ts";

/** Throws `${label}: ${value}` unless 0 <= value (nan fails too, as `not 0.0 <= x` does in Python). */
export function checkNonNegative(value: number, label: string): void {
  if (!(typeof value === "number" && 0 <= value)) throw new ValueError(`${label}: ${value}`);
}

export function checkLr(lr: number): void {
  checkNonNegative(lr, "Invalid learning rate");
}

/** Both coefficients in [0, 1). */
export function checkBetas(betas: readonly [number, number]): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new ValueError(`Invalid betas: expected two numbers, got ${String(betas)}`);
  betas.forEach((b, i) => {
    if (!(typeof b === "number" && 0 <= b && b < 1)) throw new ValueError(`Invalid beta parameter at index ${i}: ${b}`);
  });
}

/** The checks of the Adam family (Adam, AdamW, Adamax, NAdam, RAdam), in PyTorch's order. */
export function checkAdamLike(o: { lr: number; eps: number; betas: readonly [number, number]; weightDecay: number }): void {
  checkLr(o.lr);
  checkNonNegative(o.eps, "Invalid epsilon value");
  checkBetas(o.betas);
  checkNonNegative(o.weightDecay, "Invalid weight_decay value");
}
