/**
 * The numeric view of theta shared by every family and the checker: entries of blocks, directions,
 * what a numerical gradient returns, and the optional offer of exact fast paths a family may make
 * (`Model.exactPaths` and `NumericPaths`, src/nn/model.ts).
 */
import type { ParamBlock } from './block';

/** float32 unit round-off, 2^-24. */
export const U32 = 2 ** -24;

/**
 * Correct float32 gradients stay within ATOL_FACTOR * u32 * mag of the truth (measured over random
 * and fitted correct nets: see test/gradcheck.test.ts and BENCHMARKS.md).
 *
 * @example
 * ```ts
 * ATOL_FACTOR * 2 ** -24 * 0.2; // ~1e-7: round-off a float32 backward pass may leave next to terms of size 0.2
 * ```
 */
export const ATOL_FACTOR = 8;

/**
 * The eps float32 mode uses unless told: balances round-off u32 / eps against truncation eps^2
 * (measured over random nets, see BENCHMARKS.md).
 *
 * @example
 * ```ts
 * gs.gradCheck(net, X, Y, { precision: 'float32' }).eps; // FLOAT32_EPS
 * ```
 */
export const FLOAT32_EPS = 1e-2;

/** float64 unit round-off, 2^-53. */
export const U64 = 2 ** -53;

/** @deprecated The name of {@link ParamBlock} before the three names were made one. */
export type Slot = ParamBlock;


/**
 * The block holding theta index k.
 *
 * @example
 * ```ts
 * blockOf(net.blocks, 13).name; // 'b1' for sizes [4, 3, 2]
 * ```
 */
export function blockOf(blocks: ParamBlock[], k: number): ParamBlock {
  for (const s of blocks) if (k < s.offset + s.size) return s;
  throw new RangeError(`theta index ${k} out of range`);
}

/**
 * The entry's position inside its block: [row, col] for W, [unit] for b.
 *
 * @example
 * ```ts
 * entryIndex(net.blocks[0], 4); // [1, 1] for W1 of shape [4, 3]
 * ```
 */
export function entryIndex(s: ParamBlock, k: number): number[] {
  const e = k - s.offset;
  return s.kind === 'W' ? [Math.floor(e / s.cols), e % s.cols] : [e];
}

/** A direction: the block it lives on and its entries (unit norm, length slot.size). */
export interface Direction {
  /** The block the direction lives on. */
  slot: ParamBlock;
  /** Its entries, in the block's row-major order. */
  v: Float64Array;
}

/**
 * v . x over the direction's block: the component along d of a theta-ordered vector x.
 *
 * @example
 * ```ts
 * along(analytic, d); // v . grad for the hand-written gradient
 * ```
 */
export function along(x: ArrayLike<number>, { slot, v }: Direction): number {
  let s = 0;
  for (let e = 0; e < slot.size; e++) s += x[slot.offset + e] * v[e];
  return s;
}

/** u's part on a W block as a rank-one product: U[i, c] = scale alpha[i] beta[c]. */
export interface RankOne {
  /** The row factor alpha (length rows). */
  alpha: Float64Array;
  /** The column factor beta (length cols). */
  beta: Float64Array;
  /** The scalar in front. */
  scale: number;
}

/** A direction's part on one block: v for a b block; for a W block its rank-one factors (v[i * cols + c] = alpha[i] beta[c], v itself not read). */
export interface DirectionPart {
  /** The part's entries (a b block's; not read for a W block given as alpha, beta). */
  v: Float64Array;
  /** A W block's row factor. */
  alpha?: Float64Array;
  /** A W block's column factor. */
  beta?: Float64Array;
}

/** (J(theta + eps v) - J(theta - eps v)) / 2 eps per direction, with kink flags and the size of the terms. */
export interface DirectionalResult {
  /** The difference per direction. */
  values: Float64Array;
  /** 1 where the direction's +-eps step crossed a kink (the difference is then not a derivative). */
  kinks: Uint8Array;
  /** The size of the terms each difference sums (its round-off's scale). */
  scale: Float64Array;
  /** Float64 forward passes it took. */
  evaluations: number;
}

/** What every numerical-gradient routine returns, aligned with the theta indices it was asked for. */
export interface NumericResult {
  /** theta indices, ascending */
  indices: Int32Array;
  /** d theta_approx[k] = (J(theta + h e_k) - J(theta - h e_k)) / 2h for each index */
  values: Float64Array;
  /** 1 where theta +- h moved a relu/leakyRelu pre-activation across 0 */
  kinks: Uint8Array;
  /**
   * Size of the terms the entry sums: (1/m) sum_r |L_r(+h) - L_r(-h)| / 2h (+ |L2 part|). A float32
   * gradient of this entry carries round-off of about u32 * scale, even where the terms cancel to 0.
   */
  scale: Float64Array;
  /** Loss evaluations, counted as full forward passes would be (2 per entry). */
  evaluations: number;
}

/**
 * Every index 0..n-1.
 *
 * @example
 * ```ts
 * allIndices(3); // Int32Array [0, 1, 2]
 * ```
 */
export function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/**
 * The actual steps: h+ = (w + eps) - w and h- = w - (w - eps), exact in float64.
 *
 * @example
 * ```ts
 * steps(0.3, 1e-7); // [1.0000000000287557e-7, 9.999999999732445e-8]
 * ```
 */
export function steps(w: number, eps: number): [number, number] {
  return [w + eps - w, w - (w - eps)];
}
