/**
 * Seed 000's deep linear network y = W^L ... W^2 W^1 x with every W^l = scale * I:
 * ||a^l|| = scale^l ||x|| forward and ||delta^l|| = scale^(L-l) backward (seed 002:
 * 1.1^150 ~ 1.6e6, 0.9^150 ~ 1.4e-7). Computed with real matrix products in float64
 * (plain JS numbers), and once more with every product rounded to float32 (Math.fround) to show
 * where float32 overflows (|x| > 3.4e38) or underflows (|x| < 1.4e-45).
 */
import { knownKeys, number } from '../core/errors';
import { displayable } from '../core/jupyter';
import { checkWork } from '../core/limits';

/** One layer of {@link deepLinear}. */
export interface DeepLinearRow {
  /** l = 1..depth */
  layer: number;
  /** scale^l, the prediction for the forward ratio. */
  scalePower: number;
  /** ||a^l|| / ||x||, with a^l = W^l a^(l-1), in float64. */
  activation: number;
  /** The same ratio with every multiply-add rounded to float32: Infinity past 3.4e38, then NaN (0 * Infinity in the off-diagonal products), 0 below 1.4e-45. */
  activation32: number;
  /** scale^(L-l), the prediction for the backward ratio. */
  backPower: number;
  /** ||delta^l|| = ||dJ/da^l|| for J = u . y with ||u|| = 1: how much of a change at the output reaches layer l. */
  delta: number;
  /** ||dJ/dW^l||_F = ||delta^l|| ||a^(l-1)|| (a rank-one matrix): scale^(L-1) ||x|| for every layer. */
  gradW: number;
}

/** What {@link deepLinear} returns. */
export interface DeepLinearResult {
  /** The number of layers L. */
  depth: number;
  /** Every W^l = scale * I. */
  scale: number;
  /** The width of every layer (W^l is dim x dim). */
  dim: number;
  /** ||y|| / ||x|| in float64 (= scale^depth up to rounding). */
  output: number;
  /** The same in float32. */
  output32: number;
  /** scale^depth */
  expected: number;
  /** One row per layer l = 1..depth. */
  rows: DeepLinearRow[];
}

/** a <- W a for a dim x dim matrix W (row-major), rounding each multiply-add with `r`. */
function matVec(W: Float64Array, a: number[], r: (x: number) => number): number[] {
  const n = a.length;
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      // float64 skips the zero weights (0 * Infinity would turn an overflow into NaN); float32
      // multiplies them, as a float32 matrix product does (the NaN activation32 documents)
      if (W[i * n + j] === 0 && r === identity) continue;
      s = r(s + r(W[i * n + j] * a[j]));
    }
    out[i] = s;
  }
  return out;
}

const identity = (x: number): number => x;
const norm = (v: number[]): number => Math.hypot(...v);

/**
 * The deep linear network of seed 000: y = W^L ... W^1 x with W^l = scale * I (dim x dim), and
 * the size of the signal forward (||a^l|| / ||x|| next to scale^l) and backward (||delta^l||
 * next to scale^(L-l)). Float64 throughout; `activation32` redoes the forward in float32.
 *
 * @example
 * ```ts
 * gs.deepLinear({ depth: 150, scale: 1.1 }).output;   // 1.617e6  (seed 002: 1.6 million)
 * gs.deepLinear({ depth: 150, scale: 0.9 }).output;   // 1.369e-7 (seed 002: 1.4e-7)
 * gs.show(gs.deepLinear({ depth: 50, scale: 1.5 }));   // table + chart
 * ```
 */
export function deepLinear(options: { depth?: number; scale?: number; dim?: number } = {}): DeepLinearResult {
  knownKeys('options', options, ['depth', 'scale', 'dim']);
  const depth = number('depth', options.depth ?? 150, { min: 1, max: 100000, integer: true });
  const scale = number('scale', options.scale ?? 1.1);
  const dim = number('dim', options.dim ?? 2, { min: 1, max: 512, integer: true });
  const W = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) W[i * dim + i] = scale; // W = scale * I
  checkWork('depth', { depth, dim }, 3 * depth * dim * dim, 'three dim x dim products per layer: forward in float64 and float32, backward');
  const id = identity;
  const x = new Array<number>(dim).fill(1);
  const nx = norm(x);

  // forward: a^l = W^l a^(l-1)
  const a: number[][] = [x];
  let a32 = x.map(Math.fround);
  const act32: number[] = [];
  for (let l = 1; l <= depth; l++) {
    a.push(matVec(W, a[l - 1], id));
    a32 = matVec(W, a32, Math.fround);
    act32.push(Math.fround(norm(a32) / nx));
  }
  // backward: delta^L = u, delta^(l-1) = W^l^T delta^l  (W symmetric here)
  const delta: number[][] = [];
  delta[depth] = new Array<number>(dim).fill(1 / Math.sqrt(dim));
  for (let l = depth; l > 1; l--) delta[l - 1] = matVec(W, delta[l], id);

  const rows: DeepLinearRow[] = [];
  for (let l = 1; l <= depth; l++) {
    rows.push({
      layer: l,
      scalePower: scale ** l,
      activation: norm(a[l]) / nx,
      activation32: act32[l - 1],
      backPower: scale ** (depth - l),
      delta: norm(delta[l]),
      gradW: norm(delta[l]) * norm(a[l - 1]), // ||delta a^T||_F = ||delta|| ||a||
    });
  }
  return displayable({ depth, scale, dim, output: rows[depth - 1].activation, output32: act32[depth - 1], expected: scale ** depth, rows });
}
