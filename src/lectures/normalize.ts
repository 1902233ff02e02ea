/**
 * Input normalisation (lecture 001, "setting up your optimization problem"): per input feature j,
 *   mu_j     = (1/m) sum_i x_ij
 *   sigma2_j = (1/m) sum_i (x_ij - mu_j)^2
 *   x'_ij    = (x_ij - mu_j) / sqrt(sigma2_j)
 * computed on the training set and applied unchanged to the test set ("use the same mu and sigma to
 * normalize your test set"). A feature with sigma2 = 0 is only centred. Then the cost's contours
 * are round instead of long thin ellipses, and gradient descent needs far fewer steps.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { firstNonFinite, fmt, GradscopeError, invalid, knownKeys, number, show } from '../core/errors';
import { rng } from '../core/random';

/**
 * A data set as plain rows: one array of numbers per example.
 *
 * @inline
 */
type Rows = number[][];

/** What {@link normalizer} returns. */
export interface Normalizer {
  /** Per feature mean of the training set. */
  mu: Float64Array;
  /** Per feature variance (1/m, not 1/(m-1), as the lecture writes it). */
  sigma2: Float64Array;
  /** (X - mu) / sqrt(sigma2) with the training set's mu and sigma2: a tensor for a tensor (the caller disposes it), rows for rows. */
  apply<T extends Tensor | Rows>(X: T): T;
  /** Features with sigma2 = 0 (only centred), by index. */
  constant: number[];
  /** Plain-language remarks: empty, or one line naming the features with sigma2 = 0 (only centred, x - mu). */
  notes: string[];
}

/** X as float64 rows [m][n], validated: numbers only (no string, boolean or null converted), flat rows of one length. */
function rowsOf(name: string, X: unknown, n?: number): { data: Float64Array; m: number; n: number } {
  if (X instanceof tf.Tensor) {
    if (X.rank !== 2) throw invalid(name, X, 'a 2-D tensor [m, n] with one example per row');
    if (X.isDisposed) throw new GradscopeError(name, `invalid ${name}: the tensor was disposed`);
    if (X.dtype !== 'float32' && X.dtype !== 'int32') throw new GradscopeError(name, `invalid ${name}: a ${X.dtype} tensor of shape [${X.shape.join(', ')}] (expected numbers: a float32 or int32 tensor)`);
    const data = Float64Array.from(X.dataSync() as Float32Array);
    return check(name, data, X.shape[0], X.shape[1], n);
  }
  if (!Array.isArray(X) || X.length === 0 || !X.every((r) => Array.isArray(r) && r.length === (X[0] as unknown[]).length)) {
    throw invalid(name, X, 'a tf.Tensor2D or number[][] with one example per row, all rows of one length');
  }
  const m = X.length, cols = (X[0] as unknown[]).length;
  const data = new Float64Array(m * cols);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < cols; j++) {
      const x = (X[i] as unknown[])[j];
      if (typeof x !== 'number') {
        throw new GradscopeError(name, `invalid ${name}: entry [${i}, ${j}] is ${show(x)} (expected a number; ${Array.isArray(x) ? 'rows are flat arrays of numbers, not nested' : `a ${x === null ? 'null' : typeof x} is not converted`})`);
      }
      data[i * cols + j] = x;
    }
  }
  return check(name, data, m, cols, n);
}

function check(name: string, data: Float64Array, m: number, cols: number, n?: number) {
  if (m === 0 || cols === 0) throw new GradscopeError(name, `invalid ${name}: empty, shape [${m}, ${cols}] (expected at least one row and one feature)`);
  if (n !== undefined && cols !== n) throw new GradscopeError(name, `invalid ${name}: ${cols} features (expected ${n}, as in the training set)`);
  const bad = firstNonFinite(data);
  if (bad >= 0) throw new GradscopeError(name, `invalid ${name}: entry [${Math.floor(bad / cols)}, ${bad % cols}] is ${data[bad]} (expected finite numbers)`);
  return { data, m, n: cols };
}

/**
 * mu, sigma2 and sigma of one feature. Where (x - mu)^2 overflows or underflows, sigma is taken from
 * the halved deviations (x/2 - mu/2) scaled by their largest, so [1e308, -1e308] gives sigma = 1e308
 * (sigma2 = 1e616 is beyond float64: Infinity) and [1e-200, -1e-200] sigma = 1e-200, not 0.
 */
