/**
 * Numerical derivatives of a scalar function (seed 000):
 *   central  f'(a) ~ (f(a + eps) - f(a - eps)) / 2 eps   error O(eps^2)
 *   forward  f'(a) ~ (f(a + eps) - f(a)) / eps           error O(eps)
 * For f(a) = a^3 at a = 1, eps = 0.01: central 3.0001, forward 3.0301 (exact 3).
 */
import { invalid, knownKeys, number, oneOf } from '../core/errors';
import { displayable } from '../core/jupyter';
import type { Precision } from './report';

/**
 * A difference quotient: `central` (f(a + eps) - f(a - eps)) / 2 eps, error O(eps^2), or
 * `forward` (f(a + eps) - f(a)) / eps, error O(eps).
 */
export type Method = 'central' | 'forward';
const METHODS: Method[] = ['central', 'forward'];

/**
 * A function of one number. It receives `round`, the rounding of the precision it is evaluated in
 * (`Math.fround` for float32, the identity for float64): write `(a, r) => r(r(a * a) * a)` to round
 * every operation, or ignore it (`(a) => a ** 3`) to round only the input and the result.
 */
export type ScalarFn = (a: number, round: (x: number) => number) => number;

const identity = (x: number): number => x;
const rounding = (p: Precision) => (p === 'float32' ? Math.fround : identity);

function checkFn(f: unknown): ScalarFn {
  if (typeof f !== 'function') throw invalid('f', f, 'a function of one number, e.g. (a) => a ** 3');
  return f as ScalarFn;
}

/** One difference quotient, with every step rounded to `precision`. */
function quotient(f: ScalarFn, a: number, eps: number, method: Method, precision: Precision): number {
  const r = rounding(precision);
  const [x, e] = [r(a), r(eps)];
  const F = (t: number): number => {
    const v: unknown = f(t, r);
    if (typeof v !== 'number') throw invalid('f', v, `f(a) to return a number; f(${t}) returned ${v === undefined ? 'undefined (a missing return?)' : typeof v}`);
    return r(v);
  };
  if (method === 'central') return r(r(F(r(x + e)) - F(r(x - e))) / r(2 * e)); // (f(a+e) - f(a-e)) / 2e
  return r(r(F(r(x + e)) - F(x)) / e); // (f(a+e) - f(a)) / e
}

/**
 * The two-sided (default) or one-sided difference quotient of f at a, in float64 (default) or, with
 * `precision: 'float32'`, with every step rounded to float32 (`Math.fround`). Options: `eps`
 * (default 1e-2), `method` (`'central'` default, `'forward'`), `precision`. For f(a) = a^3 at a = 1,
 * eps = 0.01: central 3.0001 (error eps^2), forward 3.0301 (error 3 eps); exact 3.
 *
 * @example
 * ```ts
 * gs.numericDerivative((a) => a ** 3, 1, { eps: 0.01 });                     // 3.0001
 * gs.numericDerivative((a) => a ** 3, 1, { eps: 0.01, method: 'forward' });  // 3.0301
 * ```
 */
export function numericDerivative(
  f: ScalarFn,
  a: number,
  options: { eps?: number; method?: Method; precision?: Precision } = {},
): number {
  knownKeys('options', options, ['eps', 'method', 'precision']);
  const { eps = 1e-2, method = 'central', precision = 'float64' } = options;
  return quotient(
    checkFn(f),
    number('a', a),
    number('eps', eps, { min: 0, openMin: true }),
    oneOf('method', method, METHODS),
    oneOf('precision', precision, ['float64', 'float32'] as const),
  );
}

/** One row of {@link epsilonSweep}. */
export interface EpsilonRow {
  /** The step size. */
  eps: number;
  /** Central or forward difference. */
  method: Method;
  /** The precision every step was rounded to. */
  precision: Precision;
  /** The difference quotient, the estimate of f'(a). */
  estimate: number;
  /** |estimate - exact| */
  error: number;
}

/** eps = 1e-1, 10^-1.5, ..., 1e-12: wide enough to show both slopes and both round-off floors. */
export const DEFAULT_EPS: number[] = Array.from({ length: 23 }, (_, k) => Number((10 ** (-(k + 2) / 2)).toPrecision(6)));

/**
 * Every difference quotient of f at a for each eps (default {@link DEFAULT_EPS}: 1e-1 to 1e-12),
 * both methods, float64 and float32, with its error against `exact` (or, when omitted, a float64
 * five-point estimate accurate to ~1e-12). In float32 each operation is rounded when f uses the
 * rounding it is given: `(a, r) => r(r(a * a) * a)` (see {@link ScalarFn}); plot the rows with
 * `gs.charts.epsilonSweep`.
 * On a log-log plot the forward error falls with slope 1, the central with slope 2, until round-off
 * (~ u |f| / eps, u = 1.1e-16 in float64, 6e-8 in float32) takes over.
 *
 * @example
 * ```ts
 * const rows = gs.epsilonSweep((a) => a ** 3, 1, { exact: 3 });
 * rows.find((r) => r.eps === 0.01 && r.method === 'central' && r.precision === 'float64').estimate; // 3.0001
 * ```
 */
export function epsilonSweep(
  f: ScalarFn,
  a: number,
  options: { exact?: number; eps?: number[] } = {},
): EpsilonRow[] {
  knownKeys('options', options, ['exact', 'eps']);
  checkFn(f);
  number('a', a);
  const { eps = DEFAULT_EPS } = options;
  if (!Array.isArray(eps) || eps.length === 0) throw invalid('eps', eps, 'a non-empty array of positive step sizes');
  eps.forEach((e, i) => number(`eps[${i}]`, e, { min: 0, openMin: true }));
  const exact = options.exact === undefined ? fivePoint(f, a) : number('exact', options.exact);
  const rows: EpsilonRow[] = [];
  for (const precision of ['float64', 'float32'] as const) {
    for (const method of METHODS) {
      for (const e of eps) {
        const estimate = quotient(f, a, e, method, precision);
        rows.push({ eps: e, method, precision, estimate, error: Math.abs(estimate - exact) });
      }
    }
  }
  return displayable(rows);
}

/** f'(a) ~ (-f(a+2h) + 8 f(a+h) - 8 f(a-h) + f(a-2h)) / 12h, error O(h^4), in float64. */
function fivePoint(f: ScalarFn, a: number, h = 1e-3): number {
  const F = (t: number): number => f(t, identity);
  return (-F(a + 2 * h) + 8 * F(a + h) - 8 * F(a - h) + F(a - 2 * h)) / (12 * h);
}
