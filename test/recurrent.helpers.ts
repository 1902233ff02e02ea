/**
 * Shared by the recurrent tests: the seeds' float64 central-difference loop over a model's mirror64
 * (perturb one entry of theta, re-run the whole float64 forward pass), and per-block relative errors.
 */
import * as gs from '../src/index';
import type { Model, Grads, ModelCache } from '../src/nn/model';
import { tfSeed } from './bugs';

const { tf } = gs;

export interface Numeric {
  /** dJ/dtheta by central differences in float64. */
  grad: Float64Array;
  /** Entries whose +-eps perturbation flipped a relu sign (not derivatives there). */
  kinks: Set<number>;
}

/** (J(theta + eps e_i) - J(theta - eps e_i)) / 2 eps for every i, on the float64 mirror of `cache`'s batch. */
export function numericGrad<C extends ModelCache>(net: Model<C>, X: gs.tf.Tensor, y: gs.tf.Tensor, cache: C, eps = 1e-6): Numeric {
  const J = net.mirror64(X, y, cache);
  const theta = net.toVector();
  const grad = new Float64Array(theta.length);
  const kinks = new Set<number>();
  const base = J(theta).signs;
  for (let i = 0; i < theta.length; i++) {
    const t = theta[i];
    theta[i] = t + eps;
    const plus = J(theta);
    theta[i] = t - eps;
    const minus = J(theta);
    theta[i] = t;
    grad[i] = (plus.J - minus.J) / (2 * eps);
    if (base && (differ(base, plus.signs!) || differ(base, minus.signs!))) kinks.add(i);
  }
  return { grad, kinks };
}

function differ(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}

/** ||a - b|| / (||a|| + ||b||) over the entries of [from, to) not in `skip` (0 when both are 0). */
export function relErr(a: Float64Array, b: Float64Array, from = 0, to = a.length, skip: Set<number> = new Set()): number {
  let d = 0, na = 0, nb = 0;
  for (let i = from; i < to; i++) {
    if (skip.has(i)) continue;
    d += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  const den = Math.sqrt(na) + Math.sqrt(nb);
  return den === 0 ? 0 : Math.sqrt(d) / den;
}

/** Relative error per gradient block (dWa, dba, ...) of `grads` against the float64 numbers. */
export function blockErrors(net: Model, grads: Grads, num: Numeric): Record<string, number> {
  const v = net.gradsToVector(grads);
  const out: Record<string, number> = {};
  for (const b of net.blocks) out[b.grad] = relErr(v, num.grad, b.offset, b.offset + b.size, num.kinks);
  return out;
}

/** Hand (net.backward, or a planted step), autograd and float64 numbers of one batch; frees every tensor. */
export function threeWay(
  net: Model & { backward(cache: any, y: gs.tf.Tensor, step?: any): Grads },
  X: gs.tf.Tensor, Y: gs.tf.Tensor, options: { step?: unknown; state?: object; eps?: number } = {},
): { hand: Float64Array; auto: Float64Array; num: Numeric; blocks: Record<string, number>; autoBlocks: Record<string, number> } {
  const y = net.labels(Y, X);
  const { cache, grads } = (net as any).forwardAndAutograd(X, y, options.state ?? {});
  try {
    const handGrads = options.step ? net.backward(cache, y, options.step) : net.backward(cache, y);
    const hand = net.gradsToVector(handGrads);
    const auto = net.gradsToVector(grads);
    const num = numericGrad(net, X, y, cache, options.eps);
    const blocks = blockErrors(net, handGrads, num);
    const autoBlocks = blockErrors(net, grads, num);
    tf.dispose(handGrads);
    return { hand, auto, num, blocks, autoBlocks };
  } finally {
    tf.dispose([y, grads] as never);
    cache.dispose();
  }
}

/** Seeded inputs [m, T, nx] and labels for an output layer. */
export function data(m: number, T: number, nx: number, ny: number, output: 'sigmoid' | 'softmax' | 'linear', outputs: 'last' | 'every', seed = 1): { X: gs.tf.Tensor; Y: gs.tf.Tensor } {
  const X = tf.randomNormal([m, T, nx], 0, 1, 'float32', tfSeed(seed));
  const shape = outputs === 'last' ? [m, ny] : [m, T, ny];
  const Y = tf.tidy(() => {
    if (output === 'linear') return tf.randomNormal(shape, 0, 1, 'float32', seed + 1);
    if (output === 'sigmoid') return tf.randomUniform(shape, 0, 1, 'float32', seed + 1).round();
    const idx = tf.randomUniform(shape.slice(0, -1), 0, ny, 'float32', seed + 1).floor().minimum(ny - 1).toInt();
    return tf.oneHot(idx as gs.tf.Tensor1D, ny).toFloat();
  });
  return { X, Y };
}
