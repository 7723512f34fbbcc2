/**
 * Module: the base of every layer and model, with PyTorch's registration rules and names.
 *
 * Parameters and child modules are registered either explicitly (`registerParameter`,
 * `registerModule`, `registerBuffer`) or by assigning them to a property: a property
 * `fooBar` holding a Parameter or Module is registered under PyTorch's spelling `foo_bar`,
 * in the order the properties were first set (class fields: declaration order). Keys of
 * `stateDict()` are therefore the keys PyTorch writes for the same model.
 *
 * ```ts
 * class Net extends Module {
 *   fc1 = new Linear(784, 128);
 *   fc2 = new Linear(128, 10);
 *   override forward(x: Tensor): Tensor { return this.fc2.forward(relu(this.fc1.forward(x))); }
 * }
 * new Net().stateDict(); // { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }
 * ```
 *
 * `forward` runs the module's forward pre-hooks and hooks around the subclass's forward
 * (PyTorch's `module(x)`); `call` is the same.
 */
import { Tensor } from "../core/tensor.ts";
import { isFloating, type DType } from "../core/dtype.ts";
import { ShapeError, ValueError, DTypeError } from "../core/errors.ts";
import { formatShape } from "../core/shape.ts";
import { noGrad } from "../autograd/grad-mode.ts";
import { detach } from "../ops/views.ts";
import { Parameter } from "./parameter.ts";

/** An ordered record of PyTorch-style keys to tensors. */
export type StateDict = Record<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export interface RemovableHandle {
  remove(): void;
}

export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | void;
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;

/** `fooBar` -> `foo_bar`; names already in snake case or with digits stay as they are. */
export function pytorchName(property: string): string {
  return property.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toLowerCase();
}

