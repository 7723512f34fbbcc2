/**
 * What a rule sees when it writes one traced op as ONNX nodes, and the rule types.
 *
 * A rule receives the op's inputs already converted to the dtypes the op computes in
 * (PyTorch promotes, ONNX does not: the exporter inserts the Cast nodes), their traced
 * shapes and dims, and the names its outputs must have. It writes nodes through `node`,
 * making intermediate values with `tmp` (every value is typed) and constants with `ints`
 * and `scalar`.
 */
import type { DType } from "../../../core/dtype.ts";
import { UnsupportedError } from "../../../core/errors.ts";
import type { Attribute, Dim } from "../../../graph/ir.ts";
import type { DimsOf } from "../../../graph/trace-dims.ts";
import type { AttrsOf } from "../../../ops/define-op.ts";
import type { Ops, OpName } from "../../../ops/registry.ts";

/** An input or output as a rule sees it. */
export interface EmitValue extends DimsOf {
  readonly name: string;
}

export interface EmitContext<A> {
  readonly op: string;
  readonly attrs: A;
  readonly opset: number;
  /** Inputs, converted to the op's compute dtypes. */
  readonly inputs: readonly EmitValue[];
  /** Outputs; a rule writes each used output under its name. */
  readonly outputs: readonly EmitValue[];
  /** Whether output `i` is read by anything (unused optional outputs may be left out). */
  used(i: number): boolean;
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attributes?: readonly Attribute[], domain?: string): void;
  /** A fresh value name typed `dtype` (with `dims` when known). */
  tmp(hint: string, dtype: DType, dims?: readonly Dim[]): string;
  /** A 1-D int64 constant. */
  ints(values: readonly number[]): string;
  /** A constant of `dtype`: 0-d for a number, 1-D for a list, or with `dims`. */
  scalar(value: number, dtype: DType): string;
  constant(values: readonly number[], dtype: DType, dims: readonly number[]): string;
  /** One node with one output of the given type; returns the output's name. */
  apply(opType: string, inputs: readonly string[], dtype: DType, dims?: readonly Dim[], attributes?: readonly Attribute[]): string;
}

export type Rule<A> = (c: EmitContext<A>) => void;

/** A rule for an op that has no ONNX form (yet): fails with `reason` when such an op is exported. */
export function unsupported(reason: string): Rule<unknown> {
  return (c) => {
    throw new UnsupportedError(`ONNX export of ${c.op}: ${reason}`);
  };
}

/** The exporter's table: one rule per op record, so a new op without a rule does not compile. */
export type RuleTable = { [K in OpName]: Rule<AttrsOf<Ops[K]>> };

/** Single-output rules: the op becomes one node of `type` with these attributes. */
export function simple<A>(type: string, attributes: (attrs: A, c: EmitContext<A>) => Attribute[] = () => []): Rule<A> {
  return (c) => c.node(type, c.inputs.map((v) => v.name), [c.outputs[0]!.name], attributes(c.attrs, c));
}

export function fail(op: string, why: string): UnsupportedError {
  return new UnsupportedError(`ONNX export of ${op}: ${why}`);
}
