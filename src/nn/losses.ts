/**
 * Output layers and their losses, paired so that delta^L = dJ/dz^L * m = a^L - y for all three:
 * - sigmoid + binary cross-entropy: L = -(y log a + (1 - y) log(1 - a))
 * - softmax + categorical cross-entropy: L = -sum_k y_k log a_k
 * - linear + mean squared error: L = 1/2 ||a - y||^2
 * The cost over a batch is J = (1/m) sum_i L_i (+ the L2 term, added by the network).
 * Every loss is computed from z, not a, so it stays finite when a saturates.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { GradscopeError, fmt, invalid } from '../core/errors';

/**
 * The output layers, each paired with its loss so that delta^L = a^L - y for all three: sigmoid
 * with binary cross-entropy (labels in [0, 1]), softmax with categorical cross-entropy (one-hot or
 * probability rows, or class indices [m]), linear with 1/2 ||a - y||^2 (any finite labels). The
 * cost is J = (1/m) sum_i L_i, computed from z^L so it stays finite when a^L saturates.
 *
 * @example
 * ```ts
 * gs.OUTPUTS;   // ['sigmoid', 'softmax', 'linear']
 * ```
 */
export const OUTPUTS = ['sigmoid', 'softmax', 'linear'] as const;
/** One of {@link OUTPUTS}: the `output` option of {@link mlp}, {@link rnn} and {@link lstm}. */
export type Output = (typeof OUTPUTS)[number];

export interface OutputFns {
  /** a^L = g_out(z^L) */
  a(z: Tensor2D): Tensor2D;
  /** Per-example loss L_i from z^L and y, shape [m]. */
  lossRows(z: Tensor2D, y: Tensor2D): Tensor;
  /** Per-example loss in float64 for one row: z and y of length n (read from offset). */
  loss64(z: Float64Array, y: ArrayLike<number>, offset: number, n: number): number;
  /** Name of the loss for reports. */
  lossName: string;
}

// log(1 + e^x) without overflow
const softplus64 = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

export const outputs: Record<Output, OutputFns> = {
  sigmoid: {
    a: (z) => tf.sigmoid(z),
    // L = max(z, 0) - z y + log(1 + e^-|z|)  (= -(y log a + (1-y) log(1-a)), stable)
    lossRows: (z, y) => tf.tidy(() => tf.relu(z).sub(z.mul(y)).add(tf.log1p(tf.exp(tf.abs(z).neg()))).sum(1)),
    loss64: (z, y, o, n) => {
      let L = 0;
      for (let k = 0; k < n; k++) L += softplus64(z[o + k]) - z[o + k] * y[o + k];
      return L;
    },
    lossName: 'binary cross-entropy',
  },
  softmax: {
    a: (z) => tf.softmax(z),
    // L = logsumexp(z) - sum_k y_k z_k  (rows of y sum to 1)
    lossRows: (z, y) => tf.tidy(() => tf.logSumExp(z, 1).sub(z.mul(y).sum(1))),
    loss64: (z, y, o, n) => {
      let max = -Infinity;
      for (let k = 0; k < n; k++) max = Math.max(max, z[o + k]);
      let s = 0, yz = 0;
      for (let k = 0; k < n; k++) {
        s += Math.exp(z[o + k] - max);
        yz += y[o + k] * z[o + k];
      }
      return max + Math.log(s) - yz;
    },
    lossName: 'categorical cross-entropy',
  },
  linear: {
    a: (z) => tf.clone(z),
    // L = 1/2 ||z - y||^2
    lossRows: (z, y) => tf.tidy(() => z.sub(y).square().sum(1).mul(0.5)),
    loss64: (z, y, o, n) => {
      let L = 0;
      for (let k = 0; k < n; k++) L += 0.5 * (z[o + k] - y[o + k]) ** 2;
      return L;
    },
    lossName: 'mean squared error (1/2m sum ||a - y||^2)',
  },
};

/**
 * Checks that Y holds labels the output can produce and returns them as a float [m, nL] tensor
 * (a new tensor the caller disposes). Softmax also takes class indices, shape [m], which become one-hot.
 */
export function labels(output: Output, Y: unknown, m: number, nL: number): Tensor2D {
  if (!(Y instanceof tf.Tensor)) throw invalid('Y', Y, `a tf.Tensor of shape [${m}, ${nL}]`);
  if (Y.isDisposed) throw new GradscopeError('Y', `invalid Y: a disposed tensor of shape [${Y.shape.join(', ')}] (expected a live tensor of shape [${m}, ${nL}])`);
  if (output === 'softmax' && Y.rank === 1) {
    if (Y.shape[0] !== m) throw new GradscopeError('Y', `invalid Y: shape [${Y.shape}] (expected [${m}] class indices or [${m}, ${nL}] one-hot rows, to match X's ${m} rows)`);
    const idx = Y.dataSync();
    for (let i = 0; i < idx.length; i++) {
      if (!Number.isInteger(idx[i]) || idx[i] < 0 || idx[i] >= nL) {
        throw new GradscopeError('Y', `invalid Y: class index ${fmt(idx[i])} at row ${i} (expected an integer in [0, ${nL - 1}] for a softmax over ${nL} classes)`);
      }
    }
    return tf.tidy(() => tf.oneHot(tf.cast(Y, 'int32') as import('@tensorflow/tfjs').Tensor1D, nL).toFloat()) as Tensor2D;
  }
  if (Y.rank !== 2 || Y.shape[0] !== m || Y.shape[1] !== nL) {
    throw new GradscopeError('Y', `invalid Y: shape [${Y.shape.join(', ')}] (expected [${m}, ${nL}]: one row per row of X, one column per output unit)`);
  }
  const y = Y.dataSync();
  for (let i = 0; i < y.length; i++) {
    const [r, c] = [Math.floor(i / nL), i % nL];
    if (!Number.isFinite(y[i])) throw new GradscopeError('Y', `invalid Y: entry [${r}, ${c}] is ${fmt(y[i])} (expected finite numbers)`);
    if (output !== 'linear' && (y[i] < 0 || y[i] > 1)) {
      throw new GradscopeError('Y', `invalid Y: entry [${r}, ${c}] is ${fmt(y[i])} (expected a label in [0, 1] for a ${output} output)`);
    }
  }
  if (output === 'softmax') {
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let c = 0; c < nL; c++) s += y[r * nL + c];
      if (Math.abs(s - 1) > 1e-4) throw new GradscopeError('Y', `invalid Y: row ${r} sums to ${fmt(s)} (expected one-hot or probability rows that sum to 1 for a softmax output)`);
    }
  }
  return tf.cast(Y, 'float32') as Tensor2D;
}