function camelName(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Marks the properties Module itself keeps, which are never registered. */
const INTERNAL = new Set(["training", "forward"]);

let hookIds = 0;

export abstract class Module {
  /** True in training mode (dropout active, batch norm using batch statistics). */
  training = true;
  readonly #parameters = new Map<string, Parameter | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #nonPersistent = new Set<string>();
  readonly #modules = new Map<string, Module | null>();
  /** key -> property for entries that came from property assignment. */
  readonly #fromProperty = new Map<string, string>();
  readonly #preHooks = new Map<number, ForwardPreHook>();
  readonly #hooks = new Map<number, ForwardHook>();

  constructor() {
    const impl = (Object.getPrototypeOf(this) as { forward: (...args: unknown[]) => unknown }).forward;
    Object.defineProperty(this, "forward", {
      value: (...args: unknown[]) => this.#runForward(impl, args),
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }

  /** The computation; subclasses override it. Call it directly or through `call`. */
  abstract forward(...inputs: unknown[]): unknown;

  /** Runs forward with hooks (PyTorch's `module(...)`). */
  call(...inputs: unknown[]): unknown {
    return this.forward(...inputs);
  }

  #runForward(impl: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    if (this.#preHooks.size === 0 && this.#hooks.size === 0) return impl.apply(this, args);
    let inputs = args;
    for (const hook of [...this.#preHooks.values()]) {
      const replaced = hook(this, inputs);
      if (replaced !== undefined) inputs = replaced;
    }
    let output = impl.apply(this, inputs);
    for (const hook of [...this.#hooks.values()]) {
      const replaced = hook(this, inputs, output);
      if (replaced !== undefined) output = replaced;
    }
    return output;
  }

  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = hookIds++;
    this.#preHooks.set(id, hook);
    return { remove: () => void this.#preHooks.delete(id) };
  }

  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = hookIds++;
    this.#hooks.set(id, hook);
    return { remove: () => void this.#hooks.delete(id) };
  }

  // ---- registration ----

  /** Registers `param` under `name` (PyTorch's key); null keeps the slot, as PyTorch does for `bias=False`. */
  registerParameter<P extends Parameter | null>(name: string, param: P): P {
    this.#checkName(name, "parameter");
    if (param !== null && !(param instanceof Parameter))
      throw new ValueError(`cannot assign a plain Tensor as parameter '${name}' (Parameter or null expected)`);
    if (this.#buffers.has(name) || this.#modules.has(name)) throw new ValueError(`attribute '${name}' already exists`);
    this.#parameters.set(name, param);
    this.#defineAccessor(name, () => this.#parameters.get(name) ?? null, (v) => this.registerParameter(name, v as Parameter | null));
    return param;
  }

  /** Registers a buffer: state that is not a parameter (running statistics); in the state dict unless non-persistent. */
  registerBuffer<T extends Tensor | null>(name: string, tensor: T, persistent = true): T {
    this.#checkName(name, "buffer");
    if (this.#parameters.has(name) || this.#modules.has(name)) throw new ValueError(`attribute '${name}' already exists`);
    this.#buffers.set(name, tensor);
    if (persistent) this.#nonPersistent.delete(name);
    else this.#nonPersistent.add(name);
    this.#defineAccessor(name, () => this.#buffers.get(name) ?? null, (v) => void this.#buffers.set(name, v as Tensor | null));
    return tensor;
  }

  /** Registers a child module under `name`. */
  registerModule<M extends Module | null>(name: string, module: M): M {
    this.#checkName(name, "module");
    if (module !== null && !(module instanceof Module)) throw new ValueError(`'${name}' is not a Module`);
    if (this.#parameters.has(name) || this.#buffers.has(name)) throw new ValueError(`attribute '${name}' already exists`);
    this.#modules.set(name, module);
    this.#defineAccessor(name, () => this.#modules.get(name) ?? null, (v) => this.registerModule(name, v as Module | null));
    return module;
  }

  /** Alias of registerModule, as in PyTorch. */
  addModule<M extends Module | null>(name: string, module: M): M {
    return this.registerModule(name, module);
  }

  #checkName(name: string, what: string): void {
    if (typeof name !== "string" || name === "") throw new ValueError(`${what} name must be a non-empty string`);
    if (name.includes(".")) throw new ValueError(`${what} name can't contain ".", got '${name}'`);
  }

  /** Lets `module.runningMean` read the buffer registered as `running_mean` (when that property is free). */
  #defineAccessor(key: string, get: () => unknown, set: (v: unknown) => void): void {
    for (const prop of new Set([key, camelName(key)])) {
      const own = Object.getOwnPropertyDescriptor(this, prop);
      // A data property holding a value is left to the property scan; an empty one (a
      // declared class field) becomes the accessor.
      if (own && !own.get && (own.value !== undefined || !own.configurable)) continue;
      if (INTERNAL.has(prop) || (!own && prop in this)) continue;
      Object.defineProperty(this, prop, { get, set, enumerable: false, configurable: true });
    }
  }

  /** Picks up Parameters and Modules assigned to plain properties since the last look. */
  #sync(): void {
    for (const prop of Object.keys(this)) {
      if (INTERNAL.has(prop)) continue;
      const value = (this as Record<string, unknown>)[prop];
      const key = pytorchName(prop);
      const known = this.#fromProperty.get(key);
      if (value instanceof Parameter) {
        if (this.#modules.has(key) || this.#buffers.has(key)) continue;
        this.#parameters.set(key, value);
        this.#fromProperty.set(key, prop);
      } else if (value instanceof Module) {
        if (this.#parameters.has(key) || this.#buffers.has(key)) continue;
        this.#modules.set(key, value);
        this.#fromProperty.set(key, prop);
      } else if (known === prop) {
        // A property that held a Parameter/Module now holds something else.
        if (value === null || value === undefined) {
          if (this.#parameters.has(key)) this.#parameters.set(key, null);
          if (this.#modules.has(key)) this.#modules.set(key, null);
        } else if (this.#parameters.has(key)) {
          throw new ValueError(`cannot assign '${value instanceof Tensor ? "Tensor" : typeof value}' as parameter '${key}' (Parameter or null expected)`);
        } else {
          this.#modules.delete(key);
          this.#fromProperty.delete(key);
        }
      }
    }
  }

  // ---- traversal ----

  *namedParameters(prefix = "", recurse = true, removeDuplicate = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    for (const [modPrefix, mod] of recurse ? this.namedModules(prefix, removeDuplicate) : [[prefix, this] as [string, Module]]) {
      mod.#sync();
      for (const [name, p] of mod.#parameters) {
        if (p === null || (removeDuplicate && seen.has(p))) continue;
        seen.add(p);
        yield [modPrefix ? `${modPrefix}.${name}` : name, p];
      }
    }
  }

  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters("", recurse)) yield p;
  }

  *namedBuffers(prefix = "", recurse = true, removeDuplicate = true): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const [modPrefix, mod] of recurse ? this.namedModules(prefix, removeDuplicate) : [[prefix, this] as [string, Module]]) {
      for (const [name, b] of mod.#buffers) {
        if (b === null || (removeDuplicate && seen.has(b))) continue;
        seen.add(b);
        yield [modPrefix ? `${modPrefix}.${name}` : name, b];
      }
    }
  }

  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers("", recurse)) yield b;
  }

  *namedChildren(): Generator<[string, Module]> {
    this.#sync();
    const seen = new Set<Module>();
    for (const [name, m] of this.#modules) {
      if (m === null || seen.has(m)) continue;
      seen.add(m);
      yield [name, m];
    }
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every descendant, depth first, with dotted names ("" for this one). */
  *namedModules(prefix = "", removeDuplicate = true, memo: Set<Module> = new Set()): Generator<[string, Module]> {
    if (removeDuplicate) {
      if (memo.has(this)) return;
      memo.add(this);
    }
    yield [prefix, this];
    this.#sync();
    for (const [name, m] of this.#modules) {
      if (m === null) continue;
      yield* m.namedModules(prefix ? `${prefix}.${name}` : name, removeDuplicate, memo);
    }
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** The descendant at a dotted path ("layer1.0.conv1"). */
  getSubmodule(target: string): Module {
    if (target === "") return this;
    let mod: Module = this;
    for (const part of target.split(".")) {
      mod.#sync();
      const next = mod.#modules.get(part);
      if (!next) throw new ValueError(`${mod.constructor.name} has no submodule '${part}' (looking up '${target}')`);
      mod = next;
    }
    return mod;
  }

  /** The parameter at a dotted path ("layer1.0.conv1.weight"). */
  getParameter(target: string): Parameter {
    const dot = target.lastIndexOf(".");
    const mod = this.getSubmodule(dot < 0 ? "" : target.slice(0, dot));
    mod.#sync();
    const p = mod.#parameters.get(target.slice(dot + 1));
    if (!p) throw new ValueError(`${mod.constructor.name} has no parameter '${target.slice(dot + 1)}'`);
    return p;
  }

  /** Number of parameter elements (trainable only when asked). */
  numParameters(trainableOnly = false): number {
    let n = 0;
    for (const p of this.parameters()) if (!trainableOnly || p.requiresGrad) n += p.size;
    return n;
  }

  // ---- modes and bulk changes ----

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Calls `fn` on every descendant (children first) and then on this module. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Clears (default) or zeroes every parameter's gradient. */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => p.grad!.zero_());
    }
  }

  /**
   * Casts floating parameters and buffers to `dtype`. Parameters are replaced by new
   * Parameter objects: build optimizers after calling `to`, as in PyTorch.
   */
  to(dtype: DType): this {
    if (!isFloating(dtype)) throw new DTypeError(`Module.to only accepts floating point dtypes, got ${dtype}`);
    for (const m of this.modules()) {
      m.#sync();
      for (const [name, p] of m.#parameters) {
        if (p === null || !isFloating(p.dtype) || p.dtype === dtype) continue;
        const q = new Parameter(noGrad(() => p.to(dtype)), p.requiresGrad);
        m.#parameters.set(name, q);
        const prop = m.#fromProperty.get(name);
        if (prop !== undefined) (m as unknown as Record<string, unknown>)[prop] = q;
      }
      for (const [name, b] of m.#buffers) {
        if (b === null || !isFloating(b.dtype) || b.dtype === dtype) continue;
        m.#buffers.set(name, noGrad(() => b.to(dtype)));
      }
    }
    return this;
  }

  /** Same as `to("float32")` etc., as PyTorch's `.float()`, `.double()`, `.half()`. */
  float(): this {
    return this.to("float32");
  }
  double(): this {
    return this.to("float64");
  }
  half(): this {
    return this.to("float16");
  }

  // ---- state dicts ----

  /** Parameters and persistent buffers under PyTorch's keys, detached (sharing data) unless `keepVars`. */
  stateDict(options: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = {};
    this.#saveTo(out, options.prefix ?? "", options.keepVars ?? false);
    return out;
  }

  #saveTo(out: StateDict, prefix: string, keepVars: boolean): void {
    this.#sync();
    for (const [name, p] of this.#parameters) if (p !== null) out[prefix + name] = keepVars ? p : detach(p);
    for (const [name, b] of this.#buffers)
      if (b !== null && !this.#nonPersistent.has(name)) out[prefix + name] = keepVars ? b : detach(b);
    for (const [name, m] of this.#modules) if (m !== null) m.#saveTo(out, `${prefix}${name}.`, keepVars);
  }

  /**
   * Copies a state dict into this module's parameters and buffers. With `strict` (default)
   * missing or unexpected keys are an error listing them, as PyTorch's; otherwise they are
   * returned. A shape mismatch is always an error.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const entries = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const expected = new Map<string, { module: Module; kind: "parameter" | "buffer"; name: string; value: Tensor }>();
    for (const [prefix, mod] of this.namedModules()) {
      mod.#sync();
      const p = prefix ? `${prefix}.` : "";
      for (const [name, t] of mod.#parameters) if (t !== null) expected.set(p + name, { module: mod, kind: "parameter", name, value: t });
      for (const [name, t] of mod.#buffers)
        if (t !== null && !mod.#nonPersistent.has(name)) expected.set(p + name, { module: mod, kind: "buffer", name, value: t });
    }
    const missingKeys = [...expected.keys()].filter((k) => !entries.has(k));
    const unexpectedKeys = [...entries.keys()].filter((k) => !expected.has(k));
    const errors: string[] = [];
    if (strict) {
      if (unexpectedKeys.length) errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}.`);
      if (missingKeys.length) errors.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}.`);
    }
    for (const [key, target] of expected) {
      const src = entries.get(key);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) {
        errors.push(`While copying the parameter named "${key}", expected a Tensor in the state dict`);
        continue;
      }
      if (src.shape.length !== target.value.shape.length || src.shape.some((d, i) => d !== target.value.shape[i])) {
        errors.push(
          `size mismatch for ${key}: copying a param with shape ${formatShape(src.shape)} from checkpoint, ` +
            `the shape in current model is ${formatShape(target.value.shape)}.`,
        );
      }
    }
    if (errors.length) throw new ShapeError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`);
    noGrad(() => {
      for (const [key, target] of expected) {
        const src = entries.get(key);
        if (src !== undefined) target.value.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** The constructor arguments shown in the repr, as PyTorch's `extra_repr`. */
  extraRepr(): string {
    return "";
  }

  toString(): string {
    const children = [...this.namedChildren()];
    const extra = this.extraRepr();
    const name = this.constructor.name;
    if (children.length === 0) return `${name}(${extra})`;
    const lines = extra ? extra.split("\n") : [];
    for (const [key, child] of children) lines.push(`(${key}): ${String(child).replace(/\n/g, "\n  ")}`);
    return `${name}(\n  ${lines.join("\n  ")}\n)`;
  }
}
