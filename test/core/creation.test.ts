/** Creation functions against PyTorch (gen_creation.py) and the tensor API by hand. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as c from "../../src/index.ts";
import type { DType, NestedArray, Tensor } from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, loadFixture, type TensorSpec } from "../helpers/fixtures.ts";

interface CreationCase {
  fn: string;
  args: unknown[];
  out: TensorSpec;
}

function call(fn: string, a: unknown[]): Tensor {
  const dtype = (d: unknown) => (typeof d === "string" ? { dtype: d as DType } : {});
  switch (fn) {
    case "arange": {
      const nums = a.filter((x) => typeof x === "number") as number[];
      const opts = dtype(a.find((x) => typeof x === "string"));
      if (nums.length === 1) return c.arange(nums[0]!, undefined, 1, opts);
      return c.arange(nums[0]!, nums[1], nums[2] ?? 1, opts);
    }
    case "linspace":
      return c.linspace(a[0] as number, a[1] as number, a[2] as number, dtype(a[3]));
    case "eye":
      return c.eye(a[0] as number, (a[1] as number | undefined) ?? (a[0] as number));
    case "full":
      return c.full(a[0] as number[], a[1] as number, dtype(a[2]));
    case "tensor":
      return c.tensor(a[0] as NestedArray, dtype(a[1]));
  }
  throw new Error(fn);
}

describe("creation vs PyTorch", () => {
  for (const k of loadFixture<CreationCase>("creation").cases) {
    test(`${k.fn}(${JSON.stringify(k.args)})`, () => {
      assertClose(call(k.fn, k.args), decode(k.out), { rtol: 0, atol: 0 });
    });
  }
});

describe("tensor API", () => {
  test("typed arrays are used without copying (js backend; wasm copies into its heap)", (t0) => {
    const previous = c.getBackend().name;
    c.setBackend("js");
    t0.after(() => c.setBackend(previous as "js" | "wasm"));
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = c.tensor(data, { shape: [2, 3] });
    data[0] = 42;
    assert.equal((t.toArray() as number[][])[0]![0], 42);
    assert.equal(t.dataSync().buffer, data.buffer);
  });

  test("int64 is exact over its whole range", () => {
    const big = c.tensor([9223372036854775807n, -9223372036854775808n, 9007199254740993n]);
    assert.equal(big.dtype, "int64");
    assert.deepEqual(big.toArray(), [9223372036854775807n, -9223372036854775808n, 9007199254740993n]);
    assert.equal((big.add(1n).toArray() as bigint[])[2], 9007199254740994n);
    assert.equal(big.select(0, 0).item(), 9223372036854775807n);
  });

  test("float16 and bfloat16 round to nearest even when stored", () => {
    // 2049 lies halfway between float16 neighbours 2048 and 2050: ties go to even (2048).
    assert.deepEqual(c.tensor([2049, 2051], { dtype: "float16" }).toArray(), [2048, 2052]);
    // 1 + 2^-8 is halfway between bfloat16 1 and 1 + 2^-7: ties to even gives 1.
    assert.deepEqual(c.tensor([1 + 2 ** -8], { dtype: "bfloat16" }).toArray(), [1]);
  });

  test("item, toArray and reading non-contiguous views", () => {
    const x = c.arange(6).reshape([2, 3]);
    assert.deepEqual(x.t().toArray(), [[0n, 3n], [1n, 4n], [2n, 5n]]);
    assert.equal(x.select(1, 2).select(0, 1).item(), 5n);
    assert.throws(() => x.item(), c.ValueError);
    assert.deepEqual(c.tensor(3.5).toArray(), 3.5);
  });

  test("data() resolves to the same values as dataSync()", async () => {
    const x = c.tensor([1.5, 2.5]);
    assert.deepEqual(Array.from((await x.data()) as Float32Array), [1.5, 2.5]);
  });

  test("toString prints like PyTorch", () => {
    assert.equal(c.tensor([[1, 2], [3, 4]], { dtype: "float32" }).toString(), "tensor([[1., 2.],\n        [3., 4.]])");
    assert.equal(c.tensor([1.5], { dtype: "float64", requiresGrad: true }).toString(), "tensor([1.5000], dtype=torch.float64, requires_grad=True)");
    assert.equal(c.tensor([1.5], { requiresGrad: true }).mul(2).toString(), "tensor([3.], grad_fn=<MulBackward0>)");
  });

  test("bad input gives typed errors", () => {
    assert.throws(() => c.tensor([[1, 2], [3]]), c.ValueError);
    assert.throws(() => c.zeros([-1]), c.ValueError);
    assert.throws(() => c.tensor([1, 2]).reshape([3]), c.ShapeError);
    assert.throws(() => c.tensor([1, 2]).add(c.tensor([1, 2, 3])), c.ShapeError);
    assert.throws(() => c.arange(0, 10, 0), c.ValueError);
    assert.throws(() => c.randn([2], { dtype: "int32" }), c.DTypeError);
  });

  test("views share storage", () => {
    const x = c.zeros([3, 4]);
    for (const v of [x.t(), x.reshape([12]), x.slice(1, 1, null, 2), x.select(0, 1), x.unsqueeze(0), x.expand([2, 3, 4]), x.narrow(0, 1, 2)]) {
      assert.equal(v.storage, x.storage);
    }
    const y = x.t().reshape([12]); // not viewable: copies
    assert.notEqual(y.storage, x.storage);
    assert.throws(() => x.t().view([12]), c.ShapeError);
  });
});
