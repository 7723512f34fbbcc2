/** The type-promotion table and result_type with scalars, against PyTorch (gen_binary.py). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { promoteTypes, resultType, type DType } from "../../src/index.ts";
import { loadFixture } from "../helpers/fixtures.ts";

interface PromotionCase {
  promote: { a: DType; b: DType; result: DType }[];
  resultType: { tensor: DType; ndim: number; scalar?: number | boolean; zeroDim?: DType; result: DType }[];
}

const [table] = loadFixture<PromotionCase>("promotion").cases;

test("promoteTypes matches torch.promote_types for every pair", () => {
  const wrong = table!.promote.filter(({ a, b, result }) => promoteTypes(a, b) !== result);
  assert.deepEqual(wrong, []);
  assert.equal(table!.promote.length, 100);
});

test("resultType matches torch.result_type with scalars and 0-d tensors", () => {
  const wrong = table!.resultType.filter((r) => {
    const t = { dtype: r.tensor, ndim: r.ndim };
    // A Python float 2.5 and int 2 are JS numbers 2.5 and 2; True is true.
    const other = r.zeroDim !== undefined ? { dtype: r.zeroDim, ndim: 0 } : r.scalar!;
    return resultType(t, other) !== r.result;
  });
  assert.deepEqual(wrong, []);
});
