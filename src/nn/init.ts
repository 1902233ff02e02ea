/**
 * Weight initialisations (seeds 000-003). Each draws W^l of shape [n_in, n_out] from a seeded
 * generator; biases start at zero.
 *
 * | init | draw | Var(W) |
 * |---|---|---|
 * | zeros | 0 | 0 |
 * | small | 0.01 * randn | 1e-4 |
 * | uniform | U[-1/sqrt(n_in), 1/sqrt(n_in)] | 1/(3 n_in) |
 * | lecun | randn * sqrt(1/n_in) | 1/n_in |
 * | xavier | randn * sqrt(2/(n_in+n_out)) | 2/(n_in+n_out) (Glorot 2010) |
 * | he | randn * sqrt(2/n_in) | 2/n_in (He 2015) |
 * | orthogonal | a random orthogonal matrix (QR of randn) | 1/n_out |
 * | { gain: K } | randn * K/sqrt(n_in) | K^2/n_in |
 * | { identity: c } | c * I (square layers) | - |
 */
import { GradscopeError, invalid, number } from '../core/errors';
import type { Rng } from '../core/random';
import { checkWork } from '../core/limits';

/**
 * The named weight initialisations (the `init` option of {@link mlp}, {@link rnn}, {@link lstm},
 * {@link depthSweep}): each draws W^l of shape [n_in, n_out] from a seeded generator, biases start
 * at 0. zeros: 0; small: 0.01 randn (Var 1e-4); uniform: U[-1/sqrt(n_in), 1/sqrt(n_in)]
 * (Var 1/(3 n_in)); lecun: Var 1/n_in; xavier: Var 2/(n_in + n_out) (Glorot 2010); he: Var 2/n_in
 * (He 2015); orthogonal: a random orthogonal matrix (QR of randn).
 *
 * @example
 * ```ts
 * gs.INIT_NAMES;   // ['zeros', 'small', 'uniform', 'lecun', 'xavier', 'he', 'orthogonal']
 * ```
 */
export const INIT_NAMES = ['zeros', 'small', 'uniform', 'lecun', 'xavier', 'he', 'orthogonal'] as const;
/** One of {@link INIT_NAMES}. */
export type InitName = (typeof INIT_NAMES)[number];
/** An initialisation: a name, `{ gain: K }` (std K/sqrt(n_in)) or `{ identity: c }` (W = c I). */
export type Init = InitName | {
  /** K: W = K randn / sqrt(n_in), so Var(W) = K^2 / n_in (K = sqrt(2) is He's). */
  gain: number;
} | {
  /** c: W = c I, for square layers only (deep linear nets: W = 1.1 I explodes, 0.9 I vanishes). */
  identity: number;
};

/** Validates an init option. */
export function normalizeInit(name: string, value: unknown): Init {
  if (typeof value === 'string' && (INIT_NAMES as readonly string[]).includes(value)) return value as InitName;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'gain') return { gain: number(`${name}.gain`, o.gain) };
    if (keys.length === 1 && keys[0] === 'identity') return { identity: number(`${name}.identity`, o.identity) };
  }
  throw invalid(name, value, `one of ${INIT_NAMES.join(', ')}, { gain: K } or { identity: c }`);
}

/** A short label for charts and tables: 'he', 'gain 1.5', 'identity 0.8'. */
export function initLabel(init: Init): string {
  if (typeof init === 'string') return init;
  return 'gain' in init ? `gain ${init.gain}` : `identity ${init.identity}`;
}

/**
 * The variance of the entries of W that `init` draws from for a layer of nIn inputs and nOut
 * outputs: 0 (zeros), 1e-4 (small), 1/(3 nIn) (uniform), 1/nIn (lecun), 2/(nIn + nOut) (xavier),
 * 2/nIn (he), K^2/nIn (`{ gain: K }`), 1/max(nIn, nOut) (orthogonal: the mean square of its
 * entries); NaN for `{ identity: c }`, which is not random.
 *
 * @example
 * ```ts
 * gs.initVariance('he', 256, 256);       // 0.0078125 = 2 / 256
 * gs.initVariance('xavier', 100, 300);   // 0.005 = 2 / (100 + 300)
 * gs.initVariance({ gain: 3 }, 9, 1);    // 1 = 3^2 / 9
 * ```
 */
