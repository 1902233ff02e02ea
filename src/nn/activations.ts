/**
 * Hidden-layer activations g and their derivatives g', side by side, once on tf tensors
 * (what the network and the hand-written backward use) and once on float64 numbers (the mirror).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { oneOf } from '../core/errors';

/**
 * The hidden-layer activations g, by name: sigmoid g = 1 / (1 + e^-z); tanh; relu g = max(0, z);
 * leakyRelu g = z for z > 0, else 0.01 z; linear g = z. relu and leakyRelu have a kink at z = 0,
 * where a finite difference is not a derivative (gradCheck compares such entries with autograd).
 *
 * @example
 * ```ts
 * gs.ACTIVATIONS;   // ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear']
 * ```
 */
export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear'] as const;
/** One of {@link ACTIVATIONS}: the `hidden` option of {@link mlp} (and, tanh or relu, of {@link rnn}). */
export type Activation = (typeof ACTIVATIONS)[number];

/** Slope of leakyRelu for z < 0. */
export const LEAKY_SLOPE = 0.01;

export interface ActivationFns {
  /** a = g(z) */
  g(z: Tensor): Tensor;
  /**
   * g'(z). Where g has a kink, g'(0) is tf's choice, the left derivative (relu: 0); `right: true`
   * gives the right one (relu: 1, the `z >= 0` a student may write). Both are valid subgradients.
   */
  dg(z: Tensor, right?: boolean): Tensor;
  /** g(z) in float64 */
  g64(z: number): number;
  /** g'(z) in float64 */
  dg64(z: number): number;
  /** True where g' jumps at z = 0 (relu, leakyRelu): finite differences across it are not derivatives. */
  kink: boolean;
}

/** sigmoid(z) in float64 without overflow: 1 / (1 + e^-z), or e^z / (1 + e^z) for z < 0. */
export const sigmoid64 = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export const activations: Record<Activation, ActivationFns> = {
  // g = 1 / (1 + e^-z),  g' = g (1 - g)
  sigmoid: {
    g: (z) => tf.sigmoid(z),
    dg: (z) => tf.tidy(() => { const s = tf.sigmoid(z); return s.mul(tf.scalar(1).sub(s)); }),
    g64: sigmoid64,
    dg64: (z) => { const s = sigmoid64(z); return s * (1 - s); },
    kink: false,
  },
  // g = tanh z,  g' = 1 - g^2
  tanh: {
    g: (z) => tf.tanh(z),
    dg: (z) => tf.tidy(() => tf.scalar(1).sub(tf.tanh(z).square())),
    g64: Math.tanh,
    dg64: (z) => 1 - Math.tanh(z) ** 2,
    kink: false,
  },
  // g = max(0, z),  g' = 1 if z > 0 else 0
  relu: {
    g: (z) => tf.relu(z),
    dg: (z, right = false) => tf.tidy(() => tf.cast(right ? tf.greaterEqual(z, 0) : tf.greater(z, 0), 'float32')),
    g64: (z) => (z > 0 ? z : 0),
    dg64: (z) => (z > 0 ? 1 : 0),
    kink: true,
  },
  // g = z if z > 0 else 0.01 z,  g' = 1 if z > 0 else 0.01
  leakyRelu: {
    g: (z) => tf.leakyRelu(z, LEAKY_SLOPE),
    dg: (z, right = false) => tf.tidy(() => tf.where(right ? tf.greaterEqual(z, 0) : tf.greater(z, 0), tf.onesLike(z), tf.fill(z.shape, LEAKY_SLOPE))),
    g64: (z) => (z > 0 ? z : LEAKY_SLOPE * z),
    dg64: (z) => (z > 0 ? 1 : LEAKY_SLOPE),
    kink: true,
  },
  // g = z,  g' = 1
  linear: {
    g: (z) => tf.clone(z),
    dg: (z) => tf.onesLike(z),
    g64: (z) => z,
    dg64: () => 1,
    kink: false,
  },
};

export function activation(name: string, value: unknown): Activation {
  return oneOf(name, value, ACTIVATIONS);
}
