/**
 * Differences g(z + d) - g(z) and L(z + d) - L(z) written so that they keep full float64 precision
 * when d is tiny (d ~ eps = 1e-7). Subtracting two computed values would lose about
 * u * |g(z)| / |d| ~ 1e-9 of the result to cancellation; these forms lose only a few ulps of it,
 * so a central difference built from them carries almost no round-off. Each is the same function
 * as activations.g64 / losses.loss64, rearranged with an exact identity (tests compare them).
 */
import type { Activation } from '../nn/activations';
import { LEAKY_SLOPE } from '../nn/activations';
import type { Output } from '../nn/losses';

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * Activation kinds as small integers, for the switch in {@link dgAt}.
 *
 * @example
 * ```ts
 * dgAt(KIND.relu, 0.5, 0, 0, 1e-7); // 1e-7
 * ```
 */
export const KIND: Record<Activation, number> = { sigmoid: 0, tanh: 1, relu: 2, leakyRelu: 3, linear: 4 };

/**
 * Per-unit constants of the base pass that make {@link dgAt} cheap:
 * tanh: p1 = tanh z, p2 = sech^2 z;  sigmoid: p1 = s(-z) = 1 - s(z), p2 = s(z) s(-z).
 *
 * @example
 * ```ts
 * const [p1, p2] = deltaConstants('tanh', z1); // z1: a Float64Array of pre-activations
 * ```
 */
export function deltaConstants(hidden: Activation, z: Float64Array): [Float64Array, Float64Array] {
  const p1 = new Float64Array(z.length), p2 = new Float64Array(z.length);
  if (hidden === 'tanh') {
    for (let i = 0; i < z.length; i++) {
      p1[i] = Math.tanh(z[i]);
      const c = Math.cosh(z[i]);
      p2[i] = 1 / (c * c); // sech^2 z = 1 - tanh^2 z, without the cancellation
    }
  } else if (hidden === 'sigmoid') {
    for (let i = 0; i < z.length; i++) {
      p1[i] = sigmoid(-z[i]);
      p2[i] = sigmoid(z[i]) * p1[i];
    }
  }
  return [p1, p2];
}

/**
 * dg = g(z + d) - g(z) for a unit with pre-activation z and constants p1, p2 from {@link deltaConstants}.
 *
 * @example
 * ```ts
 * dgAt(KIND.tanh, z, Math.tanh(z), 1 / Math.cosh(z) ** 2, 1e-7); // = tanh(z + 1e-7) - tanh(z), to a few ulps
 * ```
 */
export function dgAt(kind: number, z: number, p1: number, p2: number, d: number): number {
  switch (kind) {
    case 0: {
      // s(z + d) - s(z) = -s(z) s(-z) E / (1 + s(-z) E),  E = e^-d - 1
      const E = Math.abs(d) < 1e-5 ? -d * (1 - (d / 2) * (1 - (d / 3) * (1 - d / 4))) : Math.expm1(-d); // series: error < d^5/120
      return (-p2 * E) / (1 + p1 * E);
    }
    case 1: {
      // tanh(z + d) - tanh z = T sech^2 z / (1 + T tanh z),  T = tanh d   (addition formula)
      const T = Math.abs(d) < 1e-5 ? d * (1 - (d * d) / 3) : Math.tanh(d); // series: error < 2 d^5/15
      return (T * p2) / (1 + p1 * T);
    }
    case 2: {
      // max(0, z + d) - max(0, z)
      const z2 = z + d;
      return z > 0 ? (z2 > 0 ? d : -z) : z2 > 0 ? z2 : 0;
    }
    case 3: {
      // slope 1 for z > 0, LEAKY_SLOPE for z <= 0
      const z2 = z + d;
      if (z > 0) return z2 > 0 ? d : LEAKY_SLOPE * z2 - z;
      return z2 > 0 ? z2 - LEAKY_SLOPE * z : LEAKY_SLOPE * d;
    }
    default:
      return d; // linear
  }
}

/**
 * Per-example loss change L(z + d) - L(z) for one row of z^L (d dense over the nL units, index k;
 * z, y and the base constant `P` at offset o + k). P is softmax(z) or sigmoid(z), see {@link lossBase}.
 */
export type LossDelta = (z: Float64Array, d: Float64Array, y: Float64Array, P: Float64Array, o: number, n: number) => number;

/**
 * The loss changes by output, see {@link LossDelta}.
 *
 * @example
 * ```ts
 * lossDeltas.linear(z, d, y, new Float64Array(0), 0, nL); // sum_k d_k (z_k - y_k + d_k / 2)
 * ```
 */
export const lossDeltas: Record<Output, LossDelta> = {
  // sum_k softplus(z_k + d_k) - softplus(z_k) - y_k d_k,   softplus(z + d) - softplus(z) = log1p(s(z) expm1(d))
  sigmoid: (_z, d, y, s, o, n) => {
    let L = 0;
    for (let k = 0; k < n; k++) {
      const dk = d[k];
      if (dk !== 0) L += Math.log1p(s[o + k] * Math.expm1(dk)) - y[o + k] * dk;
    }
    return L;
  },
  // logsumexp(z + d) - logsumexp(z) - y.d = log1p(sum_k p_k expm1(d_k)) - y.d
  softmax: (_z, d, y, p, o, n) => {
    let s = 0, yd = 0;
    for (let k = 0; k < n; k++) {
      const dk = d[k];
      if (dk === 0) continue;
      s += p[o + k] * Math.expm1(dk);
      yd += y[o + k] * dk;
    }
    return Math.log1p(s) - yd;
  },
  // 1/2 ||z + d - y||^2 - 1/2 ||z - y||^2 = sum_k d_k (z_k - y_k + d_k / 2)
  linear: (z, d, y, _P, o, n) => {
    let L = 0;
    for (let k = 0; k < n; k++) {
      const dk = d[k];
      if (dk !== 0) L += dk * (z[o + k] - y[o + k] + dk / 2);
    }
    return L;
  },
};

/**
 * What each loss delta needs from the base pass: p = softmax(z^L) or s = sigmoid(z^L), [m, nL] row-major.
 *
 * @example
 * ```ts
 * const P = lossBase('softmax', zL, m, nL);
 * ```
 */
export function lossBase(output: Output, zL: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(zL.length);
  if (output === 'sigmoid') for (let i = 0; i < zL.length; i++) out[i] = sigmoid(zL[i]);
  if (output === 'softmax') {
    for (let r = 0; r < m; r++) {
      const o = r * n;
      let max = -Infinity, s = 0;
      for (let k = 0; k < n; k++) max = Math.max(max, zL[o + k]);
      for (let k = 0; k < n; k++) s += (out[o + k] = Math.exp(zL[o + k] - max));
      for (let k = 0; k < n; k++) out[o + k] /= s;
    }
  }
  return out;
}
