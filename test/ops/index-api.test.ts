/**
 * The Tensor indexing API (`x.index(...)`, `x.setIndex(...)`, `x.indexPut_(...)`) against
 * Python's `x[...]` and `y[...] = v` (fixture: scripts/fixtures/gen_indexing.py, which writes
 * test/fixtures/index-api.json), plus hand-written checks of views, storage sharing and
 * the string form.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as c from "../../src/index.ts";
import { AutogradError, ShapeError, sl, ValueError, type IndexItem, type Scalar, type Tensor } from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { runOpSuite, type OpInfo } from "../helpers/op-suite.ts";

type Spec = [string, ...unknown[]];

/** The fixture's item spec as concord index items (tensor items refer to `tensors`). */
function itemsOf(specs: Spec[], tensors: readonly Tensor[]): IndexItem[] {
  return specs.map(([kind, a, b, step]): IndexItem => {
    switch (kind) {
      case "int":
        return a as number;
      case "slice":
        return sl(a as number | null, b as number | null, step as number | null);
      case "none":
        return null;
      case "ellipsis":
        return "...";
      case "tensor":
        return tensors[a as number]!;
      case "list":
        return a as number[];
      case "bool":
        return a as boolean;
      default:
        throw new Error(`unknown item ${kind}`);
    }
  });
}

/** Runs `f` on the items and, when the case has a text form, checks the parsed string agrees. */
function bothForms(args: Record<string, unknown>, tensors: readonly Tensor[], f: (items: IndexItem[]) => Tensor): Tensor {
  const result = f(itemsOf(args.items as Spec[], tensors));
  if (typeof args.text === "string") assertClose(c.noGrad(() => f([args.text as string])), result.detach(), {}, `x.index("${args.text}")`);
  return result;
}

function setter(accumulate: boolean): OpInfo {
  return {
    run: (inputs, a) => {
      const scalar = a.scalar as Scalar | undefined;
      const [x, ...rest] = inputs;
      const value = scalar ?? rest.shift()!;
      return bothForms(a, rest, (items) => {
        const y = x!.clone();
        if (accumulate) y.indexPut_(items, value, true);
        else y.setIndex(...items, value);
        return y;
      });
    },
    gradgrad: true,
  };
}

runOpSuite("index-api", {
  index: { run: ([x, ...tensors], a) => bothForms(a, tensors, (items) => x!.index(...items)), gradgrad: true },
  setIndex: setter(false),
  indexPut_: setter(true),
});

describe("x.index: views and storage", () => {
  const x = () => c.arange(24).reshape([2, 3, 4]);

  test("basic items give views sharing storage", () => {
    const t = x();
    for (const items of [[0], [sl(1)], [sl(null, null, 2), null, "...", -1], ["..."], [], ["1:, ::2"]] as IndexItem[][]) {
      const v = t.index(...items);
      assert.equal(v.storage, t.storage, `x.index(${items.join(", ")}) shares storage`);
      assert.equal(v.base, t.base ?? t);
    }
  });

  test("a 0-d integer tensor selects (a view), other tensors copy", () => {
    const t = x();
    assert.equal(t.index(c.tensor(1)).storage, t.storage);
    assert.notEqual(t.index(c.tensor([1])).storage, t.storage);
    assert.notEqual(t.index(t.gt(3)).storage, t.storage);
  });

  test("writing through a view changes the base", () => {
    const t = x();
    const row = t.index(1, 2);
    row.setIndex(sl(), -1);
    assert.deepEqual(t.index(1, 2).values(), [-1n, -1n, -1n, -1n]);
    assert.deepEqual(t.index(0, 2).values(), [8n, 9n, 10n, 11n]);
  });

  test("the string form parses like Python", () => {
    const t = x();
    const cases: [string, IndexItem[]][] = [
      ["1:, ::2, None, ..., -1", [sl(1), sl(null, null, 2), null, "...", -1]],
      [" 0 , -2: ", [0, sl(-2)]],
      ["..., [0, 3]", ["...", [0, 3]]],
      ["[[1, 0], [0, 0]], :2", [[[1, 0], [0, 0]], sl(null, 2)]],
      ["[True, False]", [[true, false]]],
      [":, 1::2", [sl(), sl(1, null, 2)]],
      ["0,", [0]],
    ];
    for (const [text, items] of cases) assert.deepEqual(t.index(text).toArray(), t.index(...items).toArray(), text);
  });

  test("strings mix with other items", () => {
    const t = x();
    assert.deepEqual(t.index("1", c.tensor([2, 0])).toArray(), t.index(1, [2, 0]).toArray());
  });

  test("malformed strings and items are refused", () => {
    const t = x();
    for (const bad of ["1:2:3:4", "a", "[0, 1", "0]", "1.5", "0,,1"]) assert.throws(() => t.index(bad), ValueError, bad);
    assert.throws(() => t.index(1.5), ValueError);
    assert.throws(() => t.index(0, 0, 0, 0), ShapeError);
    // NumPy refuses two ellipses; torch 1.13 accepts them with odd results (x[..., ..., 0] fails).
    assert.throws(() => t.index("...", "..."), ValueError);
  });
});

