/**
 * The model contract: what gs.gradCheck, gs.grade, gs.train and the statistics need of a network,
 * whatever its family (mlp, rnn, lstm). Each family keeps its forward pass, its hand-written
 * backward and its float64 mirror side by side in one folder and offers this interface; the
 * checker depends on nothing else. A family may also offer faster exact numeric paths
 * (`exactPaths`, below), which the checker uses when present; without them it runs the exact
 * float64 loop over `mirror64` (src/check/loop64.ts, which offers the same {@link NumericPaths}).
 *
 *   theta = every parameter block flattened in `blocks` order (row-major), as toVector() gives it
 *   J(theta) = (1/m) sum_i L_i (+ regularisation), the loss the backward pass differentiates
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { ParamBlock } from './block';
import type { Direction, DirectionalResult, DirectionPart, NumericResult, RankOne } from './numeric';

/** Gradients by name: `{ dW1, db1, ... }` or `{ dWf, dbf, ... }`: 'd' + the parameter's name. */
export type Grads = Record<string, Tensor>;

export type { ParamBlock } from './block';

/** What a forward pass keeps for the backward pass; the caller disposes it. */
export interface ModelCache {
  /** Frees every tensor the cache holds. */
  dispose(): void;
}

/**
 * The loss of a fixed batch in float64, as a function of theta (the same fixed dropout masks and
 * labels the tf pass used). `rows[i]` is example i's share of J (J = sum of rows + reg), used to
 * size the float32 round-off of each gradient entry. `signs` (families with relu/leakyRelu only):
 * one 0/1 per pre-activation (z > 0), so that a perturbation that flips one is seen as crossing a kink.
 */
export interface Loss64 {
  (theta: Float64Array): {
    /** J(theta) in float64: the mean loss over the batch plus the regularisation term. */
    J: number;
    /** Each example's share of J: L_i / m (so J = sum of rows + reg). */
    rows: Float64Array;
    /** The regularisation term, (lambda / 2m) sum_l ||W^l||^2 for an MLP with l2; else 0. */
    reg: number;
    /** One 0/1 per hidden pre-activation (z > 0), for relu/leakyRelu families only. */
    signs?: Uint8Array;
  };
}

/** A network gs.gradCheck can check: the MLP (gs.mlp), gs.rnn and gs.lstm all offer it. */
export interface Model<C extends ModelCache = ModelCache> {
  /** The family's name, as registered (nn/registry.ts): 'mlp', 'rnn', 'lstm', ... */
  readonly family: string;
  /** The parameters as tf.Variables, by name. */
  readonly params: Record<string, Variable>;
  /** theta's layout. */
  readonly blocks: ParamBlock[];
  /** Number of parameters (length of theta). */
  readonly size: number;
  /** Validates X (rank, widths, finite) and Y against X; returns float labels the caller disposes (one-hot for softmax). */
  labels(Y: Tensor, X: Tensor): Tensor;
  /** Forward pass on tf; the caller owns output and cache. */
  forward(X: Tensor, options?: object): {
    /** The network's output a^L (or y-hat). */
    output: Tensor;
    /** What backward needs; `cache.dispose()` when done. */
    cache: C;
  };
  /** The hand-written backward pass: `{ dW..., db... }` for every block; the caller disposes them. */
  backward(cache: C, y: Tensor): Grads;
  /** One tf forward pass giving both the cache and tf autograd's gradients of the same J. */
  forwardAndAutograd(X: Tensor, y: Tensor): {
    /** The forward pass's cache, for a hand-written backward. */
    cache: C;
    /** tf autograd's gradients of J, by gradient name. */
    grads: Grads;
  };
  /** theta: every parameter in one float64 vector, in `blocks` order (row-major). */
  toVector(): Float64Array;
  /** Sets every parameter from theta (the inverse of toVector). */
  fromVector(theta: ArrayLike<number>): void;
  /** `{ dW1, ... }` flattened in theta's order. */
  gradsToVector(grads: Grads): Float64Array;
  /** J of this batch in float64 (the mirror of forward), with the cache's fixed randomness. */
  mirror64(X: Tensor, y: Tensor, cache: C): Loss64;
  /**
   * Optional: exact fast numeric paths for one check on one batch (the MLP offers them: cached layers,
   * float32 rows on tf, a joint direction; rnn, lstm and gru their changes carried through time in
   * float64). Without it, or when it returns undefined (a precision it does not cover), gs.gradCheck
   * runs the generic loop over mirror64.
   * For a family's author (docs/DESIGN.md, "adding a family"), not for notebooks.
   *
   * @internal
   */
  exactPaths?(X: Tensor, Y: Tensor, options: PathOptions): NumericPaths<C> | undefined;
  /**
   * Optional: J of the batch a forward pass just ran, read off its cache with no second pass (the
   * MLP offers it: float32 on tf, from its z^L). Without it gs.train takes J from `mirror64` in float64.
   *
   * @internal
   */
  lossOfPass?(cache: C, y: Tensor): number;
  /** Throws a GradscopeError naming a parameter that holds NaN or Infinity, or a disposed model. */
  assertUsable(): void;
  /** Frees the parameters' tf.Variables. */
  dispose(): void;
  /** A one-line summary: family, sizes, activations, init, number of parameters. */
  toString(): string;
}

