/**
 * Seeded random correct architectures for the gradient-check tests and the float32-floor
 * measurements: depth 1-6, every activation, output and init, residual skips, dropout and l2.
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import * as gs from '../src/index';
import { labelsFor, tfSeed } from './bugs';

const { tf } = gs;

export interface RandomCase {
  label: string;
  net: gs.Net;
  X: Tensor2D;
  Y: Tensor2D;
  dispose(): void;
}

/** Case number `i`: a small random net and batch, the same for the same i. */
export function randomCase(i: number): RandomCase {
  const r = gs_rng(1000 + i);
  const pick = <T>(xs: readonly T[]): T => xs[r.int(xs.length)];
  const depth = 1 + (i % 6);
  const hidden = gs.ACTIVATIONS[i % 5];
  const output = gs.OUTPUTS[Math.floor(i / 5) % 3];
  const inits: gs.Init[] = ['zeros', 'small', 'uniform', 'lecun', 'xavier', 'he', 'orthogonal', { gain: 1.5 }, { identity: 0.9 }];
  const init = inits[Math.floor(i / 3) % inits.length];
  const square = typeof init === 'object' && 'identity' in init;
  const w = 2 + r.int(5);
  const sizes = square ? Array.from({ length: depth + 1 }, () => Math.max(w, 2)) : Array.from({ length: depth + 1 }, () => 2 + r.int(5));
  if (output === 'softmax') sizes[depth] = Math.max(2, sizes[depth]);
  if (!square && r.uniform() < 0.5) for (let l = 2; l < depth; l++) sizes[l] = sizes[l - 1]; // room for residual skips
  const residual = r.uniform() < 0.4;
  const keepProb = r.uniform() < 0.3 ? pick([0.5, 0.8]) : 1;
  const l2 = r.uniform() < 0.3 ? pick([0.01, 0.3]) : 0;
  const m = 3 + r.int(6);
  const net = gs.mlp({ sizes, hidden, output, init, seed: i, residual, keepProb, l2 });
  const X = tf.randomNormal([m, sizes[0]], 0, 1, 'float32', tfSeed(i)) as Tensor2D;
  const Y = labelsFor(output, m, sizes[depth], i);
  return { label: `#${i} ${net.toString()}, m ${m}`, net, X, Y, dispose: () => { net.dispose(); tf.dispose([X, Y]); } };
}

// the package's seeded generator (not re-exported from the index)
import { rng as gs_rng } from '../src/core/random';
