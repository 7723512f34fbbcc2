/**
 * Containers: Sequential, ModuleList and ModuleDict, keyed as PyTorch keys them
 * ("0", "1", ... for lists and sequences; the given names for dicts).
 */
import type { Tensor } from "../core/tensor.ts";
import { ValueError } from "../core/errors.ts";
import { Module } from "./module.ts";

function indexIn(i: number, length: number, what: string): number {
  if (!Number.isInteger(i) || i < -length || i >= length) throw new ValueError(`index ${i} is out of range for ${what} of length ${length}`);
  return i < 0 ? i + length : i;
}

/** Modules kept in order under "0", "1", ...; the base of ModuleList and Sequential. */
abstract class IndexedModules extends Module {
  protected items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): Module {
    return this.items[indexIn(i, this.items.length, this.constructor.name)]!;
  }

  append(module: Module): this {
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Replaces the module at `i`. */
  set(i: number, module: Module): void {
    const k = indexIn(i, this.items.length, this.constructor.name);
    this.items[k] = module;
    this.registerModule(String(k), module);
  }

  insert(index: number, module: Module): void {
    const k = index < 0 ? Math.max(0, this.items.length + index) : Math.min(index, this.items.length);
    this.items.splice(k, 0, module);
    this.items.forEach((m, i) => this.registerModule(String(i), m));
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }
}

/** A list of modules that registers them; it has no forward of its own. */
export class ModuleList extends IndexedModules {
  override forward(): never {
    throw new ValueError("ModuleList has no forward; iterate over it in your module's forward");
  }
}

/** Runs its modules one after another, each on the previous one's output. */
export class Sequential extends IndexedModules {
  /** `new Sequential(a, b, c)` keys them "0", "1", "2"; `new Sequential({ conv: a, relu: b })` uses the names. */
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first !== undefined && !(first instanceof Module)) {
      for (const [name, m] of Object.entries(first)) {
        this.registerModule(name, m);
        this.items.push(m);
      }
    } else {
      for (const m of modules as Module[]) this.append(m);
    }
  }

  override forward(input: Tensor): Tensor {
    let x: unknown = input;
    for (const m of this.items) x = m.forward(x);
    return x as Tensor;
  }
}

/** Modules under string keys, in insertion order. */
export class ModuleDict extends Module {
  readonly #items = new Map<string, Module>();

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): Module | undefined {
    return this.#items.get(key);
  }

  set(key: string, module: Module): void {
    this.registerModule(key, module);
    this.#items.set(key, module);
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  update(modules: Record<string, Module> | Iterable<[string, Module]>): void {
    const pairs = Symbol.iterator in modules ? (modules as Iterable<[string, Module]>) : Object.entries(modules);
    for (const [k, m] of pairs) this.set(k, m);
  }

  keys(): IterableIterator<string> {
    return this.#items.keys();
  }
  values(): IterableIterator<Module> {
    return this.#items.values();
  }
  entries(): IterableIterator<[string, Module]> {
    return this.#items.entries();
  }

  override forward(): never {
    throw new ValueError("ModuleDict has no forward; pick its modules by key in your module's forward");
  }
}