function moments(data: Float64Array, m: number, n: number, j: number): { mu: number; sigma2: number; sigma: number } {
  let mu = 0, sigma2 = 0;
  for (let i = 0; i < m; i++) mu += data[i * n + j] / m; //                       mu = (1/m) sum x
  for (let i = 0; i < m; i++) sigma2 += (data[i * n + j] - mu) ** 2 / m; //       sigma2 = (1/m) sum (x - mu)^2
  if (sigma2 > 0 && Number.isFinite(sigma2)) return { mu, sigma2, sigma: Math.sqrt(sigma2) };
  let s = 0;
  for (let i = 0; i < m; i++) s = Math.max(s, Math.abs(data[i * n + j] / 2 - mu / 2)); // largest |x - mu| / 2
  if (s === 0) return { mu, sigma2: 0, sigma: 0 };
  let q = 0;
  for (let i = 0; i < m; i++) q += ((data[i * n + j] / 2 - mu / 2) / s) ** 2 / m; // (1/m) sum ((x - mu) / 2s)^2
  const sigma = 2 * (s * Math.sqrt(q)); //                                         2 s sqrt(q), at most (max - min) / 2: fits
  return { mu, sigma2: sigma * sigma, sigma };
}

/**
 * Per-feature mu and sigma2 of a training set, and `apply` to put any set through them.
 * Entries must be numbers (a string, boolean or null is refused, not converted). A feature whose
 * sigma2 overflows float64 (|x - mu| beyond 1.3e154) keeps sigma2 = Infinity and a note; `apply`
 * uses sigma itself, which always fits.
 *
 * @example
 * ```ts
 * const norm = gs.normalizer([[1, 100], [2, 300], [3, 200]]);
 * norm.mu;                       // [2, 200]
 * norm.sigma2;                   // [0.667, 6667]
 * norm.apply([[2, 400]]);        // [[0, 2.449]]: the test set with the training set's mu and sigma
 * ```
 */
export function normalizer(Xtrain: Tensor | Rows): Normalizer {
  const { data, m, n } = rowsOf('Xtrain', Xtrain);
  const mu = new Float64Array(n), sigma2 = new Float64Array(n), sigma = new Float64Array(n);
  for (let j = 0; j < n; j++) ({ mu: mu[j], sigma2: sigma2[j], sigma: sigma[j] } = moments(data, m, n, j));
  const constant = [...sigma.keys()].filter((j) => !(sigma[j] > 0));
  const huge = [...sigma2.keys()].filter((j) => !Number.isFinite(sigma2[j]) || (sigma2[j] === 0 && sigma[j] > 0));
  const notes = [
    ...(constant.length ? [`feature${constant.length > 1 ? 's' : ''} ${constant.join(', ')} ${constant.length > 1 ? 'are' : 'is'} constant in the training set (sigma2 = 0): only centred, x - mu`] : []),
    ...(huge.length ? [`sigma2 of feature${huge.length > 1 ? 's' : ''} ${huge.join(', ')} is beyond float64 (sigma ${huge.map((j) => sigma[j].toExponential(3)).join(', ')}; sigma2 shown as ${huge.map((j) => sigma2[j]).join(', ')}): apply divides by sigma, which fits`] : []),
  ];
  const apply = <T extends Tensor | Rows>(X: T): T => {
    const { data: d, m: rows } = rowsOf('X', X, n);
    const out = new Float64Array(d.length);
    const limit = X instanceof tf.Tensor ? 3.4028234663852886e38 : Number.MAX_VALUE;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < n; j++) {
        const k = i * n + j, half = d[k] / 2 - mu[j] / 2; // (x - mu) / 2: never overflows
        out[k] = sigma[j] > 0 ? half / (sigma[j] / 2) : 2 * half; // (x - mu) / sigma, or x - mu for a constant feature
        if (!(Math.abs(out[k]) <= limit)) {
          throw new GradscopeError('X', `invalid X: entry [${i}, ${j}] = ${fmt(d[k])} is ${sigma[j] > 0 ? `${fmt(out[k])} training standard deviations (sigma ${fmt(sigma[j])}) from the training mean ${fmt(mu[j])}` : `${fmt(out[k])} from the training mean`}, beyond ${X instanceof tf.Tensor ? 'float32' : 'float64'} (expected values the training set's mu and sigma can place)`);
        }
      }
    }
    if (X instanceof tf.Tensor) return tf.tensor2d(Float32Array.from(out), [rows, n]) as unknown as T;
    return Array.from({ length: rows }, (_, i) => Array.from(out.subarray(i * n, (i + 1) * n))) as T;
  };
  return { mu, sigma2, apply, constant, notes };
}

