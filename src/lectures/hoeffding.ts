/**
 * Hoeffding's inequality (Hoeffding 1963; lecture 003, generalisation bounds): for n i.i.d. samples
 * x_1..x_n in an interval of width `range` with mean mu,
 *   Pr(|mean_n - mu| >= t) <= 2 exp(-2 n t^2 / range^2)
 * The lecture's n = 1000, t = 0.1 (range 1) gives 2 e^-20 = 4.12e-9.
 */
import { invalid, knownKeys, number, oneOf } from '../core/errors';
import { rng } from '../core/random';
import { displayable } from '../core/jupyter';
import { checkWork } from '../core/limits';

/** Plain-JS cost of one draw in multiply-adds: measured 5.8e7 Bernoulli draws/s against the 7e8 multiply-adds/s of core/limits.ts. */
const DRAW_COST = 12;

/** Options of {@link hoeffding}. */
export interface HoeffdingOptions {
  /** Number of i.i.d. samples. */
  n: number;
  /** The deviation of the mean. */
  t: number;
  /** Width b - a of the interval the samples lie in. Default 1. */
  range?: number;
}

/**
 * Hoeffding's bound on Pr(|mean - mu| >= t): 2 exp(-2 n t^2 / range^2).
 *
 * @example
 * ```ts
 * gs.hoeffding({ n: 1000, t: 0.1 });               // 4.122e-9 = 2 e^-20 (lecture 003)
 * gs.hoeffding({ n: 1000, t: 0.1, range: 10 });    // 1.64: the same t on samples 10x wider bounds nothing
 * ```
 */
export function hoeffding(options: HoeffdingOptions): number {
  if (!options || typeof options !== 'object') throw invalid('options', options, 'an object { n, t, range }');
  knownKeys('options', options, ['n', 't', 'range']);
  const n = number('n', options.n, { min: 1, integer: true });
  const t = number('t', options.t, { min: 0, openMin: true });
  const range = number('range', options.range ?? 1, { min: 0, openMin: true });
  if (t * t > 0 && range * range > 0 && Number.isFinite(t * t) && Number.isFinite(range * range)) return 2 * Math.exp((-2 * n * t * t) / (range * range));
  // t^2 or range^2 under- or overflowed (t = range = 1e-200 gave 0 / 0 = NaN): the same bound from t / range
  return 2 * Math.exp(-2 * n * (t / range) ** 2); // -2 n (t / range)^2 = -Infinity gives 0, the limit
}

/** One n of {@link hoeffdingSimulation}. */
export interface HoeffdingRow {
  /** The sample size. */
  n: number;
  /** The fraction of trials whose mean is t or more away from mu. */
  empirical: number;
  /** Bernoulli(0.5): the exact probability from the binomial distribution (undefined for 'uniform'). */
  exact?: number;
  /** Hoeffding's bound 2 exp(-2 n t^2 / range^2) (may exceed 1: then it says nothing). */
  bound: number;
  /** Repetitions the empirical fraction is over. */
  trials: number;
  /** The deviation t. */
  t: number;
}

/** Options of {@link hoeffdingSimulation}. */
export interface HoeffdingSimulationOptions {
  /** Sample sizes. Default 5, 10, 20, 50, 100, 200, 300. */
  ns?: number[];
  /** Deviation. Default 0.1. */
  t?: number;
  /** Repetitions per n. Default 10000. */
  trials?: number;
  /** 'bernoulli' (default, p = 0.5: the widest spread in [0, 1]) or 'uniform' on [0, 1]. */
  distribution?: 'bernoulli' | 'uniform';
  /** Seed of the draws (the same seed, the same rows). Default 0. */
  seed?: number;
}

/**
 * Draws `trials` samples of n bounded i.i.d. values per n and counts how often their mean is t or
 * more from mu, next to Hoeffding's bound.
 *
 * @example
 * ```ts
 * const rows = gs.hoeffdingSimulation({ t: 0.1 });   // [{ n: 5, empirical: 0.37, bound: 1.8 }, ...]
 * gs.show(gs.charts.hoeffding(rows));
 * ```
 */
export function hoeffdingSimulation(options: HoeffdingSimulationOptions = {}): HoeffdingRow[] {
  knownKeys('options', options, ['ns', 't', 'trials', 'distribution', 'seed']);
  const ns = options.ns ?? [5, 10, 20, 50, 100, 200, 300];
  if (!Array.isArray(ns) || ns.length === 0) throw invalid('ns', ns, 'a non-empty array of sample sizes');
  ns.forEach((n, i) => number(`ns[${i}]`, n, { min: 1, max: 1e6, integer: true }));
  const t = number('t', options.t ?? 0.1, { min: 0, openMin: true });
  const trials = number('trials', options.trials ?? 10000, { min: 1, max: 1e7, integer: true });
  const distribution = oneOf('distribution', options.distribution ?? 'bernoulli', ['bernoulli', 'uniform'] as const);
  const draws = ns.reduce((a, n) => a + n, 0) * trials;
  // a draw (random number, compare, add) costs about 10 multiply-adds of plain JS: measured 6e7 draws/s
  // against 5e8 multiply-adds/s on the machine BENCHMARKS.md describes; 1e10 draws would run for minutes
  checkWork('trials', { ns: ns.length > 8 ? `${ns.length} sizes` : ns, trials }, draws * DRAW_COST, `${draws.toExponential(1)} draws of about ${DRAW_COST} multiply-adds each: sum(ns) x trials`);
  const r = rng(number('seed', options.seed ?? 0, { integer: true }));
  const mu = 0.5;
  const draw = distribution === 'bernoulli' ? () => (r.uniform() < 0.5 ? 1 : 0) : () => r.uniform();
  return displayable(ns.map((n) => {
    let hits = 0;
    for (let k = 0; k < trials; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += draw();
      if (Math.abs(s / n - mu) >= t - 1e-12) hits++; // |mean - mu| >= t (1e-12: the mean of 10 coin flips is exactly 0.6)
    }
    return { n, empirical: hits / trials, ...(distribution === 'bernoulli' && { exact: binomialTail(n, t) }), bound: hoeffding({ n, t }), trials, t };
  }));
}

/** Pr(|k/n - 1/2| >= t) for k ~ Binomial(n, 1/2), summed in log space. */
function binomialTail(n: number, t: number): number {
  let logC = 0, p = 0; // log C(n, k), built up k by k
  for (let k = 0; k <= n; k++) {
    if (k > 0) logC += Math.log((n - k + 1) / k);
    if (Math.abs(k / n - 0.5) >= t - 1e-12) p += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, p);
}
