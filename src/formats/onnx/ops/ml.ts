/**
 * The ai.onnx.ml domain: LabelEncoder, Binarizer, ArrayFeatureExtractor, TreeEnsemble.
 */
import { Tensor } from "../../../core/tensor.ts";
import { numbersOf } from "../../../graph/host-values.ts";
import type { OpContext } from "../../../graph/interpreter.ts";
import { valueFromTensorData } from "../../../graph/tensor-data.ts";
import { HostTensor, isTensorLike, type GraphValue } from "../../../graph/value.ts";
import { tensor } from "../../../ops/creation.ts";
import * as b from "../../../ops/defs/binary.ts";
import { indexSelect } from "../../../ops/defs/indexing.ts";
import { reshape, to } from "../../../ops/views.ts";
import type { OpFamily } from "./table.ts";
import { invalid, tensorAt, type Inputs } from "./util.ts";

type Key = string | number;

/** The elements of a tensor attribute or input as strings or numbers. */
function keysOf(v: Tensor | HostTensor): Key[] {
  return v instanceof HostTensor && v.elemType === "string" ? (v.data as string[]) : Array.from(numbersOf(v));
}

function labelEncoder(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = inputs[0];
  if (!isTensorLike(x)) throw invalid(ctx, "input 0 should be a tensor");
  const a = ctx.attrs;
  const keyTensor = a.tensor("keys_tensor");
  const valueTensor = a.tensor("values_tensor");
  const keys: Key[] = a.strings("keys_strings") ?? a.ints("keys_int64s") ?? a.floats("keys_floats") ?? (keyTensor ? keysOf(valueFromTensorData(keyTensor)) : []);
  let values: Key[];
  let type: "string" | "int64" | "float32" | string;
  let fallback: Key;
  if (a.has("values_strings")) [values, type, fallback] = [a.strings("values_strings")!, "string", a.string("default_string", "_Unused")];
  else if (a.has("values_int64s")) [values, type, fallback] = [a.ints("values_int64s")!, "int64", a.int("default_int64", -1)];
  else if (a.has("values_floats")) [values, type, fallback] = [a.floats("values_floats")!, "float32", a.float("default_float", -0)];
  else if (valueTensor) {
    const v = valueFromTensorData(valueTensor);
    values = keysOf(v);
    type = valueTensor.elemType;
    const d = a.tensor("default_tensor");
    fallback = d ? keysOf(valueFromTensorData(d))[0]! : type === "string" ? "_Unused" : -1;
  } else throw invalid(ctx, "needs values");
  const table = new Map<Key, Key>(keys.map((k, i) => [k, values[i]!]));
  const out = keysOf(x).map((k) => table.get(k) ?? fallback);
  if (type === "string") return [new HostTensor("string", x.shape, out as string[])];
  return [tensor(Float64Array.from(out as number[]), { shape: x.shape, dtype: type as "int64" })];
}

function binarizer(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  return [to(b.gt(x, ctx.attrs.float("threshold", 0)), x.dtype)];
}

/** The features at `indices` along the last axis (a vector input gives one row, as onnxruntime). */
function arrayFeatureExtractor(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const idx = tensorAt(inputs, 1, ctx);
  const picked = indexSelect(x, -1, reshape(to(idx, "int64"), [idx.size]));
  return [x.ndim === 1 ? reshape(picked, [1, idx.size]) : picked];
}

/** TreeEnsemble (ai.onnx.ml 5): per row, each tree's leaf (weight, target) aggregated by sum, average, min or max. */
function treeEnsemble(inputs: Inputs, ctx: OpContext): GraphValue[] {
  const x = tensorAt(inputs, 0, ctx);
  const a = ctx.attrs;
  const numbers = (name: string): number[] => {
    const t = a.tensor(name);
    return t ? Array.from(numbersOf(valueFromTensorData(t))) : [];
  };
  const splits = numbers("nodes_splits");
  const modes = numbers("nodes_modes");
  const members = numbers("membership_values");
  const leafWeights = numbers("leaf_weights");
  const [features, trueIds, falseIds, trueLeaf, falseLeaf, leafTargets, roots] = [
    "nodes_featureids", "nodes_truenodeids", "nodes_falsenodeids", "nodes_trueleafs", "nodes_falseleafs", "leaf_targetids", "tree_roots",
  ].map((name) => a.ints(name, []));
  const missingTrue = a.ints("nodes_missing_value_tracks_true", []);
  const aggregate = a.int("aggregate_function", 1);
  const targets = a.int("n_targets", 1);
  // Set-membership nodes take their members from membership_values in node order, NaN-separated.
  const sets = new Map<number, Set<number>>();
  let cursor = 0;
  modes.forEach((m, i) => {
    if (m !== 6) return;
    const set = new Set<number>();
    while (cursor < members.length && !Number.isNaN(members[cursor]!)) set.add(members[cursor++]!);
    cursor++;
    sets.set(i, set);
  });
  const goesTrue = (node: number, v: number): boolean => {
    if (Number.isNaN(v) && missingTrue[node]) return true;
    const s = splits[node]!;
    switch (modes[node]) {
      case 0: return v <= s;
      case 1: return v < s;
      case 2: return v >= s;
      case 3: return v > s;
      case 4: return v === s;
      case 5: return v !== s;
      case 6: return sets.get(node)!.has(v);
      default: throw invalid(ctx, `unknown node mode ${modes[node]}`);
    }
  };
  const [rows, cols] = [x.shape[0]!, x.shape[1]!];
  const values = numbersOf(x);
  const out = new Float64Array(rows * targets).fill(aggregate === 2 ? Infinity : aggregate === 3 ? -Infinity : 0);
  for (let r = 0; r < rows; r++)
    for (const root of roots!) {
      let node = root;
      let leaf = trueLeaf![root]! && falseLeaf![root]! && trueIds![root] === falseIds![root];
      for (let steps = 0; !leaf; steps++) {
        if (steps > modes.length) throw invalid(ctx, "tree has a cycle");
        const t = goesTrue(node, values[r * cols + features![node]!]!);
        leaf = Boolean(t ? trueLeaf![node] : falseLeaf![node]);
        node = t ? trueIds![node]! : falseIds![node]!;
      }
      const at = r * targets + leafTargets![node]!;
      const w = leafWeights[node]!;
      if (aggregate === 1) out[at] += w;
      else if (aggregate === 0) out[at] += w / roots!.length;
      else if (aggregate === 2) out[at] = Math.min(out[at]!, w);
      else out[at] = Math.max(out[at]!, w);
    }
  return [tensor(out, { shape: [rows, targets], dtype: x.dtype })];
}

export const mlOps: OpFamily = {
  "ai.onnx.ml/TreeEnsemble": treeEnsemble,
  "ai.onnx.ml/LabelEncoder": labelEncoder,
  "ai.onnx.ml/Binarizer": binarizer,
  "ai.onnx.ml/ArrayFeatureExtractor": arrayFeatureExtractor,
};
