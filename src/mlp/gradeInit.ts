/** gs.grade.init: a student's weight initialisation graded on INIT_CASES (the variance it gives, and the look-alikes it may be). */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import type { Activation } from '../nn/activations';
import { GradscopeError, firstNonFinite, invalid, knownKeys, number } from '../core/errors';
import { rng } from '../core/random';
import { fmt, gradeCases, near, result, type GradeCase, type GradeResult, type StudentInit } from './homework';

/** A layer the init grader asks for, and the variances it accepts. */
export interface InitCase {
  /** n_in: rows of W, the layer's inputs. */
  nIn: number;
  /** n_out: columns of W, the layer's units. */
  nOut: number;
  /** The activation after the layer: relu wants He (2/n_in); tanh and sigmoid Xavier (1/n_in) or Glorot (2/(n_in + n_out)). */
  hidden: Activation;
}

/** The layers gs.grade.init asks for: [512, 128] and [128, 384] relu, [384, 128] tanh, [200, 200] sigmoid. */
export const INIT_CASES: InitCase[] = [
  { nIn: 512, nOut: 128, hidden: 'relu' },
  { nIn: 128, nOut: 384, hidden: 'relu' },
  { nIn: 384, nOut: 128, hidden: 'tanh' },
  { nIn: 200, nOut: 200, hidden: 'sigmoid' },
];

/** Variances the seeds accept per activation: He 2/n_in for relu; Xavier 1/n_in or Glorot 2/(n_in + n_out) for tanh/sigmoid. */
function accepted(c: InitCase): { label: string; variance: number }[] {
  const { nIn, nOut, hidden } = c;
  if (hidden === 'relu' || hidden === 'leakyRelu') return [{ label: 'He: 2/n_in', variance: 2 / nIn }];
  return [
    { label: 'Xavier: 1/n_in', variance: 1 / nIn },
    { label: 'Glorot: 2/(n_in + n_out)', variance: 2 / (nIn + nOut) },
  ];
}

/** Variances students typically produce by mistake, to name what they did. */
function lookalikes(c: InitCase): { label: string; variance: number }[] {
  const { nIn, nOut } = c;
  return [
    { label: '2/n_in (He)', variance: 2 / nIn },
    { label: '1/n_in (Xavier / LeCun)', variance: 1 / nIn },
    { label: '2/(n_in + n_out) (Glorot)', variance: 2 / (nIn + nOut) },
    { label: '2/n_out: n_out used where n_in (the fan-in, n^[l-1]) belongs', variance: 2 / nOut },
    { label: '1/n_out: n_out used where n_in (the fan-in, n^[l-1]) belongs', variance: 1 / nOut },
    { label: '(2/n_in)^2: randn scaled by the variance 2/n_in instead of its square root sqrt(2/n_in)', variance: (2 / nIn) ** 2 },
    { label: '(1/n_in)^2: randn scaled by 1/n_in instead of sqrt(1/n_in)', variance: (1 / nIn) ** 2 },
    { label: '1e-4: 0.01 * randn, the "small" init that vanishes in deep nets', variance: 1e-4 },
    { label: '1: plain randn with no scaling, which explodes in deep nets', variance: 1 },
  ];
}

function toMatrix(v: unknown, nIn: number, nOut: number): { data?: Float64Array; problem?: string } {
  if (v instanceof tf.Tensor) {
    if (v.shape.length !== 2 || v.shape[0] !== nIn || v.shape[1] !== nOut) return { problem: `shape [${v.shape}], expected [${nIn}, ${nOut}] (n_in rows, n_out columns: z = a W + b)` };
    return { data: Float64Array.from(v.dataSync()) };
  }
  if (Array.isArray(v) && Array.isArray(v[0])) {
    const rows = v as number[][];
    if (rows.length !== nIn || rows.some((r) => r.length !== nOut)) return { problem: `a ${rows.length} x ${rows[0].length} array, expected ${nIn} x ${nOut} (n_in rows, n_out columns)` };
    return { data: Float64Array.from(rows.flat()) };
  }
  if (v && typeof (v as ArrayLike<number>).length === 'number') {
    const a = v as ArrayLike<number>;
    if (a.length !== nIn * nOut) return { problem: `${a.length} numbers, expected ${nIn} x ${nOut} = ${nIn * nOut}` };
    return { data: Float64Array.from(a) };
  }
  return { problem: `${typeof v}, expected an [n_in, n_out] tensor or array` };
}

