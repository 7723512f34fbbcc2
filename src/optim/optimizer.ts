/**
 * Optimizer: the base of every optimizer, as torch.optim.Optimizer (PyTorch 1.13).
 *
 * It holds the parameter groups (each a list of tensors with its own options), the
 * per-parameter state (step counts and buffers, keyed by the parameter tensor), and turns
 * both into PyTorch's state dict layout and back (see Note: state dict layout in
 * state-dict.ts). A subclass gives its default options, checks them, and performs one
 * update of one group with a function from `functional/`.
 */
import "../ops/methods.ts";
import { isFloating } from "../core/dtype.ts";
import { ShapeError, ValueError } from "../core/errors.ts";
import { Tensor } from "../core/tensor.ts";
import { enableGrad, noGrad } from "../autograd/grad-mode.ts";
import { tensor } from "../ops/creation.ts";
import {
  describe, isRecord, readRecord, toCamelCase, toSnakeCase, type StateRecord, type StateValue,
} from "./state-dict.ts";

/** Options every optimizer has. */
export interface GroupOptions {
  lr: number;
}

/** Fields learning-rate schedulers add to a group (PyTorch's `initial_lr`, `max_lr`, ...). */
export interface ScheduleFields {
  initialLr?: number;
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
}
const SCHEDULE_FIELDS = ["initialLr", "maxLr", "minLr", "maxMomentum", "baseMomentum"] as const;

/** One parameter group: its tensors and its options. Schedulers change `lr` (and momentum) here. */
export type ParamGroup<O extends GroupOptions> = O & ScheduleFields & { params: Tensor[] };

/** A group as given to the constructor or `addParamGroup`: options missing here come from the defaults. */
export type ParamGroupSpec<O extends GroupOptions> = Partial<O> & ScheduleFields & { params: Iterable<Tensor> | Tensor };

/** One parameter's state: tensors (buffers, step counts), plain numbers, or null. */
export type ParamState = { [key: string]: Tensor | number | null | undefined };

/** The state dict of an optimizer, in PyTorch's layout. */
export interface OptimizerStateDict {
  state: { [index: number]: StateRecord };
  param_groups: Array<StateRecord & { params: number[] }>;
}

/**
 * How a state entry is checked and cast on load: "param" is a tensor of the parameter's
 * shape (cast to its dtype), "param?" the same or absent/None, "scalar" a 0-d tensor kept
 * in its dtype (a number from an old checkpoint becomes a float32 tensor, as PyTorch's
 * `__setstate__` does), "number" a plain number.
 */
export type StateKind = "param" | "param?" | "scalar" | "number";

/**
 * PyTorch's group keys in its order: an option of this optimizer (mapped to its camelCase
 * name), or a key concord has no option for, written with the fixed value PyTorch's
 * default gives it (`foreach: null`, `differentiable: false`, ...).
 */
export interface GroupLayout {
  keys: readonly string[];
  fixed: Readonly<Record<string, StateValue>>;
}

export abstract class Optimizer<O extends GroupOptions, S extends ParamState = ParamState> {
  readonly defaults: O;
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, keyed by the parameter; entries use PyTorch's names (`exp_avg`, `step`). */
  state = new Map<Tensor, S>();

  protected abstract readonly layout: GroupLayout;
  protected abstract readonly stateKinds: Readonly<Record<string, StateKind>>;

