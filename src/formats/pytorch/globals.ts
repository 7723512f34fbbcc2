/**
 * The allow-list of pickle globals: the names PyTorch's own weights-only unpickler accepts
 * (torch/_weights_only_unpickler.py) that concord can build, plus plain-data constructors
 * (set, frozenset, bytes via _codecs.encode, torch.device). Each allowed name maps to a
 * TypeScript function written here; nothing else can ever be called. Any other name is
 * refused before the pickle runs, with a message naming it.
 */
import { FormatError, UnsupportedError } from "../../core/errors.ts";
import { isTuple, PyCallable, PyDict, StorageRef, StorageType, TensorSpec } from "./values.ts";
import { STORAGE_DTYPES, TORCH_DTYPES, UNSUPPORTED_DTYPES, UNSUPPORTED_STORAGES } from "./storage-types.ts";

export interface GlobalContext {
  error(message: string, offset: number): FormatError;
}

type Call = (args: readonly unknown[], offset: number, ctx: GlobalContext) => unknown;

/** Names PyTorch allows that concord does not build (sparse, quantized, meta tensors...). */
const KNOWN_UNSUPPORTED = new Set([
  "torch._utils._rebuild_sparse_tensor",
  "torch._utils._rebuild_sparse_csr_tensor",
  "torch._utils._rebuild_meta_tensor_no_storage",
  "torch._utils._rebuild_qtensor",
  "torch._utils._rebuild_wrapper_subclass",
  "torch._utils._rebuild_device_tensor_from_numpy",
  "torch._utils._rebuild_xla_tensor",
  "torch._utils._rebuild_mlc_tensor",
  "torch._utils._rebuild_nested_tensor",
  "torch.serialization._get_layout",
]);

function isInt(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x);
}

function intTuple(x: unknown, what: string, offset: number, ctx: GlobalContext): number[] {
  if (!Array.isArray(x) || !x.every(isInt)) throw ctx.error(`${what} must be a tuple of integers`, offset);
  return x as number[];
}

function arity(args: readonly unknown[], min: number, max: number, name: string, offset: number, ctx: GlobalContext): void {
  if (args.length < min || args.length > max)
    throw ctx.error(`${name} takes ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`, offset);
}

function rebuildTensor(args: readonly unknown[], offset: number, ctx: GlobalContext, name: string, requiresGrad: boolean): TensorSpec {
  const [storage, storageOffset, size, stride] = args;
  if (!(storage instanceof StorageRef)) throw ctx.error(`${name} needs a storage as its first argument`, offset);
  if (!isInt(storageOffset) || storageOffset < 0) throw ctx.error(`${name}: storage offset must be a non-negative integer`, offset);
  const shape = intTuple(size, `${name}: size`, offset, ctx);
  const strides = intTuple(stride, `${name}: stride`, offset, ctx);
  if (shape.length !== strides.length) throw ctx.error(`${name}: size has ${shape.length} dims but stride has ${strides.length}`, offset);
  return new TensorSpec(storage, storageOffset, shape, strides, requiresGrad, offset);
}

function withGrad(spec: unknown, requiresGrad: unknown, name: string, offset: number, ctx: GlobalContext): TensorSpec {
  if (!(spec instanceof TensorSpec)) throw ctx.error(`${name} needs a tensor as its first argument`, offset);
  if (typeof requiresGrad !== "boolean") throw ctx.error(`${name}: requires_grad must be a bool`, offset);
  return new TensorSpec(spec.storage, spec.offset, spec.shape, spec.strides, requiresGrad, spec.at);
}

function iterableItems(x: unknown, name: string, offset: number, ctx: GlobalContext): unknown[] {
  if (Array.isArray(x)) return [...x];
  if (x instanceof Set) return [...x];
  throw ctx.error(`${name} takes a list or tuple`, offset);
}

