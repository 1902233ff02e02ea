/**
 * Softmax (lecture 003): one model output per label, made positive and summing to one,
 *   Pr(label = l) = e^(a_l / beta) / sum_l' e^(a_l' / beta)
 * with temperature beta (1: the plain softmax; large: towards uniform; small: towards the max).
 * e^a overflows for a > 88.7 in float32 and a > 709.8 in float64; the stable form subtracts the
 * largest logit first, e^((a_l - max a) / beta), which changes nothing mathematically (numerator and
 * denominator are both multiplied by e^(-max a / beta)) and keeps every exponent <= 0.
 */
import { GradscopeError, invalid, knownKeys, number, oneOf, show } from '../core/errors';
import { displayable } from '../core/jupyter';

/** Options of {@link softmax}. */
export interface SoftmaxOptions {
  /** beta: the logits are divided by it, e^(a / beta). Default 1. */
  temperature?: number;
  /** 'float64' (default) or 'float32': every exp, sum and division rounded to float32 as tf computes. */
  precision?: 'float64' | 'float32';
  /** Subtract the largest logit before exponentiating (default true); false: the formula as written, which overflows. */
  stable?: boolean;
}

/**
 * The softmax of one vector of logits, in float64 or float32, with a temperature.
 *
 * @example
 * ```ts
 * gs.softmax([0.9, 0.7, 0.1]);                                          // [0.441, 0.361, 0.198] apple, orange, peach
 * gs.softmax([10, -20, 700, -3], { stable: false, precision: 'float32' }); // [0, 0, NaN, 0]: e^700 = Infinity in float32
 * gs.softmax([10, -20, 700, -3]);                                       // [e^-690, e^-720, 1, e^-703]: exact
 * gs.softmax([0.9, 0.7, 0.1], { temperature: 10 });                     // [0.344, 0.338, 0.318]: towards uniform
 * ```
 */
export function softmax(values: ArrayLike<number>, options: SoftmaxOptions = {}): number[] {
  knownKeys('options', options, ['temperature', 'precision', 'stable']);
  if (!values || typeof values !== 'object' || typeof values.length !== 'number' || values.length === 0) throw invalid('values', values, 'a non-empty array of logits');
  const a = Array.from(values as ArrayLike<unknown>);
  const bad = a.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (bad >= 0) throw new GradscopeError('values', `invalid values: entry ${bad} is ${show(a[bad])} (expected finite numbers${typeof a[bad] === 'number' ? '' : `; a ${a[bad] === null ? 'null' : typeof a[bad]} is not converted`})`);
  const beta = number('temperature', options.temperature ?? 1, { min: 0, openMin: true });
  const precision = oneOf('precision', options.precision ?? 'float64', ['float64', 'float32'] as const);
  const stable = options.stable ?? true;
  if (typeof stable !== 'boolean') throw invalid('stable', stable, 'true or false');
  const r = precision === 'float32' ? Math.fround : (x: number) => x;
  let shift = 0;
  if (stable) { shift = -Infinity; for (const x of a as number[]) if (x > shift) shift = x; } // max a, without spreading 2e5 arguments onto the stack
  const e = (a as number[]).map((x) => r(Math.exp(r(r(r(x) - r(shift)) / r(beta))))); // e^((a - max) / beta)
  let sum = 0;
  for (const x of e) sum = r(sum + x); //                                   sum_l' e^(...)
  return e.map((x) => r(x / sum)); //                                        e / sum
}

/**
 * The probabilities against the temperature: one row per (beta, label), for gs.charts.softmaxTemperature.
 *
 * @example
 * ```ts
 * gs.softmaxTemperature([0.9, 0.7, 0.1], { labels: ['apple', 'orange', 'peach'] });
 * // [{ temperature: 0.01, label: 'apple', probability: 1 }, ..., { temperature: 1, label: 'apple', probability: 0.441 }, ...]
 * ```
 */
export function softmaxTemperature(
  values: ArrayLike<number>,
  options: {
    /** One name per logit. Default 'label 1', 'label 2', ... */
    labels?: string[];
    /** The temperatures beta (positive, finite). Default 41 values from 0.01 to 100, log-spaced, 1 included. */
    temperatures?: number[];
  } = {},
): {
  /** beta. */
  temperature: number;
  /** The label of the logit. */
  label: string;
  /** Its softmax probability at this temperature. */
  probability: number;
}[] {
  knownKeys('options', options, ['labels', 'temperatures']);
  const { labels, temperatures } = options;
  softmax(values); // the logits, checked with softmax's own messages
  const n = values.length;
  const names = labels ?? Array.from({ length: n }, (_, i) => `label ${i + 1}`);
  if (!Array.isArray(names) || names.length !== n || names.some((s) => typeof s !== 'string')) throw invalid('labels', labels, `${n} strings, one per logit`);
  const betas = temperatures ?? Array.from({ length: 41 }, (_, i) => 10 ** (-2 + i / 10)); // 0.01 .. 100, log-spaced, 1 included
  const expected = 'a non-empty array of positive finite temperatures beta (e^(a / beta): beta = 0 divides by zero)';
  if (!Array.isArray(betas) || betas.length === 0) throw invalid('temperatures', temperatures, expected);
  const badBeta = betas.findIndex((b) => typeof b !== 'number' || !(b > 0) || !Number.isFinite(b));
  if (badBeta >= 0) throw new GradscopeError(`temperatures[${badBeta}]`, `invalid temperatures[${badBeta}]: ${show(betas[badBeta])} (expected ${expected.replace('a non-empty array of ', '')})`);
  return displayable(betas.flatMap((beta) => softmax(values, { temperature: beta }).map((p, i) => ({ temperature: beta, label: names[i], probability: p }))));
}
