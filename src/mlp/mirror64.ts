/**
 * The network's forward pass again, in float64 on plain arrays: the loss J(theta) that numerical
 * gradients difference. TensorFlow.js has no float64, and float32 central differences at the
 * seeds' eps = 1e-7 are all round-off; this mirror gives them about 1e-9.
 * Same formulas as Net.forward (z^l = a^(l-1) W^l + b^l, rows are examples), tested to agree with it.
 */
import { activations } from '../nn/activations';
import { outputs } from '../nn/losses';
import type { NetSpec } from './spec';
import type { Tensor2D } from '@tensorflow/tfjs';
import { affine } from '../core/gemm64';

/** The data of one check, copied once out of tf into float64 arrays. */
export interface Batch64 {
  m: number;
  /** X, [m, n0] row-major */
  X: Float64Array;
  /** y, [m, nL] row-major (one-hot for softmax) */
  Y: Float64Array;
  /** D^l / keepProb per hidden layer, [m, n(l)], or undefined (no dropout) */
  D: (Float64Array | undefined)[];
}

/** Copies X, y and the dropout masks (as D / keepProb) into float64. */
export function batch64(spec: NetSpec, X: Tensor2D, y: Tensor2D, D: (Tensor2D | undefined)[] = []): Batch64 {
  return {
    m: X.shape[0],
    X: Float64Array.from(X.dataSync()),
    Y: Float64Array.from(y.dataSync()),
    D: spec.sizes.map((_, l) => (D[l] ? Float64Array.from(D[l]!.dataSync(), (d) => d / spec.keepProb) : undefined)),
  };
}

/** Splits theta into per-layer views W[l] ([n(l-1), n(l)] row-major) and b[l] (index 0 unused). */
export function unpack(spec: NetSpec, theta: Float64Array): { W: Float64Array[]; b: Float64Array[] } {
  const W: Float64Array[] = [new Float64Array(0)];
  const b: Float64Array[] = [new Float64Array(0)];
  let o = 0;
  for (let l = 1; l < spec.sizes.length; l++) {
    const [nIn, nOut] = [spec.sizes[l - 1], spec.sizes[l]];
    W[l] = theta.subarray(o, (o += nIn * nOut));
    b[l] = theta.subarray(o, (o += nOut));
  }
  return { W, b };
}

/** Per-layer values of a float64 forward pass: z[l] and a[l] (a[0] = X). */
export interface Forward64 {
  z: Float64Array[];
  a: Float64Array[];
}

/** The float64 forward pass, keeping every layer (what the fast checker caches); WT: the W^l transposed, when already made. */
export function forward64(spec: NetSpec, theta: Float64Array, batch: Batch64, WT?: Float64Array[]): Forward64 {
  const { sizes, hidden, output, residual } = spec;
  const { W, b } = unpack(spec, theta);
  const L = sizes.length - 1;
  const g = activations[hidden].g64;
  const z: Float64Array[] = [new Float64Array(0)];
  const a: Float64Array[] = [batch.X];
  for (let l = 1; l <= L; l++) {
    z[l] = affine(a[l - 1], W[l], b[l], batch.m, sizes[l - 1], sizes[l], WT?.[l]); // z^l = a^(l-1) W^l + b^l
    if (l === L) break; // the output activation lives inside the loss
    const al = new Float64Array(z[l].length);
    const D = batch.D[l];
    for (let i = 0; i < al.length; i++) {
      let v = g(z[l][i]); // a^l = g(z^l)
      if (D) v *= D[i]; // * D^l / keepProb
      if (residual[l]) v += a[l - 1][i]; // + a^(l-1)
      al[i] = v;
    }
    a[l] = al;
  }
  return { z, a };
}

/** L2 term (lambda / 2m) sum_l ||W^l||^2 in float64. */
export function l2Term(spec: NetSpec, theta: Float64Array, m: number): number {
  if (spec.l2 === 0) return 0;
  const { W } = unpack(spec, theta);
  let sq = 0;
  for (let l = 1; l < W.length; l++) for (const w of W[l]) sq += w * w;
  return (spec.l2 / (2 * m)) * sq;
}

/** Per-example losses L_i from z^L (computed from z, so it stays finite when a saturates). */
export function lossRows64(spec: NetSpec, zL: Float64Array, batch: Batch64): Float64Array {
  const nL = spec.sizes[spec.sizes.length - 1];
  const rows = new Float64Array(batch.m);
  const loss = outputs[spec.output].loss64;
  for (let i = 0; i < batch.m; i++) rows[i] = loss(zL, batch.Y, i * nL, nL);
  return rows;
}

/** J(theta) and its parts: the layers z, the per-example losses L_i and the L2 term, in float64. */
export function cost64(spec: NetSpec, theta: Float64Array, batch: Batch64): { J: number; z: Float64Array[]; rows: Float64Array; l2: number } {
  const { z } = forward64(spec, theta, batch);
  const rows = lossRows64(spec, z[z.length - 1], batch);
  let s = 0;
  for (const r of rows) s += r;
  const l2 = l2Term(spec, theta, batch.m);
  return { J: s / batch.m + l2, z, rows, l2 }; // J = (1/m) sum_i L_i + (lambda/2m) sum ||W||^2
}

/** J(theta) = (1/m) sum_i L_i + (lambda / 2m) sum ||W||^2, in float64. */
export function loss64(spec: NetSpec, theta: Float64Array, batch: Batch64): number {
  return cost64(spec, theta, batch).J;
}

/** Convenience for tests and notebooks: J in float64 for a net's current parameters. */
export function netLoss64(net: { spec: NetSpec; toVector(): Float64Array }, X: Tensor2D, y: Tensor2D, D: (Tensor2D | undefined)[] = []): number {
  return loss64(net.spec, net.toVector(), batch64(net.spec, X, y, D));
}