/** One gradient-descent run of {@link normalizationDemo}. */
export interface DescentRun {
  /** 'raw' or 'normalised'. */
  inputs: 'raw' | 'normalised';
  /** The weights after each step, from the start (w1, w2). */
  path: {
    /** The step, 0 = the start w = (0, 0). */
    step: number;
    /** w1 after this step. */
    w1: number;
    /** w2 after this step. */
    w2: number;
    /** J(w1, w2), with b at its optimum for that w. */
    J: number;
  }[];
  /** Steps until ||w - w*|| < tol ||w0 - w*|| (or `maxSteps` when it did not get there). */
  steps: number;
  /** Whether it got within tol before `maxSteps`. */
  converged: boolean;
  /** The convergence threshold: ||w - w*|| < tol ||w0 - w*||. */
  tol: number;
  /** The learning rate: 2 / (lambda_max + lambda_min) of the Hessian X^T X / m, the best fixed step for each set of inputs. */
  lr: number;
  /** Minimum of J and where it is. */
  wStar: [number, number];
  /** J(w*), the least J. */
  JStar: number;
  /** Hessian H = X^T X / m, [[h11, h12], [h12, h22]]: J(w) = J* + 1/2 (w - w*)^T H (w - w*). */
  hessian: [[number, number], [number, number]];
  /** lambda_max / lambda_min of H: the elongation of the contours squared. */
  condition: number;
}

/** Options of {@link normalizationDemo}. */
export interface NormalizationDemoOptions {
  /** Standard deviations of the two inputs. Default [1, 10]. */
  scales?: [number, number];
  /** Means of the two inputs. Default [5, 50]. */
  means?: [number, number];
  /** Examples. Default 200. */
  m?: number;
  /** Relative distance to w* that counts as converged. Default 1e-3. */
  tol?: number;
  /** Step limit. Default 5000. */
  maxSteps?: number;
  /** Seed of the data. Default 0. */
  seed?: number;
}

/**
 * Linear regression y = w1 x1 + w2 x2 + b on two inputs of very different scales, by gradient
 * descent on the raw inputs and on the normalised ones: the paths, the steps each needs and what
 * gs.charts.normalization draws. The bias is fit in closed form at every step (b = mean(y - X w)),
 * so J is a function of (w1, w2) alone and its contours are ellipses.
 *
 * @example
 * ```ts
 * const demo = gs.normalizationDemo();        // scales 1 and 10
 * demo.raw.steps;                             // 340 steps (contours 10x longer than wide)
 * demo.normalised.steps;                      // 4
 * gs.show(gs.charts.normalization(demo));
 * ```
 */
export function normalizationDemo(options: NormalizationDemoOptions = {}): {
  /** Gradient descent on the raw inputs. */
  raw: DescentRun;
  /** Gradient descent on the inputs normalised with the data set's own mu and sigma. */
  normalised: DescentRun;
  /** That normalizer (mu, sigma2 of the raw inputs). */
  normalizer: Normalizer;
  /** The raw inputs [m][2]: x1 ~ N(means[0], scales[0]^2), x2 ~ N(means[1], scales[1]^2). */
  X: Rows;
  /** The targets: y = 2 x1' + x2' + 3 + noise (x' normalised), so both inputs matter equally. */
  y: number[];
} {
  knownKeys('options', options, ['scales', 'means', 'm', 'tol', 'maxSteps', 'seed']);
  const scales = options.scales ?? [1, 10], means = options.means ?? [5, 50];
  if (!Array.isArray(scales) || scales.length !== 2) throw invalid('scales', scales, 'two standard deviations [s1, s2]');
  if (!Array.isArray(means) || means.length !== 2) throw invalid('means', means, 'two means [mu1, mu2]');
  scales.forEach((s, i) => number(`scales[${i}]`, s, { min: 0, openMin: true }));
  means.forEach((s, i) => number(`means[${i}]`, s));
  const m = number('m', options.m ?? 200, { min: 3, max: 1e6, integer: true });
  const tol = number('tol', options.tol ?? 1e-3, { min: 0, max: 1, openMin: true });
  const maxSteps = number('maxSteps', options.maxSteps ?? 5000, { min: 1, max: 1e6, integer: true });
  const r = rng(number('seed', options.seed ?? 0, { integer: true }));
  const X: Rows = Array.from({ length: m }, () => [means[0] + scales[0] * r.normal(), means[1] + scales[1] * r.normal()]);
  // y = 2 x1' + 1 x2' in normalised units, plus noise: both inputs matter equally
  const y = X.map(([a, b]) => 2 * ((a - means[0]) / scales[0]) + ((b - means[1]) / scales[1]) + 3 + 0.3 * r.normal());
  const norm = normalizer(X);
  return { raw: descend('raw', X, y, tol, maxSteps), normalised: descend('normalised', norm.apply(X), y, tol, maxSteps), normalizer: norm, X, y };
}