describe("setters", () => {
  test("setIndex writes in place and bumps the version", () => {
    const t = c.zeros([3, 4]);
    const before = t.storage.version;
    const out = t.setIndex(sl(1), 0, 5);
    assert.equal(out, t);
    assert.ok(t.storage.version > before);
    assert.deepEqual(t.toArray(), [[0, 0, 0, 0], [5, 0, 0, 0], [5, 0, 0, 0]]);
  });

  test("advanced setters write the selected elements only", () => {
    const t = c.zeros([3, 4]);
    t.setIndex(c.tensor([2, 0]), sl(1, 3), c.tensor([[1, 2], [3, 4]], { dtype: "float32" }));
    assert.deepEqual(t.toArray(), [[0, 3, 4, 0], [0, 0, 0, 0], [0, 1, 2, 0]]);
    t.setIndex(t.gt(2), -1);
    assert.deepEqual(t.toArray(), [[0, -1, -1, 0], [0, 0, 0, 0], [0, 1, 2, 0]]);
  });

  test("indexPut_ accumulates repeated positions", () => {
    const t = c.zeros([3]);
    t.indexPut_([c.tensor([0, 0, 2, 0])], c.tensor(1.5), true);
    assert.deepEqual(t.toArray(), [4.5, 0, 1.5]);
    t.indexPut_("1:", c.tensor([1, 1], { dtype: "float32" }), true);
    assert.deepEqual(t.toArray(), [4.5, 1, 2.5]);
  });

  test("a setter on a view writes into the base", () => {
    const base = c.zeros([2, 3]);
    const col = base.index("..., 1");
    col.setIndex([1], 7);
    assert.deepEqual(base.toArray(), [[0, 0, 0], [0, 7, 0]]);
  });

  test("under autograd the setter is recorded: gradients reach x and the value", () => {
    // y = 2x; y[0, 1:] = v; loss = sum(y * w): dloss/dx = 2w except at [0, 1:], dloss/dv = w[0, 1:] summed.
    const x = c.ones([2, 3], { dtype: "float64", requiresGrad: true });
    const v = c.tensor(3, { dtype: "float64", requiresGrad: true });
    const w = c.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
    const y = x.mul(2);
    y.setIndex(0, sl(1), v);
    assert.deepEqual(y.toArray(), [[2, 3, 3], [2, 2, 2]]);
    y.mul(w).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[2, 0, 0], [8, 10, 12]]);
    assert.equal(v.grad!.item(), 5);
  });

  test("a leaf that requires grad refuses in-place writes outside noGrad", () => {
    const x = c.zeros([3], { requiresGrad: true });
    assert.throws(() => x.setIndex(0, 1), AutogradError);
    c.noGrad(() => x.setIndex(0, 1));
    assert.deepEqual(x.toArray(), [1, 0, 0]);
  });

  test("setIndex needs a value", () => {
    const t = c.zeros([2]);
    assert.throws(() => (t.setIndex as (...a: unknown[]) => Tensor)(), ValueError);
  });
});
