// Binary float32 kernels with broadcasting (arithmetic, maximum/minimum, comparisons to
// bool bytes) and `where`, each a strided walk over output elements [start, end) (see
// Note: strided walks, in elementwise.ts). IEEE semantics throughout: wasm's min/max
// propagate nan as PyTorch's maximum/minimum do, and comparisons with nan are false
// (true for ne).
import { loadBoolMask, loadLanes, loadStrided, storeLanes, storeMaskBytes } from "./elementwise";

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAXIMUM = 4;
const MINIMUM = 5;
const EQ = 6;
const NE = 7;
const LT = 8;
const LE = 9;
const GT = 10;
const GE = 11;

// @ts-ignore: decorator
@inline function isComparison(op: i32): bool {
  return op >= EQ;
}

// @ts-ignore: decorator
@inline function apply(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    case MAXIMUM: return f32x4.max(a, b);
    case MINIMUM: return f32x4.min(a, b);
    case EQ: return f32x4.eq(a, b);
    case NE: return f32x4.ne(a, b);
    case LT: return f32x4.lt(a, b);
    case LE: return f32x4.le(a, b);
    case GT: return f32x4.gt(a, b);
    default: return f32x4.ge(a, b);
  }
}

/** Writes `count` results at output element i: floats, or bool bytes for comparisons. */
// @ts-ignore: decorator
@inline function put(op: i32, out: usize, i: i32, v: v128, count: i32): void {
  if (isComparison(op)) {
    storeMaskBytes(out + <usize>i, v, count);
  } else if (count == 4) {
    v128.store(out + (<usize>i << 2), v);
  } else {
    storeLanes(out + (<usize>i << 2), v, count);
  }
}

/** One row of `len` outputs; a and b step by sa and sb elements. */
// @ts-ignore: decorator
@inline function row(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, len: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      put(op, out, i, apply(op, v128.load(a + o), v128.load(b + o)), 4);
    }
  } else if (sa == 1 && sb == 0) {
    const vb = v128.load32_splat(b);
    for (; i + 4 <= len; i += 4) put(op, out, i, apply(op, v128.load(a + (<usize>i << 2)), vb), 4);
  } else if (sa == 0 && sb == 1) {
    const va = v128.load32_splat(a);
    for (; i + 4 <= len; i += 4) put(op, out, i, apply(op, va, v128.load(b + (<usize>i << 2))), 4);
  } else {
    const stepA = sa << 2;
    const stepB = sb << 2;
    for (; i + 4 <= len; i += 4) {
      put(op, out, i, apply(op, loadLanes(a + <usize>(i * stepA), stepA, 4), loadLanes(b + <usize>(i * stepB), stepB, 4)), 4);
    }
  }
  if (i < len) {
    const count = len - i;
    const stepA = sa << 2;
    const stepB = sb << 2;
    put(op, out, i, apply(op, loadLanes(a + <usize>(i * stepA), stepA, count), loadLanes(b + <usize>(i * stepB), stepB, count)), count);
  }
}

// @ts-ignore: decorator
@inline function walk(
  op: i32, a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32,
  sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32,
): void {
  let i3 = start % n3;
  let rest = start / n3;
  let i2 = rest % n2;
  rest /= n2;
  let i1 = rest % n1;
  let i0 = rest / n1;
  const outShift: i32 = isComparison(op) ? 0 : 2;
  let o = start;
  while (o < end) {
    const len = min(n3 - i3, end - o);
    const pa = a + (<usize>(i0 * sa0 + i1 * sa1 + i2 * sa2 + i3 * sa3) << 2);
    const pb = b + (<usize>(i0 * sb0 + i1 * sb1 + i2 * sb2 + i3 * sb3) << 2);
    row(op, pa, sa3, pb, sb3, out + (<usize>o << outShift), len);
    o += len;
    i3 = 0;
    if (++i2 == n2) {
      i2 = 0;
      if (++i1 == n1) {
        i1 = 0;
        i0++;
      }
    }
  }
}

