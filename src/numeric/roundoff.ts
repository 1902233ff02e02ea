/**
 * How much float32 round-off a correct backward pass can leave in each gradient entry.
 *
 * A float32 backward pass forms delta^L = a^L - y, which cancels when the net fits its batch
 * (a^L ~ y): the difference keeps the absolute error of |a^L| and |y|, not of the small result.
 * Every later product and sum carries that absolute error along. So the bound runs the seeds'
 * backward pass once more in float64 with every quantity replaced by its magnitude:
 *   E^L = |a^L| + |y|
 *   |dW^l| <= |a^(l-1)|^T E^l / m + (lambda / m) |W^l|,   |db^l| <= sum_r E^l_r / m
 *   E_a^(l-1) = E^l |W^l|^T  (+ E_a^l through a residual skip)
 *   E^(l-1) = E_a^(l-1) * |D^(l-1)| / keepProb * |g'(z^(l-1))|
 * and a correct float32 gradient entry k is within about ATOL_FACTOR * u32 * mag_k of the truth
 * (u32 = 2^-24; the factor covers the few roundings per term). It does not depend on the
 * backward being checked, which is a black box: it bounds what any correct one can do.
 */
import { LEAKY_SLOPE } from '../activations';
import type { Base64 } from './propagate';

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

/** |g'(z)| in float64 for the hidden activation, from the base pass's z. */
function dgAbs(hidden: string, z: number): number {
  switch (hidden) {
    case 'sigmoid': { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s); }
    case 'tanh': return 1 - Math.tanh(z) ** 2;
    case 'relu': return z >= 0 ? 1 : 0; // both one-sided derivatives at 0: the larger bound
    case 'leakyRelu': return z >= 0 ? 1 : LEAKY_SLOPE;
    default: return 1;
  }
}

/**
 * mag: the size of the terms each entry of theta's gradient sums, in theta's order (see the module
 * comment), from the float64 base pass of a check.
 *
 * @example
 * ```ts
 * const mag = magnitudes64(base64(net.spec, theta, batch));
 * const atol = mag.map((x) => ATOL_FACTOR * U32 * x);
 * ```
 */
export function magnitudes64(B: Base64): Float64Array {
  const { spec, batch, n, L, m, W, z, a, P } = B;
  const out = new Float64Array(n.reduce((s, k, l) => (l === 0 ? 0 : s + n[l - 1] * k + k), 0));
  const offsets: number[] = [0];
  for (let l = 1, o = 0; l <= L; l++) { offsets[l] = o; o += n[l - 1] * n[l] + n[l]; }
  // E^L = |a^L| + |y|
  let E = new Float64Array(m * n[L]);
  for (let i = 0; i < E.length; i++) E[i] = Math.abs(spec.output === 'linear' ? z[L][i] : P[i]) + Math.abs(batch.Y[i]);
  let Ea: Float64Array | undefined; // E_a^l, kept for a residual skip
  for (let l = L; l >= 1; l--) {
    const nIn = n[l - 1], nOut = n[l], o = offsets[l], prev = a[l - 1];
    for (let i = 0; i < nIn; i++) {
      for (let r = 0; r < m; r++) {
        const x = Math.abs(prev[r * nIn + i]);
        if (x === 0) continue;
        for (let c = 0; c < nOut; c++) out[o + i * nOut + c] += (x * E[r * nOut + c]) / m;
      }
    }
    if (spec.l2 > 0) for (let k = 0; k < nIn * nOut; k++) out[o + k] += (spec.l2 / m) * Math.abs(W[l][k]);
    for (let r = 0; r < m; r++) for (let c = 0; c < nOut; c++) out[o + nIn * nOut + c] += E[r * nOut + c] / m;
    if (l === 1) break;
    const next = new Float64Array(m * nIn); // E_a^(l-1) = E^l |W^l|^T (+ E_a^l)
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < nIn; i++) {
        let s = 0;
        for (let c = 0; c < nOut; c++) s += E[r * nOut + c] * Math.abs(W[l][i * nOut + c]);
        next[r * nIn + i] = s + (spec.residual[l] && Ea ? Ea[r * nIn + i] : 0);
      }
    }
    Ea = next;
    const D = batch.D[l - 1];
    E = new Float64Array(m * nIn);
    for (let k = 0; k < E.length; k++) E[k] = next[k] * (D ? Math.abs(D[k]) : 1) * dgAbs(spec.hidden, z[l - 1][k]);
  }
  return out;
}
