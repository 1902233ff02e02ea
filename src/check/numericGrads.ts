/**
 * gs.numericGrads: the seeds' d theta_approx itself, by block, from a family's exact paths (the MLP's).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { invalid, knownKeys, number, oneOf } from '../core/errors';
import { loopPaths } from './loop64';
import { isModel, type Model } from '../nn/model';
import { FLOAT32_EPS, MIN_EPS } from './eps';
import type { Precision } from './report';

/** The numerical gradient itself, by block (see {@link numericGrads}). */
export interface NumericGrads {
  /** d theta_approx in theta's order (the seeds' gradapprox): W1 row-major, b1, W2, ... */
  vector: Float64Array;
  /** The same by gradient name, each block row-major: `{ dW1, db1, ... }`. */
  grads: Record<string, Float64Array>;
  /** 1 where theta +- eps moved a relu pre-activation across 0 (the entry is not a derivative there). */
  kinks: Uint8Array;
  /** The step the differences used. */
  eps: number;
  /** The precision the loss was evaluated in. */
  precision: Precision;
}

/**
 * The seeds' d theta_approx: central differences (J(theta + eps e_i) - J(theta - eps e_i)) / 2 eps of
 * every parameter, in float64 by the mirror of the forward pass (default) or in float32 on tf, with
 * dropout masks drawn from `seed` and held fixed as gradCheck does. Synchronous; leaves
 * tf.memory().numTensors unchanged.
 *
 * @example
 * ```ts
 * const approx = gs.numericGrads(net, X, Y);         // float64, eps 1e-7
 * approx.grads.dW1;                                  // Float64Array, W1's shape row-major
 * gs.relativeError(net.gradsToVector(grads), approx.vector);
 * ```
 */
export function numericGrads(net: Model<any>, X: Tensor, Y: Tensor, options: { eps?: number; precision?: Precision; seed?: number } = {}): NumericGrads { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!isModel(net) || typeof net.exactPaths !== 'function') throw invalid('net', net, 'a network from gs.mlp(...)');
  knownKeys('options', options, ['eps', 'precision', 'seed']);
  const { precision = 'float64', seed = 0 } = options ?? {};
  oneOf('precision', precision, ['float64', 'float32']);
  const eps = number('eps', options.eps ?? (precision === 'float64' ? 1e-7 : FLOAT32_EPS), { min: MIN_EPS[precision], max: 1 });
  number('seed', seed, { integer: true });
  const paths = net.exactPaths(X, Y, { seed, precision, autograd: false, notes: [] }) ?? loopPaths(net, X, Y, { seed, precision, autograd: true, notes: [] });
  try {
    const num = paths.entries(undefined, eps, () => undefined);
    const grads: Record<string, Float64Array> = {};
    for (const b of net.blocks) grads[b.grad] = num.values.slice(b.offset, b.offset + b.size);
    return { vector: num.values, grads, kinks: num.kinks, eps, precision };
  } finally {
    paths.dispose();
  }
}