const CALLS: Readonly<Record<string, Call>> = {
  "collections.OrderedDict": (args, offset, ctx) => {
    arity(args, 0, 1, "OrderedDict", offset, ctx);
    const d = new PyDict();
    for (const pair of args.length ? iterableItems(args[0], "OrderedDict", offset, ctx) : []) {
      if (!Array.isArray(pair) || pair.length !== 2) throw ctx.error("OrderedDict takes (key, value) pairs", offset);
      d.map.set(pair[0], pair[1]);
    }
    return d;
  },
  "torch._utils._rebuild_tensor_v2": (args, offset, ctx) => {
    arity(args, 6, 7, "_rebuild_tensor_v2", offset, ctx);
    if (typeof args[4] !== "boolean") throw ctx.error("_rebuild_tensor_v2: requires_grad must be a bool", offset);
    return rebuildTensor(args, offset, ctx, "_rebuild_tensor_v2", args[4]);
  },
  "torch._utils._rebuild_tensor": (args, offset, ctx) => {
    arity(args, 4, 4, "_rebuild_tensor", offset, ctx);
    return rebuildTensor(args, offset, ctx, "_rebuild_tensor", false);
  },
  "torch._utils._rebuild_parameter": (args, offset, ctx) => {
    arity(args, 3, 3, "_rebuild_parameter", offset, ctx);
    return withGrad(args[0], args[1], "_rebuild_parameter", offset, ctx);
  },
  // The state holds Python attributes set on the parameter; concord keeps only the tensor.
  "torch._utils._rebuild_parameter_with_state": (args, offset, ctx) => {
    arity(args, 4, 4, "_rebuild_parameter_with_state", offset, ctx);
    return withGrad(args[0], args[1], "_rebuild_parameter_with_state", offset, ctx);
  },
  "torch.nn.parameter.Parameter": (args, offset, ctx) => {
    arity(args, 1, 2, "Parameter", offset, ctx);
    return withGrad(args[0], args.length > 1 ? args[1] : true, "Parameter", offset, ctx);
  },
  "torch._tensor._rebuild_from_type_v2": (args, offset, ctx) => {
    arity(args, 4, 4, "_rebuild_from_type_v2", offset, ctx);
    const [func, type, inner] = args;
    if (!(type instanceof PyCallable) || (type.fullName !== "torch.Tensor" && type.fullName !== "torch.nn.parameter.Parameter"))
      throw ctx.error("_rebuild_from_type_v2 only rebuilds torch.Tensor and torch.nn.Parameter", offset);
    if (!(func instanceof PyCallable) || func.call === null || !isTuple(inner))
      throw ctx.error("_rebuild_from_type_v2 needs an allowed function and a tuple of arguments", offset);
    return func.call(inner, offset);
  },
  "torch.Size": (args, offset, ctx) => {
    arity(args, 0, 1, "torch.Size", offset, ctx);
    return Object.freeze(args.length ? intTuple(iterableItems(args[0], "torch.Size", offset, ctx), "torch.Size", offset, ctx) : []);
  },
  "torch.device": (args, offset, ctx) => {
    arity(args, 1, 2, "torch.device", offset, ctx);
    if (typeof args[0] !== "string" || (args.length > 1 && !isInt(args[1]) && args[1] !== null)) throw ctx.error("torch.device takes a type string and an index", offset);
    return args.length > 1 && args[1] !== null ? `${args[0]}:${args[1]}` : args[0];
  },
  "builtins.set": (args, offset, ctx) => new Set(args.length ? iterableItems(args[0], "set", offset, ctx) : []),
  "builtins.frozenset": (args, offset, ctx) => new Set(args.length ? iterableItems(args[0], "frozenset", offset, ctx) : []),
  // Protocol 2 pickles bytes as _codecs.encode(text, "latin1").
  "_codecs.encode": (args, offset, ctx) => {
    const [text, encoding] = args;
    if (args.length !== 2 || typeof text !== "string" || encoding !== "latin1") throw ctx.error("_codecs.encode is allowed only as encode(str, 'latin1') for bytes", offset);
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0xff) throw ctx.error("_codecs.encode: text is not latin1", offset);
      out[i] = c;
    }
    return out;
  },
};

/** Python 2 names that Python 3's pickler writes for builtins at protocols below 3. */
const ALIASES: Readonly<Record<string, string>> = {
  "__builtin__.set": "builtins.set",
  "__builtin__.frozenset": "builtins.frozenset",
};

/** Classes that may be named (as a type argument) but not called. */
const NAMED_ONLY = new Set(["torch.Tensor"]);

/**
 * Why the global `module.name` may not be used, as the error to throw, or null when it is
 * allowed. Called for every global before the pickle runs.
 */
export function refusal(module: string, name: string, fileName: string | undefined, offset: number): Error | null {
  const full = `${module}.${name}`;
  const canonical = ALIASES[full] ?? full;
  if (canonical in CALLS || NAMED_ONLY.has(canonical)) return null;
  if (module === "torch") {
    if (name in STORAGE_DTYPES || name in TORCH_DTYPES) return null;
    if (name in UNSUPPORTED_STORAGES) return new UnsupportedError(`${prefix(fileName)}${full} holds ${UNSUPPORTED_STORAGES[name]} elements; concord has no ${UNSUPPORTED_STORAGES[name]} dtype`);
    if (UNSUPPORTED_DTYPES.includes(name)) return new UnsupportedError(`${prefix(fileName)}dtype ${full} is not supported by concord`);
  }
  if (KNOWN_UNSUPPORTED.has(full)) return new UnsupportedError(`${prefix(fileName)}${full} (sparse, quantized or meta tensors) is not supported`);
  if (module === "__torch__" || module.startsWith("__torch__."))
    return new FormatError(
      `refused global '${full}': this is a TorchScript archive (torch.jit.save), whose classes are compiled code concord does not run; ` +
        "save the weights instead with torch.save(model.state_dict(), path)",
      fileName,
      offset,
    );
  if (module === "torch.nn" || module.startsWith("torch.nn.modules") || module.startsWith("torchvision.models"))
    return new FormatError(
      `refused global '${full}': the file holds a pickled nn.Module (Python classes, which concord never runs); ` +
        "save the weights instead with torch.save(model.state_dict(), path) and load them into a concord module",
      fileName,
      offset,
    );
  return new FormatError(
    `refused global '${full}': a checkpoint may only name tensors, storages and plain containers ` +
      "(the allow-list of torch.load(weights_only=True)); this one would run other Python code",
    fileName,
    offset,
  );
}

/** The value an allowed global stands for (call `refusal` first). */
export function resolve(module: string, name: string, ctx: GlobalContext, offset: number): unknown {
  const full = `${module}.${name}`;
  const canonical = ALIASES[full] ?? full;
  const call = CALLS[canonical];
  if (call !== undefined) return new PyCallable(canonical, (args, offset) => call(args, offset, ctx));
  if (NAMED_ONLY.has(canonical)) return new PyCallable(canonical, null);
  if (module === "torch" && name in STORAGE_DTYPES) return new StorageType(name, STORAGE_DTYPES[name]!);
  if (module === "torch" && name in TORCH_DTYPES) return TORCH_DTYPES[name]!;
  throw ctx.error(`global ${full} is not allowed`, offset);
}

function prefix(fileName: string | undefined): string {
  return fileName !== undefined ? `${fileName}: ` : "";
}