/** Gradient descent on J(w) = (1/2m) sum (x w + b*(w) - y)^2 with b*(w) = mean(y - x w). */
function descend(inputs: DescentRun['inputs'], X: Rows, y: number[], tol: number, maxSteps: number): DescentRun {
  const m = X.length;
  const mx = [0, 1].map((j) => X.reduce((s, x) => s + x[j], 0) / m), my = y.reduce((s, v) => s + v, 0) / m;
  const Xc = X.map((x) => [x[0] - mx[0], x[1] - mx[1]]), yc = y.map((v) => v - my); // b at its optimum: centre both
  const h11 = Xc.reduce((s, x) => s + x[0] * x[0], 0) / m, h12 = Xc.reduce((s, x) => s + x[0] * x[1], 0) / m, h22 = Xc.reduce((s, x) => s + x[1] * x[1], 0) / m;
  const g1 = Xc.reduce((s, x, i) => s + x[0] * yc[i], 0) / m, g2 = Xc.reduce((s, x, i) => s + x[1] * yc[i], 0) / m;
  const det = h11 * h22 - h12 * h12;
  const wStar: [number, number] = [(h22 * g1 - h12 * g2) / det, (h11 * g2 - h12 * g1) / det]; // H w* = X^T y / m
  const JStar = Xc.reduce((s, x, i) => s + (x[0] * wStar[0] + x[1] * wStar[1] - yc[i]) ** 2, 0) / (2 * m);
  // J is quadratic: J(w) = J* + 1/2 (w - w*)^T H (w - w*), O(1) per step (a sum over m per step made maxSteps 1e6 at m 1e6 run for hours)
  const J = (w1: number, w2: number) => { const [d1, d2] = [w1 - wStar[0], w2 - wStar[1]]; return JStar + 0.5 * (h11 * d1 * d1 + 2 * h12 * d1 * d2 + h22 * d2 * d2); };
  const tr = h11 + h22, disc = Math.sqrt(Math.max(0, (h11 - h22) ** 2 / 4 + h12 * h12));
  const lMax = tr / 2 + disc, lMin = tr / 2 - disc;
  const lr = 2 / (lMax + lMin); // the best fixed step for a quadratic: both ends of the spectrum shrink by (kappa - 1) / (kappa + 1)
  let [w1, w2] = [0, 0];
  const d0 = Math.hypot(w1 - wStar[0], w2 - wStar[1]);
  const path = [{ step: 0, w1, w2, J: J(w1, w2) }];
  let step = 0;
  while (Math.hypot(w1 - wStar[0], w2 - wStar[1]) >= tol * d0 && step < maxSteps) {
    const d1 = h11 * w1 + h12 * w2 - g1, d2 = h12 * w1 + h22 * w2 - g2; // dJ/dw = H w - X^T y / m
    [w1, w2] = [w1 - lr * d1, w2 - lr * d2];
    step++;
    path.push({ step, w1, w2, J: J(w1, w2) });
  }
  const converged = Math.hypot(w1 - wStar[0], w2 - wStar[1]) < tol * d0;
  return { inputs, path, steps: step, converged, tol, lr, wStar, JStar, hessian: [[h11, h12], [h12, h22]], condition: lMax / lMin };
}
