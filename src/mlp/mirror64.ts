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

/**
 * z = a W + b for a [m, nIn], W [nIn, nOut]: the float64 matrix product,
 *   z[i, k] = b[k] + sum_j a[i, j] W[j, k],
 * as dot products of a's rows with W's columns (WT: W transposed, made here unless given), two rows
 * by four columns at a time.
 */
export function affine(a: Float64Array, W: Float64Array, b: Float64Array, m: number, nIn: number, nOut: number, WT = transpose(W, nIn, nOut)): Float64Array {
  const z = new Float64Array(m * nOut);
  // two rows of a against four columns of W at a time: eight sums in registers, six loads per eight products
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const p0 = i * nIn, p1 = p0 + nIn, o0 = i * nOut, o1 = o0 + nOut;
    let k = 0;
    for (; k + 3 < nOut; k += 4) {
      const q0 = k * nIn, q1 = q0 + nIn, q2 = q1 + nIn, q3 = q2 + nIn;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let j = 0; j < nIn; j++) {
        const x0 = a[p0 + j], x1 = a[p1 + j], w0 = WT[q0 + j], w1 = WT[q1 + j], w2 = WT[q2 + j], w3 = WT[q3 + j];
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
      }
      z[o0 + k] = b[k] + s00; z[o0 + k + 1] = b[k + 1] + s01; z[o0 + k + 2] = b[k + 2] + s02; z[o0 + k + 3] = b[k + 3] + s03;
      z[o1 + k] = b[k] + s10; z[o1 + k + 1] = b[k + 1] + s11; z[o1 + k + 2] = b[k + 2] + s12; z[o1 + k + 3] = b[k + 3] + s13;
    }
    for (; k < nOut; k++) {
      z[o0 + k] = b[k] + dot(a, p0, WT, k * nIn, nIn);
      z[o1 + k] = b[k] + dot(a, p1, WT, k * nIn, nIn);
    }
  }
  for (; i < m; i++) for (let k = 0; k < nOut; k++) z[i * nOut + k] = b[k] + dot(a, i * nIn, WT, k * nIn, nIn);
  return z;
}

/** The transpose of a row-major [rows, cols] matrix, row-major [cols, rows]. */
export function transpose(w: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(w.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = w[i * cols + j];
  return t;
}

/** sum_j x[p + j] y[q + j] for j < n, in four interleaved partial sums (the loop JS runs fastest). */
export function dot(x: Float64Array, p: number, y: Float64Array, q: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += x[p + j] * y[q + j];
    s1 += x[p + j + 1] * y[q + j + 1];
    s2 += x[p + j + 2] * y[q + j + 2];
    s3 += x[p + j + 3] * y[q + j + 3];
  }
  for (; j < n; j++) s0 += x[p + j] * y[q + j];
  return s0 + s1 + (s2 + s3);
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