// Every export: (a, b, out, n1, n2, n3, a's strides s0..s3, b's strides s0..s3, start,
// end), byte addresses and element strides as in Note: strided walks.
export function addF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(ADD, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function subF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(SUB, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function mulF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(MUL, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function divF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(DIV, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function maximumF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(MAXIMUM, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function minimumF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(MINIMUM, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function eqF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(EQ, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function neF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(NE, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function ltF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(LT, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function leF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(LE, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function gtF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(GT, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}
export function geF32(a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32, start: i32, end: i32): void {
  walk(GE, a, b, out, n1, n2, n3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}

const WHERE = 0;
const MUL_MASK = 1;

/** where(mask, a, b), or a · (mask ? 1 : 0) (b unused): a product, so inf and nan in a give nan where the mask is false. */
// @ts-ignore: decorator
@inline function select(op: i32, mask: v128, a: v128, b: v128): v128 {
  if (op == MUL_MASK) return f32x4.mul(a, v128.and(mask, f32x4.splat(1)));
  return v128.bitselect(a, b, mask);
}

/** One row of where (or of a float times a mask): cond bytes step by sc, a and b floats by sa and sb. */
// @ts-ignore: decorator
@inline function whereRow(op: i32, c: usize, sc: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, len: i32): void {
  let i = 0;
  if (sc == 1 && sa == 1 && (sb == 1 || op == MUL_MASK)) {
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      const vb = op == MUL_MASK ? f32x4.splat(0) : v128.load(b + o);
      v128.store(out + o, select(op, loadBoolMask(c + <usize>i, 1, 4), v128.load(a + o), vb));
    }
  } else {
    for (; i + 4 <= len; i += 4) {
      const mask = loadBoolMask(c + <usize>(i * sc), sc, 4);
      const va = loadStrided(a + <usize>(i * (sa << 2)), sa, 4);
      const vb = op == MUL_MASK ? f32x4.splat(0) : loadStrided(b + <usize>(i * (sb << 2)), sb, 4);
      v128.store(out + (<usize>i << 2), select(op, mask, va, vb));
    }
  }
  if (i < len) {
    const count = len - i;
    const mask = loadBoolMask(c + <usize>(i * sc), sc, count);
    const va = loadLanes(a + <usize>(i * (sa << 2)), sa << 2, count);
    const vb = op == MUL_MASK ? f32x4.splat(0) : loadLanes(b + <usize>(i * (sb << 2)), sb << 2, count);
    storeLanes(out + (<usize>i << 2), select(op, mask, va, vb), count);
  }
}

/**
 * where(cond, a, b) with cond bool bytes: (cond, a, b, out, n1, n2, n3, cond's strides,
 * a's strides, b's strides, start, end).
 */
export function whereF32(
  c: usize, a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32,
  sc0: i32, sc1: i32, sc2: i32, sc3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32,
  start: i32, end: i32,
): void {
  whereWalk(WHERE, c, a, b, out, n1, n2, n3, sc0, sc1, sc2, sc3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, start, end);
}

/**
 * a · mask with mask bool bytes (the float 1 or 0), as mul(float32, bool) computes it:
 * (mask, a, out, n1, n2, n3, mask's strides, a's strides, start, end).
 */
export function mulMaskF32(
  c: usize, a: usize, out: usize, n1: i32, n2: i32, n3: i32,
  sc0: i32, sc1: i32, sc2: i32, sc3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32,
  start: i32, end: i32,
): void {
  whereWalk(MUL_MASK, c, a, 0, out, n1, n2, n3, sc0, sc1, sc2, sc3, sa0, sa1, sa2, sa3, 0, 0, 0, 0, start, end);
}

// @ts-ignore: decorator
@inline function whereWalk(
  op: i32, c: usize, a: usize, b: usize, out: usize, n1: i32, n2: i32, n3: i32,
  sc0: i32, sc1: i32, sc2: i32, sc3: i32, sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32,
  start: i32, end: i32,
): void {
  let i3 = start % n3;
  let rest = start / n3;
  let i2 = rest % n2;
  rest /= n2;
  let i1 = rest % n1;
  let i0 = rest / n1;
  let o = start;
  while (o < end) {
    const len = min(n3 - i3, end - o);
    const pc = c + <usize>(i0 * sc0 + i1 * sc1 + i2 * sc2 + i3 * sc3);
    const pa = a + (<usize>(i0 * sa0 + i1 * sa1 + i2 * sa2 + i3 * sa3) << 2);
    const pb = b + (<usize>(i0 * sb0 + i1 * sb1 + i2 * sb2 + i3 * sb3) << 2);
    whereRow(op, pc, sc3, pa, sa3, pb, sb3, out + (<usize>o << 2), len);
    o += len;
    i3 = 0;
    if (++i2 == n2) {
      i2 = 0;
      if (++i1 == n1) {
        i1 = 0;
        i0++;
      }
    }
  }
}
