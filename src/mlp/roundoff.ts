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
import { LEAKY_SLOPE } from '../nn/activations';
import type { Base64 } from './propagate';
import { ATOL_FACTOR, U32, type DirectionPart } from '../nn/numeric';
import { times } from '../core/gemm64';

export { ATOL_FACTOR, U32 };

/** |g'(z)| in float64 for each hidden activation (relu: both one-sided derivatives at 0, the larger bound). */
const dgAbs: Record<string, (z: number) => number> = {
  sigmoid: (z) => { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s); },
  tanh: (z) => 1 - Math.tanh(z) ** 2,
  relu: (z) => (z >= 0 ? 1 : 0),
  leakyRelu: (z) => (z >= 0 ? 1 : LEAKY_SLOPE),
  linear: () => 1,
};

/** Calls visit(l, E^l) for l = L, ..., 1, with E^l [m, n_l] row-major as in the module comment. */
function errorRows(B: Base64, visit: (l: number, E: Float64Array) => void): void {
  const { spec, batch, n, L, m, W, z, P } = B;
  // E^L = |a^L| + |y|
  let E = new Float64Array(m * n[L]);
  for (let i = 0; i < E.length; i++) E[i] = Math.abs(spec.output === 'linear' ? z[L][i] : P[i]) + Math.abs(batch.Y[i]);
  let Ea: Float64Array | undefined; // E_a^l, kept for a residual skip
  const slope = dgAbs[spec.hidden];
  for (let l = L; l >= 1; l--) {
    visit(l, E);
    if (l === 1) break;
    const nIn = n[l - 1], nOut = n[l];
    const absW = W[l].map(Math.abs);
    // E_a^(l-1) = E^l |W^l|^T (+ E_a^l): |W^l| [nIn, nOut] row-major is that product's W transposed
    const next = times(E, m, nOut, nIn, undefined, absW);
    if (spec.residual[l] && Ea) for (let k = 0; k < next.length; k++) next[k] += Ea[k];
    Ea = next;
    // E^(l-1) = E_a^(l-1) |D| |g'(z^(l-1))|
    const D = batch.D[l - 1], zl = z[l - 1];
    E = new Float64Array(m * nIn);
    for (let k = 0; k < E.length; k++) E[k] = next[k] * (D ? Math.abs(D[k]) : 1) * slope(zl[k]);
  }
}

/**
 * mag: the size of the terms each entry of theta's gradient sums, in theta's order (see the module
 * comment), from the float64 base pass of a check.
 *
 * @example
 * ```ts
 * const mag = magnitudes64(base64(net.spec, theta, batch));
 * const atol = mag.map((x) => ATOL_FACTOR * 2 ** -24 * x);
 * ```
 */
export function magnitudes64(B: Base64): Float64Array {
  const { spec, n, L, m, W, a } = B;
  const out = new Float64Array(n.reduce((s, k, l) => (l === 0 ? 0 : s + n[l - 1] * k + k), 0));
  const offsets: number[] = [0];
  for (let l = 1, o = 0; l <= L; l++) { offsets[l] = o; o += n[l - 1] * n[l] + n[l]; }
  errorRows(B, (l, E) => {
    const nIn = n[l - 1], nOut = n[l], o = offsets[l], ob = o + nIn * nOut, prev = a[l - 1];
    for (let r = 0; r < m; r++) { // |dW^l| += |a^(l-1)_r|^T E^l_r / m and |db^l| += E^l_r / m, one example at a time
      const er = r * nOut;
      for (let i = 0; i < nIn; i++) {
        const x = Math.abs(prev[r * nIn + i]);
        if (x === 0) continue;
        const row = o + i * nOut;
        for (let c = 0; c < nOut; c++) out[row + c] += (x * E[er + c]) / m;
      }
      for (let c = 0; c < nOut; c++) out[ob + c] += E[er + c] / m;
    }
    if (spec.l2 > 0) for (let k = 0; k < nIn * nOut; k++) out[o + k] += (spec.l2 / m) * Math.abs(W[l][k]);
  });
  return out;
}

/**
 * sum_e |v_e| mag_e (see {@link magnitudes64}) for each block's part of a direction, in layout order
 * (W1, b1, W2, ...), without forming mag: a W^l part must be rank one, V = alpha beta^T, so
 *   sum_(i,c) |alpha_i| |beta_c| |dW^l|_(i,c) = (1/m) sum_r (|a^(l-1)_r| . |alpha|) (E^l_r . |beta|)  (+ (lambda/m) |alpha|^T |W^l| |beta|),
 * and a b^l part any v: sum_c |v_c| (1/m) sum_r E^l[r, c]. The round-off bound along the part is
 * ATOL_FACTOR u32 times this.
 *
 * @example
 * ```ts
 * const along = alongMagnitudes64(base64(net.spec, theta, batch), parts); // parts[0]: { v, alpha, beta } of W1
 * ```
 */
export function alongMagnitudes64(B: Base64, parts: DirectionPart[]): Float64Array {
  const { spec, n, L, m, W, a } = B;
  const out = new Float64Array(2 * L);
  errorRows(B, (l, E) => {
    const nIn = n[l - 1], nOut = n[l], prev = a[l - 1];
    const { alpha, beta } = parts[2 * (l - 1)], vb = parts[2 * l - 1].v;
    if (!alpha || !beta) throw new Error(`alongMagnitudes64: the W${l} part must be rank one (alpha, beta)`);
    let sW = 0, sb = 0;
    for (let r = 0; r < m; r++) {
      let ra = 0, re = 0;
      for (let i = 0; i < nIn; i++) ra += Math.abs(prev[r * nIn + i] * alpha[i]);
      for (let c = 0; c < nOut; c++) { const e = E[r * nOut + c]; re += e * Math.abs(beta[c]); sb += e * Math.abs(vb[c]); }
      sW += ra * re;
    }
    let l2 = 0;
    if (spec.l2 > 0) {
      for (let i = 0; i < nIn; i++) { let q = 0; for (let c = 0; c < nOut; c++) q += Math.abs(W[l][i * nOut + c] * beta[c]); l2 += Math.abs(alpha[i]) * q; }
      l2 *= spec.l2 / m;
    }
    out[2 * (l - 1)] = sW / m + l2;
    out[2 * l - 1] = sb / m;
  });
  return out;
}