function gradeInitCase(fn: StudentInit, c: InitCase): GradeCase {
  const name = `${c.hidden} layer, n_in = ${c.nIn}, n_out = ${c.nOut}`;
  const out: GradeCase = { name, passed: false, todo: false, blocks: [], wrong: [], lines: [] };
  let v: unknown;
  try {
    v = tf.tidy(() => {
      const r = fn(c.nIn, c.nOut, c.hidden);
      return r instanceof tf.Tensor ? r.clone() : (r as never);
    });
  } catch (e) {
    out.wrong.push('exception');
    out.lines.push(`your init threw: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return out;
  }
  if (v === undefined || v === null) {
    out.todo = true;
    out.lines.push(`initWeights returned nothing (expected an [n_in, n_out] matrix of random weights)`);
    return out;
  }
  const { data, problem } = toMatrix(v, c.nIn, c.nOut);
  if (v instanceof tf.Tensor) v.dispose();
  if (!data) {
    out.wrong.push('shape');
    out.lines.push(`returned ${problem}`);
    return out;
  }
  const bad = firstNonFinite(data);
  if (bad >= 0) {
    out.wrong.push('values');
    out.lines.push(`entry ${bad} is ${data[bad]}`);
    return out;
  }
  const N = data.length;
  let mean = 0;
  for (const x of data) mean += x;
  mean /= N;
  let second = 0;
  for (const x of data) second += (x - mean) ** 2;
  const variance = second / N;
  const ok = accepted(c);
  const best = ok.reduce((a, b) => (Math.abs(Math.log(variance / a.variance)) < Math.abs(Math.log(variance / b.variance)) ? a : b));
  const matches = lookalikes(c).find((l) => near(variance, l.variance, 0.12));
  out.variance = { measured: variance, expected: best.variance, mean, matches: matches?.label };
  const std = Math.sqrt(variance);
  // Sampling error of a mean over N draws is std / sqrt(N); allow 5 of those, or 5% of std for tiny N.
  if (variance === 0) {
    out.wrong.push('variance');
    out.lines.push(`every weight is ${fmt(mean)}: identical units get identical gradients and never become different (symmetry). Draw random numbers, e.g. gs.tf.randomNormal([nIn, nOut])`);
    return out;
  }
  if (Math.abs(mean) > Math.max(5 * std / Math.sqrt(N), 0.05 * std)) {
    out.wrong.push('mean');
    out.lines.push(`the weights average ${fmt(mean)} (std ${fmt(std)}): not centred on 0. Uniform [0, 1) draws (np.random.rand) are all positive; use randn (zero mean)`);
  }
  const ratio = variance / best.variance;
  // Sample variance of N >= 25 600 normal draws is within ~2% (3 sd); 12% leaves room for other zero-mean distributions.
  if (!near(ratio, 1, 0.12)) {
    out.wrong.push('variance');
    out.lines.push(`Var(W) = ${fmt(variance)}, which is ${fmt(ratio)} x the ${best.label} = ${fmt(best.variance)} that ${c.hidden} wants` + (matches ? `; it matches ${matches.label}` : ''));
    const L = 30;
    const perLayer = c.hidden === 'relu' || c.hidden === 'leakyRelu' ? (c.nIn * variance) / 2 : c.nIn * variance;
    out.lines.push(`  consequence: the activation variance is multiplied by about ${fmt(perLayer)} per layer, ${fmt(perLayer ** L)} after ${L} layers`);
  } else {
    out.lines.push(`Var(W) = ${fmt(variance)} = ${fmt(ratio)} x ${best.label}, mean ${fmt(mean)}`);
  }
  out.passed = out.wrong.length === 0;
  return out;
}

/**
 * Grades a student's weight initialisation: for relu and tanh/sigmoid layers of several shapes it
 * measures the mean and variance of the returned matrix against He (2/n_in) and Xavier (1/n_in or
 * 2/(n_in + n_out)), and names the look-alike a wrong variance matches (n_out for n_in, variance
 * for standard deviation, 0.01 * randn, ...).
 *
 * @example
 * ```ts
 * const initWeights: gs.StudentInit = (nIn, nOut, hidden) => gs.tf.randomNormal([nIn, nOut]).mul(Math.sqrt(2 / nIn));
 * gs.grade.init(initWeights)   // ✘ init: 2 of 4 layers failed ... tanh ... matches 2/n_in (He)
 * ```
 */
export function gradeInit(fn: StudentInit, options: { cases?: InitCase[] } = {}): GradeResult {
  knownKeys('options', options, ['cases']);
  if (typeof fn !== 'function') throw invalid('initWeights', fn, 'your function (nIn, nOut, hidden) => [nIn, nOut] weights');
  return result('init', gradeCases(options.cases ?? INIT_CASES, (c) => gradeInitCase(fn, c)), 'layers');
}