  protected constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<O>>, defaults: O) {
    if (params instanceof Tensor)
      throw new ValueError("params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor");
    this.defaults = defaults;
    this.checkOptions(defaults);
    const list = [...(params as Iterable<Tensor | ParamGroupSpec<O>>)];
    if (list.length === 0) throw new ValueError("optimizer got an empty parameter list");
    const specs = list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<O>] : (list as ParamGroupSpec<O>[]);
    for (const spec of specs) this.addParamGroup(spec);
  }

  /** Throws a ValueError with PyTorch's message for an invalid option value. */
  protected abstract checkOptions(options: O): void;

  /** Updates the parameters of one group that have a gradient (called without grad recording). */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  /**
   * One optimization step. `closure`, when given, re-evaluates the model and returns the
   * loss; it runs with grad recording on before the update, and its result is returned.
   * For an async closure use `stepAsync`.
   */
  step<L>(closure?: () => L): L | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    return loss;
  }

  /** `step` with a closure that may return a promise (awaited before the update). */
  async stepAsync<L>(closure: () => L | Promise<L>): Promise<L> {
    const loss = await closure();
    this.step();
    return loss;
  }

  /**
   * Clears the gradients of every parameter: sets them to null (the default, as PyTorch
   * 2.x), or with `setToNone = false` fills them with zeros, detached from any graph.
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups)
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else {
          if (p.grad.gradFn !== null) p.grad = p.grad.detach();
          const g = p.grad;
          noGrad(() => g.zero_());
        }
      }
  }

  /** Adds a group of parameters (e.g. layers unfrozen while fine-tuning); missing options come from the defaults. */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    if (!isRecord(spec as unknown)) throw new ValueError("param group must be a dict");
    const raw = spec.params;
    const params = raw instanceof Tensor ? [raw] : [...(raw ?? [])];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new ValueError(`optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      if (!p.isLeaf && !p.retainsGrad) throw new ValueError("can't optimize a non-leaf Tensor");
      if (!isFloating(p.dtype)) throw new ValueError(`optimizer can only optimize floating-point Tensors, but one of the params is ${p.dtype}`);
    }
    if (new Set(params).size !== params.length) throw new ValueError("optimizer contains a parameter group with duplicate parameters");
    for (const group of this.paramGroups)
      if (group.params.some((p) => params.includes(p))) throw new ValueError("some parameters appear in more than one parameter group");
    const group = { ...this.defaults, ...spec, params } as ParamGroup<O>;
    this.checkOptions(group);
    this.paramGroups.push(group);
  }

  /**
   * The state dict in PyTorch's layout (see Note: state dict layout). Like PyTorch it
   * refers to the live state tensors: clone them to keep a snapshot while training goes on.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const packed: StateRecord = {};
      for (const key of this.layout.keys) {
        if (key in this.layout.fixed) packed[key] = this.layout.fixed[key]!;
        else packed[key] = packValue(group[toCamelCase(key) as keyof ParamGroup<O>]);
      }
      for (const field of SCHEDULE_FIELDS) if (group[field] !== undefined) packed[toSnakeCase(field)] = group[field]!;
      const ids = group.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return { ...packed, params: ids };
    });
    const state: { [index: number]: StateRecord } = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const record: StateRecord = {};
      for (const [key, value] of Object.entries(s)) if (value !== undefined) record[key] = value;
      state[i] = record;
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Loads a state dict (from `stateDict()` or a PyTorch checkpoint): group options replace
   * the current ones, state tensors are copied (cast to each parameter's dtype, except
   * step counts). Groups must match in number and size, as in PyTorch.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const what = "loadStateDict";
    if (!isRecord(stateDict as unknown)) throw new ValueError(`${what}: expected a dict with 'state' and 'param_groups'`);
    const saved = (stateDict as unknown as StateRecord)["param_groups"];
    if (!Array.isArray(saved)) throw new ValueError(`${what}: expected 'param_groups' to be a list, got ${describe(saved)}`);
    const savedState = readRecord(stateDict as unknown as StateRecord, "state", what);
    if (saved.length !== this.paramGroups.length)
      throw new ValueError("loaded state dict has a different number of parameter groups");
    const savedGroups = saved.map((g, i) => {
      if (!isRecord(g)) throw new ValueError(`${what}: param_groups[${i}] is ${describe(g)}, expected a dict`);
      const ids = g["params"];
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== "number" && typeof id !== "string"))
        throw new ValueError(`${what}: param_groups[${i}].params must be a list of parameter ids`);
      if (ids.length !== this.paramGroups[i]!.params.length)
        throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      return { record: g, ids: ids as (number | string)[] };
    });
    const newGroups = savedGroups.map(({ record }, i) => this.readGroup(record, this.paramGroups[i]!, i));
    const byId = new Map<string, Tensor>();
    savedGroups.forEach(({ ids }, i) => ids.forEach((id, j) => byId.set(String(id), this.paramGroups[i]!.params[j]!)));
    const newState = new Map<Tensor, S>();
    for (const [id, entry] of Object.entries(savedState)) {
      const p = byId.get(id);
      if (p === undefined) throw new ValueError(`${what}: state for parameter ${id}, which no parameter group lists`);
      if (!isRecord(entry)) throw new ValueError(`${what}: state[${id}] is ${describe(entry)}, expected a dict`);
      newState.set(p, this.readParamState(entry, p, `${what}: state[${id}]`));
    }
    this.paramGroups = newGroups;
    this.state = newState;
  }

  private readGroup(record: StateRecord, current: ParamGroup<O>, i: number): ParamGroup<O> {
    const group = { ...current } as unknown as Record<string, unknown>;
    const where = `loadStateDict: param_groups[${i}]`;
    for (const key of this.layout.keys) {
      if (key in this.layout.fixed || !(key in record)) continue;
      const name = toCamelCase(key);
      group[name] = unpackValue(record[key]!, current[name as keyof ParamGroup<O>], `${where}.${key}`);
    }
    for (const field of SCHEDULE_FIELDS) {
      const value = record[toSnakeCase(field)];
      if (value === undefined) continue;
      if (typeof value !== "number") throw new ValueError(`${where}.${toSnakeCase(field)}: expected a number, got ${describe(value)}`);
      group[field] = value;
    }
    const result = group as unknown as ParamGroup<O>;
    this.checkOptions(result);
    return result;
  }

  private readParamState(entry: StateRecord, p: Tensor, where: string): S {
    const state: ParamState = {};
    for (const [key, kind] of Object.entries(this.stateKinds)) {
      const value = entry[key];
      if (kind === "param?" && (value === undefined || value === null)) {
        if (value === null) state[key] = null;
        continue;
      }
      if (kind === "number") {
        const n = value instanceof Tensor && value.size === 1 ? Number(value.item()) : value;
        if (typeof n !== "number") throw new ValueError(`${where}.${key}: expected a number, got ${describe(value)}`);
        state[key] = n;
      } else if (kind === "scalar") {
        if (typeof value === "number") state[key] = tensor(value, { dtype: "float32" });
        else if (value instanceof Tensor && value.size === 1) state[key] = value.reshape([]).clone();
        else throw new ValueError(`${where}.${key}: expected a one-element tensor, got ${describe(value)}`);
      } else {
        if (!(value instanceof Tensor)) throw new ValueError(`${where}.${key}: expected a tensor, got ${describe(value)}`);
        if (value.shape.length !== p.shape.length || value.shape.some((d, k) => d !== p.shape[k]))
          throw new ShapeError(`${where}.${key}: shape [${value.shape.join(", ")}] does not match the parameter's [${p.shape.join(", ")}]`);
        state[key] = noGrad(() => value.detach().to(p.dtype).clone());
      }
    }
    return state as S;
  }
}

/** A group option as a state dict value: tuples become (copied) arrays. */
function packValue(value: unknown): StateValue {
  if (Array.isArray(value)) return [...(value as StateValue[])];
  return value as StateValue;
}

/** A loaded group option, checked against the kind of the current value. */
function unpackValue(value: StateValue, current: unknown, where: string): unknown {
  if (typeof current === "number" && typeof value === "number") return value;
  if (typeof current === "boolean" && typeof value === "boolean") return value;
  if (Array.isArray(current) && Array.isArray(value) && value.length === current.length && value.every((v) => typeof v === "number"))
    return [...value];
  throw new ValueError(`${where}: expected ${Array.isArray(current) ? `a list of ${current.length} numbers` : `a ${typeof current}`}, got ${describe(value)}`);
}

/** The parameters of a group that have a gradient, with their gradients. */
export function withGrads(group: { params: Tensor[] }): { params: Tensor[]; grads: Tensor[] } {
  const params: Tensor[] = [];
  const grads: Tensor[] = [];
  for (const p of group.params) {
    if (p.grad === null) continue;
    params.push(p);
    grads.push(p.grad);
  }
  return { params, grads };
}
