/**
 * Building an ONNX graph node by node: unique value names, typed values, initializers
 * (small helper constants deduplicated by content) and attribute constructors.
 */
import type { DType } from "../../../core/dtype.ts";
import type { Tensor } from "../../../core/tensor.ts";
import type { Attribute, Dim, Node, TensorData, ValueInfo } from "../../../graph/ir.ts";
import { tensorDataFromValue } from "../../../graph/tensor-data.ts";
import { tensor } from "../../../ops/creation.ts";
import type { ElemType } from "../../../graph/elem-type.ts";

export const attr = {
  int: (name: string, value: number | boolean): Attribute => ({ name, type: "int", value: BigInt(Number(value)) }),
  ints: (name: string, value: readonly number[]): Attribute => ({ name, type: "ints", value: value.map((v) => BigInt(v)) }),
  float: (name: string, value: number): Attribute => ({ name, type: "float", value }),
  string: (name: string, value: string): Attribute => ({ name, type: "string", value }),
  tensor: (name: string, value: TensorData): Attribute => ({ name, type: "tensor", value }),
};

const INT64_MAX = 2n ** 63n - 1n;

function int64(v: number): bigint {
  if (v === Infinity) return INT64_MAX;
  if (v === -Infinity) return -INT64_MAX - 1n;
  return BigInt(v);
}

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: TensorData[] = [];
  readonly types = new Map<string, { elemType: ElemType; shape?: Dim[] }>();
  private readonly taken = new Set<string>();
  private readonly byContent = new Map<string, string>();
  private nodeCount = 0;

  /** Reserves `name` exactly (graph inputs, outputs, state-dict keys). */
  reserve(name: string): string {
    this.taken.add(name);
    return name;
  }

  /** A name starting with `hint` that no other value has. */
  fresh(hint: string): string {
    let name = hint;
    for (let k = 1; this.taken.has(name); k++) name = `${hint}_${k}`;
    this.taken.add(name);
    return name;
  }

  isTaken(name: string): boolean {
    return this.taken.has(name);
  }

  type(name: string, elemType: ElemType, shape?: readonly Dim[]): void {
    this.types.set(name, shape ? { elemType, shape: [...shape] } : { elemType });
  }

  node(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: readonly Attribute[] = [], domain = ""): void {
    this.nodes.push({ opType, domain, name: `${opType}_${this.nodeCount++}`, inputs: [...inputs], outputs: [...outputs], attributes: [...attributes] });
  }

  /** An initializer named `name` holding `data`. */
  initializer(name: string, data: TensorData): string {
    this.initializers.push({ ...data, name });
    this.type(name, data.elemType, data.dims);
    return name;
  }

  /** An initializer holding a copy of `t`. */
  tensor(hint: string, t: Tensor): string {
    return this.initializer(this.fresh(hint), tensorDataFromValue(t));
  }

  /** A constant of `dtype` with `dims` holding `values`; equal constants share one initializer. */
  constant(values: readonly number[], dtype: DType, dims: readonly number[]): string {
    const key = `${dtype}[${dims.join(",")}]${values.join(",")}`;
    const known = this.byContent.get(key);
    if (known) return known;
    const data: TensorData =
      dtype === "int64"
        ? { elemType: "int64", dims: [...dims], data: BigInt64Array.from(values, int64) }
        : tensorDataFromValue(tensor(Float64Array.from(values), { dtype, shape: [...dims] }));
    const name = this.initializer(this.fresh(dtype === "int64" ? "ints" : "const"), data);
    this.byContent.set(key, name);
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, pads); ±Infinity stand for the int64 extremes. */
  ints(values: readonly number[]): string {
    return this.constant(values, "int64", [values.length]);
  }

  /** Value infos for every typed name not in `except` (graph inputs, outputs, initializers). */
  valueInfos(except: ReadonlySet<string>): ValueInfo[] {
    const out: ValueInfo[] = [];
    for (const [name, t] of this.types)
      if (!except.has(name)) out.push({ name, type: { kind: "tensor", elemType: t.elemType, ...(t.shape ? { shape: [...t.shape] } : {}) } });
    return out;
  }
}