export function initVariance(init: Init, nIn: number, nOut: number): number {
  if (typeof init !== 'string') return 'gain' in init ? init.gain ** 2 / nIn : NaN;
  switch (init) {
    case 'zeros': return 0;
    case 'small': return 1e-4;
    case 'uniform': return 1 / (3 * nIn);
    case 'lecun': return 1 / nIn;
    case 'xavier': return 2 / (nIn + nOut);
    case 'he': return 2 / nIn;
    case 'orthogonal': return 1 / Math.max(nIn, nOut);
  }
}

/**
 * Plain-JS work of drawing one [nIn, nOut] matrix, in multiply-adds at the dot products' speed: for
 * 'orthogonal', two passes of Gram-Schmidt over k = min(nIn, nOut) vectors of length n = max(nIn, nOut)
 * are 2 n k^2 multiply-adds, half of them in updates v -= d q that run at half the speed (measured:
 * 2.7e8-4e8 a second at na 300-1000), so 4 n k^2; n k for the others.
 */
export function initWork(init: Init, nIn: number, nOut: number): number {
  const [n, k] = [Math.max(nIn, nOut), Math.min(nIn, nOut)];
  return init === 'orthogonal' ? 4 * n * k * k : n * k;
}

/**
 * Refuses `count` draws of [nIn, nOut] whose work exceeds the budget (an orthogonal init at large
 * sizes is O(n^3)), naming `init`.
 */
export function checkInitWork(init: Init, nIn: number, nOut: number, count = 1): void {
  if (init !== 'orthogonal') return;
  checkWork('init', init, count * initWork(init, nIn, nOut), `Gram-Schmidt of ${count > 1 ? `${count} matrices` : 'a matrix'} [${nIn}, ${nOut}]: 4 n k^2 each`, 'a smaller layer, or another init');
}

/** Draws W of shape [nIn, nOut], row-major, as float64. */
export function drawWeights(init: Init, nIn: number, nOut: number, r: Rng, layer = 1): Float64Array {
  checkInitWork(init, nIn, nOut);
  const W = new Float64Array(nIn * nOut);
  if (typeof init === 'object' && 'identity' in init) {
    if (nIn !== nOut) {
      throw new GradscopeError('init', `invalid init: { identity: ${init.identity} } needs square layers, but W${layer} is [${nIn}, ${nOut}] (expected n_in = n_out; use another init for this layer's sizes)`);
    }
    for (let i = 0; i < nIn; i++) W[i * nOut + i] = init.identity;
    return W;
  }
  if (init === 'orthogonal') return orthogonal(nIn, nOut, r);
  if (init === 'uniform') {
    const limit = 1 / Math.sqrt(nIn);
    for (let i = 0; i < W.length; i++) W[i] = (2 * r.uniform() - 1) * limit;
    return W;
  }
  const std = Math.sqrt(initVariance(init, nIn, nOut));
  if (std === 0) return W;
  for (let i = 0; i < W.length; i++) W[i] = r.normal() * std;
  return W;
}

/** A random [rows, cols] matrix with orthonormal columns (or rows): Gram-Schmidt on randn (= QR). */
function orthogonal(rows: number, cols: number, r: Rng): Float64Array {
  const tall = rows >= cols;
  const [n, k] = tall ? [rows, cols] : [cols, rows]; // k orthonormal vectors of length n
  const Q: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    let v = new Float64Array(n);
    for (;;) {
      for (let i = 0; i < n; i++) v[i] = r.normal();
      for (let pass = 0; pass < 2; pass++) {
        for (const q of Q) {
          let d = 0;
          for (let i = 0; i < n; i++) d += q[i] * v[i];
          for (let i = 0; i < n; i++) v[i] -= d * q[i];
        }
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += v[i] * v[i];
      norm = Math.sqrt(norm);
      if (norm > 1e-8) {
        for (let i = 0; i < n; i++) v[i] /= norm;
        break;
      }
      v = new Float64Array(n);
    }
    Q.push(v);
  }
  const W = new Float64Array(rows * cols);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      if (tall) W[i * cols + j] = Q[j][i];
      else W[j * cols + i] = Q[j][i];
    }
  }
  return W;
}