/** The methods every model offers (what {@link isModel} looks for). */
const METHODS = ['forward', 'backward', 'forwardAndAutograd', 'mirror64', 'toVector', 'fromVector', 'gradsToVector', 'labels', 'assertUsable'];

/**
 * True for anything that offers the model contract (any family: gs.mlp, gs.rnn, gs.lstm, ...).
 *
 * @example
 * ```ts
 * isModel(gs.mlp({ sizes: [2, 3, 1] })); // true
 * ```
 */
export function isModel(m: unknown): m is Model<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const x = m as Partial<Model>;
  return !!x && typeof x === 'object' && Array.isArray(x.blocks) && typeof x.size === 'number' &&
    METHODS.every((k) => typeof (x as Record<string, unknown>)[k] === 'function');
}

/** What the checker tells a model's `exactPaths` (see {@link Model}). */
export interface PathOptions {
  /** The check's seed (a family with dropout draws its fixed masks from it). */
  seed: number;
  /** The precision the differences run in. */
  precision: 'float64' | 'float32';
  /** Run tf autograd with the forward pass now (false: the checker may ask for it later). */
  autograd: boolean;
  /** Notes for the report (e.g. the dropout mask held fixed). */
  notes: string[];
}

/**
 * One check on one batch, by exact numeric paths: the numbers of the loop over the float64 mirror
 * (or of tf in float32), however they are computed. The generic loop (src/check/loop64.ts) offers
 * it for any model; a family may offer faster ones (`Model.exactPaths`: the MLP's cached layers).
 */
export interface NumericPaths<C extends ModelCache = ModelCache> {
  /** Float labels (one-hot for softmax). */
  readonly y: Tensor;
  /** The forward pass's cache, with the check's fixed randomness. */
  readonly cache: C;
  /** tf autograd's gradients of the same J, when asked for in the options. */
  readonly grads?: Grads;
  /** theta as the numbers see it. */
  readonly theta: Float64Array;
  /** theta's blocks. */
  readonly slots: ParamBlock[];
  /** How the numbers are computed: the report's note. */
  readonly method: string;
  /** The round-off of a difference is sized by its own terms (`scale`), not by {@link magnitudes}. */
  readonly scaleBound: boolean;
  /** tf autograd's gradients of the same J (the same masks), computed now; the caller disposes them. */
  autograd(): Grads;
  /** The reference gradient with g'(0) = 1 at kinks where some hidden z is exactly 0 (else undefined). */
  rightSided(): Float64Array | undefined;
  /** Starts the numbers (a base pass, timed as numeric work); may add notes. */
  start(notes: string[]): void;
  /** Per theta entry: the size of the terms a correct backward sums (the round-off bound's input); entries() may fill it in. */
  magnitudes(): Float64Array;
  /** Central differences for the given theta indices (all when omitted). */
  entries(indices: Int32Array | undefined, eps: number, tick: (done: number) => void): NumericResult;
  /** Differences along directions. */
  directions(dirs: Direction[], eps: number, tick: (done: number) => void): DirectionalResult;
  /** 1 for coordinates whose own +-eps step can cross a kink (left out of directions). */
  nearKinks(slots: ParamBlock[], eps: number): Uint8Array;
  /** One joint direction over every block (float64 only), when offered. */
  joint?: JointPaths;
  /** Frees what prepare made (labels, cache, masks) and restores theta. */
  dispose(): void;
}

/** The joint direction's two numbers: its round-off bound and its difference. */
export interface JointPaths {
  /** Examples in the batch. */
  rows: number;
  /**
   * sum_e |v_e| mag_e per block part (W parts rank one), in slot order. Without it (the recurrent
   * families) every part is dense, each block weighted by 1 / |v_s . checked| and the round-off sized
   * by the difference's own terms.
   */
  alongMagnitudes?(parts: DirectionPart[]): Float64Array;
  /** (J(theta + eps u) - J(theta - eps u)) / 2 eps, `factors[layer]` giving u's W parts as rank one (none without alongMagnitudes: u is dense). */
  difference(u: Float64Array, eps: number, factors: (RankOne | undefined)[]): {
    /** The central difference along u. */
    value: number;
    /** The size of the terms it sums (its round-off's scale). */
    scale: number;
    /** True when the step crossed a kink (the difference is then not a derivative). */
    kink: boolean;
    /** Float64 forward passes it took. */
    evaluations: number;
  };
}

