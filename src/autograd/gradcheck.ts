/**
 * gradcheck: compares the gradients autograd computes with central finite differences in
 * float64, as `torch.autograd.gradcheck` does. For each input, the numerical Jacobian is
 * built column by column (perturbing one element by ±eps); it is compared with
 * vector-Jacobian products from autograd for a few random vectors v, which checks every
 * entry that matters without one backward pass per output element.
 */
import { AutogradError, DTypeError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import { grad } from "./backward.ts";
import { randn, zeros } from "../ops/creation.ts";
import { Generator } from "../core/random.ts";

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** How many random output vectors to test (default 3). */
  vectors?: number;
  /** Throw on failure (default) or return false. */
  raiseException?: boolean;
  /** Also check second derivatives (gradgradcheck). */
  checkGradGrad?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(fn: Fn, inputs: readonly Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return (Array.isArray(out) ? [...(out as readonly Tensor[])] : [out as Tensor]).filter((t) => t.dtype === "float64" || t.requiresGrad);
}

function flatValues(outputs: readonly Tensor[]): Float64Array {
  const parts = outputs.map((t) => Float64Array.from(t.contiguous().dataSync() as Float64Array));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Float64Array(total);
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

/**
 * Checks `fn`'s gradients with respect to every input that requires grad. Inputs must be
 * float64 (finite differences in float32 are too coarse to mean anything).
 *
 * ```ts
 * const x = randn([3], { dtype: "float64", requiresGrad: true });
 * gradcheck((x) => x.tanh().sum(), [x]); // true, or throws with the mismatch
 * ```
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, vectors = 3, raiseException = true } = options;
  const fail = (message: string): boolean => {
    if (raiseException) throw new AutogradError(`gradcheck failed: ${message}`);
    return false;
  };
  const diffInputs = inputs.map((t, i) => ({ t, i })).filter(({ t }) => t.requiresGrad);
  for (const { t, i } of diffInputs) {
    if (t.dtype !== "float64") throw new DTypeError(`gradcheck: input ${i} is ${t.dtype}; use float64 inputs`);
    if (!t.isContiguous()) throw new DTypeError(`gradcheck: input ${i} must be contiguous`);
  }
  const outputs = outputsOf(fn, inputs);
  const outSizes = outputs.map((o) => o.size);
  const nOut = outSizes.reduce((a, b) => a + b, 0);
  if (nOut === 0) return true;

  // Numerical Jacobian per input: rows = input elements, columns = output elements.
  const numerical = diffInputs.map(({ t }) => {
    const data = t.rawStorage() as Float64Array;
    const jac = new Float64Array(t.size * nOut);
    {
      for (let j = 0; j < t.size; j++) {
        const at = t.offset + j;
        const orig = data[at]!;
        data[at] = orig + eps;
        const plus = flatValues(outputsOf(fn, inputs));
        data[at] = orig - eps;
        const minus = flatValues(outputsOf(fn, inputs));
        data[at] = orig;
        for (let k = 0; k < nOut; k++) jac[j * nOut + k] = (plus[k]! - minus[k]!) / (2 * eps);
      }
    }
    return jac;
  });

  const gen = new Generator(1234);
  for (let v = 0; v < vectors; v++) {
    const vs = outputs.map((o) => randn(o.shape, { dtype: o.dtype === "float64" ? "float64" : o.dtype, generator: gen }));
    const vflat = flatValues(vs);
    // Outputs that do not require grad (constant in the inputs) contribute nothing.
    const live = outputs.map((o, k) => ({ o, k })).filter(({ o }) => o.requiresGrad);
    const analytical =
      live.length === 0
        ? diffInputs.map(() => null)
        : grad(
            live.map(({ o }) => o),
            diffInputs.map(({ t }) => t),
            { gradOutputs: live.map(({ k }) => vs[k]!), allowUnused: true, retainGraph: true },
          );
    for (let d = 0; d < diffInputs.length; d++) {
      const { t, i } = diffInputs[d]!;
      const a = analytical[d] ? (analytical[d]!.contiguous().dataSync() as Float64Array) : (zeros(t.shape, { dtype: "float64" }).dataSync() as Float64Array);
      const jac = numerical[d]!;
      for (let j = 0; j < t.size; j++) {
        let expected = 0;
        for (let k = 0; k < nOut; k++) expected += jac[j * nOut + k]! * vflat[k]!;
        const got = a[j]!;
        if (!(Math.abs(got - expected) <= atol + rtol * Math.abs(expected)))
          return fail(`input ${i}, element ${j}: analytical ${got} vs numerical ${expected} (vector ${v})`);
      }
    }
  }
  if (options.checkGradGrad) return gradgradcheck(fn, inputs, { ...options, checkGradGrad: false });
  return true;
}

/**
 * Checks second derivatives: gradcheck applied to x -> vjp(fn, x, v) with `createGraph`.
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const outputs = outputsOf(fn, inputs);
  const gen = new Generator(4321);
  const vs = outputs.map((o) => randn(o.shape, { dtype: "float64", generator: gen, requiresGrad: true }));
  const diff = inputs.filter((t) => t.requiresGrad);
  const n = inputs.length;
  const firstOrder = (...args: Tensor[]): Tensor[] => {
    const ins = args.slice(0, n);
    const vecs = args.slice(n);
    const outs = outputsOf(fn, ins);
    const gs = grad(outs, ins.filter((t) => t.requiresGrad), { gradOutputs: vecs, createGraph: true, allowUnused: true });
    return gs.map((g, k) => g ?? zeros(diff[k]!.shape, { dtype: "float64" }));
  };
  return gradcheck(firstOrder, [...inputs, ...vs], { ...options, checkGradGrad: false });
}
