/**
 * Reading a node's attributes by type, with defaults: what an op implementation sees.
 */
import { ValueError } from "../core/errors.ts";
import type { Attribute, AttributeType, Graph, Node, TensorData } from "./ir.ts";

type ValueOf<T extends AttributeType> = Extract<Attribute, { type: T }>["value"];

/** Typed access to the attributes of one node; a wrong type is a ValueError naming the node. */
export class Attributes {
  private readonly byName: Map<string, Attribute>;

  constructor(
    private readonly node: Pick<Node, "opType" | "name" | "attributes">,
  ) {
    this.byName = new Map(node.attributes.map((a) => [a.name, a]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private get<T extends AttributeType>(name: string, type: T): ValueOf<T> | undefined {
    const a = this.byName.get(name);
    if (a === undefined) return undefined;
    if (a.type !== type)
      throw new ValueError(`${this.node.opType} ${this.node.name ?? ""}: attribute ${name} should be ${type}, found ${a.type}`);
    return a.value as ValueOf<T> | undefined;
  }

  /** An int attribute as a number (ONNX ints are int64; sizes and axes fit a double). */
  int(name: string): number | undefined;
  int(name: string, fallback: number): number;
  int(name: string, fallback?: number): number | undefined {
    const v = this.get(name, "int");
    return v === undefined ? fallback : Number(v);
  }
  /** An int attribute as a bigint (exact for int64 values beyond 2^53). */
  bigint(name: string): bigint | undefined {
    return this.get(name, "int");
  }
  float(name: string): number | undefined;
  float(name: string, fallback: number): number;
  float(name: string, fallback?: number): number | undefined {
    return this.get(name, "float") ?? fallback;
  }
  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    return this.get(name, "string") ?? fallback;
  }
  ints(name: string): number[] | undefined;
  ints(name: string, fallback: number[]): number[];
  ints(name: string, fallback?: number[]): number[] | undefined {
    return this.get(name, "ints")?.map(Number) ?? fallback;
  }
  bigints(name: string): bigint[] | undefined {
    return this.get(name, "ints");
  }
  floats(name: string): number[] | undefined;
  floats(name: string, fallback: number[]): number[];
  floats(name: string, fallback?: number[]): number[] | undefined {
    return this.get(name, "floats") ?? fallback;
  }
  strings(name: string): string[] | undefined {
    return this.get(name, "strings");
  }
  tensor(name: string): TensorData | undefined {
    return this.get(name, "tensor");
  }
  tensors(name: string): TensorData[] | undefined {
    return this.get(name, "tensors");
  }
  graph(name: string): Graph | undefined {
    return this.get(name, "graph");
  }
  /** Any attribute, as stored. */
  raw(name: string): Attribute | undefined {
    return this.byName.get(name);
  }
}
