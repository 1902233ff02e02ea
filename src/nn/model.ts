/**
 * The model contract: what gs.gradCheck, gs.grade, gs.train and the statistics need of a network,
 * whatever its family (mlp, rnn, lstm). Each family keeps its forward pass, its hand-written
 * backward and its float64 mirror side by side in one folder and offers this interface; the
 * checker depends on nothing else. A family may also offer faster exact numeric paths
 * (`numeric64`), which the checker uses when present; without them it runs the exact float64 loop
 * over `mirror64`.
 *
 *   theta = every parameter block flattened in `blocks` order (row-major), as toVector() gives it
 *   J(theta) = (1/m) sum_i L_i (+ regularisation), the loss the backward pass differentiates
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';

/** Gradients by name: `{ dW1, db1, ... }` or `{ dWf, dbf, ... }`: 'd' + the parameter's name. */
export type Grads = Record<string, Tensor>;

/** One parameter block of theta. */
export interface ParamBlock {
  /** Parameter name: 'W1', 'b1', 'Wf', 'by', ... */
  name: string;
  /** Gradient name: 'd' + name. */
  grad: string;
  /** The parameter's shape, e.g. [n(l-1), n(l)] for W^l, [n(l)] for b^l. */
  shape: number[];
  /** Position of its first entry in theta. */
  offset: number;
  /** Number of entries (the product of `shape`). */
  size: number;
  /**
   * Backward order: blocks with a larger `layer` sit nearer the loss. The float32 round-off a
   * backward pass leaves in a block is bounded by the largest terms it carried through every block
   * of a larger or equal layer (the MLP: layer l; a recurrent net: output layer 2, recurrent 1).
   */
  layer: number;
}

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
  /** 'mlp' | 'rnn' | 'lstm' */
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
  /** Throws a GradscopeError naming a parameter that holds NaN or Infinity, or a disposed model. */
  assertUsable(): void;
  /** Frees the parameters' tf.Variables. */
  dispose(): void;
  /** A one-line summary: family, sizes, activations, init, number of parameters. */
  toString(): string;
}
