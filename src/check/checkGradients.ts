/**
 * gs.checkGradients: any tfjs function f(x0, x1, ...) -> scalar, its tf.grads (for instance through
 * a tf.customGrad someone wrote) against float32 central differences, per input:
 *   d f / d x_i[e] ~ (f(.., x_i + eps e_e, ..) - f(.., x_i - eps e_e, ..)) / 2 eps
 * An entry fails when |analytic - numeric| > atol + rtol |numeric|; the report has the same shape as
 * gs.gradCheck's, with blocks named x0, x1, ...
 */
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { GradscopeError, firstNonFinite, invalid, knownKeys, number, optionalFunction, ON_PROGRESS } from '../core/errors';
import { MIN_EPS } from './eps';
import { rng, sampleIndices } from '../core/random';
import { BANDS, FLOOR_FACTOR, WORST, formatReport, relativeError, verdictOf, worstVerdict, type BlockResult, type CheckReport, type EntryResult, type Verdict } from './report';
import { ticker, type OnProgress } from '../core/progress';
import { displayable } from '../core/jupyter';

/** Options of {@link checkGradients}. */
export interface CheckGradientsOptions {
  /** Step of the float32 central differences. Default 1e-3; at least 1e-4 (float32 cannot difference finer). Raised tenfold, up to twice, where f's own round-off hides the gradient (the report says so). */
  eps?: number;
  /** Relative tolerance per entry. Default 1e-2. */
  rtol?: number;
  /** Absolute tolerance per entry, on top of the round-off of f (see below). Default 1e-3. */
  atol?: number;
  /** Entries checked at most; past it a seeded sample of that many (spread over the inputs) is checked and the report says so. Default 2000. */
  maxEntries?: number;
  /** Seed of that sample. Default 0. */
  seed?: number;
  /** Called with `{ done, total, phase }`, at most ~20 times a second. */
  onProgress?: OnProgress;
}

/** A function of tensors returning a scalar tensor. */
export type TensorFn = (...xs: Tensor[]) => Tensor;

/** float32 unit round-off, 2^-24 */
const U32 = 2 ** -24;

/**
 * Compares tf.grads(f) with float32 central differences, per input. Synchronous; leaves
 * tf.memory().numTensors unchanged.
 *
 * Round-off of f itself: each value f(x +- h) carries an error r_f, measured by nudging a few
 * entries by a few ulps (the change is then mostly round-off) and never taken below u32 |f|. The
 * difference (f+ - f-) / 2h therefore carries up to 2 r_f / 2h per entry: an entry fails when
 * |analytic - numeric| > atol + rtol |numeric| + FLOOR_FACTOR 2 r_f / 2h. Where that round-off hides
 * the gradient itself (|numeric| <= FLOOR_FACTOR x its noise), eps is raised tenfold (twice at
 * most) and, if that does not help, the verdict is 'inconclusive'. So a plain correct function
 * passes at any size while a gradient 1.5x off fails. Past `maxEntries` (default 2000) a seeded
 * sample is checked, and the report says so.
 *
 * @param f maps the tensors xs to a scalar
 * @param xs the point at which to check (float tensors)
 * @example
 * ```ts
 * const square = gs.tf.customGrad((x, save) => { save([x]); return { value: x.square(), gradFunc: (dy, [x]) => dy.mul(x).mul(2) }; });
 * const r = gs.checkGradients((x) => square(x).sin().sum(), [gs.tf.tensor1d([0.5, -1, 2])]);
 * r.verdict; // 'great'
 * ```
 */
export function checkGradients(f: TensorFn, xs: Tensor[], options: CheckGradientsOptions = {}): CheckReport {
  const started = performance.now();
  if (typeof f !== 'function') throw invalid('f', f, 'a function of tensors returning a scalar tensor');
  if (!Array.isArray(xs) || xs.length === 0) throw invalid('xs', xs, 'a non-empty array of tf.Tensors');
  if (f.length > xs.length) throw new GradscopeError('f', `invalid f: it takes ${f.length} inputs but xs holds ${xs.length} (expected one tensor in xs for each input of f)`);
  knownKeys('options', options, ['eps', 'rtol', 'atol', 'maxEntries', 'seed', 'onProgress']);
  const { eps: eps0 = 1e-3, rtol = 1e-2, atol = 1e-3, maxEntries = 2000, seed = 0, onProgress } = options ?? {};
  number('eps', eps0, { min: 0, max: 1, openMin: true });
  if (eps0 < MIN_EPS.float32) throw new GradscopeError('eps', `invalid eps: ${eps0} cannot work in float32: the round-off of the central difference, about 6e-8 |f| / eps, would swamp any gradient (expected eps >= ${MIN_EPS.float32}; the default is 1e-3)`);
  number('rtol', rtol, { min: 0 });
  number('atol', atol, { min: 0 });
  number('maxEntries', maxEntries, { min: 1, max: 1e6, integer: true });
  number('seed', seed, { integer: true });
  optionalFunction('onProgress', onProgress, ON_PROGRESS);
  xs.forEach((x, i) => {
    if (!(x instanceof tf.Tensor)) throw invalid(`xs[${i}]`, x, 'a tf.Tensor');
    if (x.isDisposed) throw new GradscopeError(`xs[${i}]`, `invalid xs[${i}]: a disposed tensor of shape [${x.shape}] (expected a live tensor)`);
    if (x.dtype !== 'float32') throw invalid(`xs[${i}]`, x.dtype, 'a float32 tensor (gradients need floats)');
    if (x.size === 0) throw new GradscopeError(`xs[${i}]`, `invalid xs[${i}]: an empty tensor of shape [${x.shape}] (expected at least one entry: there is nothing to check)`);
    const data = x.dataSync();
    const bad = firstNonFinite(data);
    if (bad >= 0) throw new GradscopeError(`xs[${i}]`, `invalid xs[${i}]: entry ${bad} is ${data[bad]} (expected finite numbers)`);
  });
  const value = (inputs: Tensor[]): number => {
    const out = tf.tidy(() => f(...inputs));
    if (!(out instanceof tf.Tensor) || out.size !== 1) {
      const shape = out instanceof tf.Tensor ? `a tensor of shape [${out.shape}]` : String(out);
      if (out instanceof tf.Tensor) out.dispose();
      throw new GradscopeError('f', `invalid f: it returned ${shape} (expected a scalar tensor)`);
    }
    const v = out.dataSync()[0];
    out.dispose();
    return v;
  };
  const analyticStart = performance.now();
  const f0 = value(xs);
  let grads: Tensor[];
  try {
    grads = tf.tidy(() => tf.grads((...ins: Tensor[]) => f(...ins) as Scalar)(xs));
  } catch (e) {
    throw new GradscopeError('f', `invalid f: tf.grads could not differentiate it (${(e as Error).message.split('\n')[0]}); expected f to compute its value from every tensor in xs (a function that ignores an input has no gradient with respect to it)`);
  }
  const analytic = grads.map((g) => Float64Array.from(g.dataSync()));
  tf.dispose(grads);
  const numericStart = performance.now();

  // which entries: all of them, or a seeded sample of maxEntries spread over the inputs
  const total = xs.reduce((s, x) => s + x.size, 0);
  const r = rng(seed + 49979687);
  const picks = xs.map((x) => (total <= maxEntries ? Int32Array.from({ length: x.size }, (_, e) => e)
    : Int32Array.from(sampleIndices(x.size, Math.max(1, Math.round((maxEntries * x.size) / total)), r))));
  const count = picks.reduce((s, p) => s + p.length, 0);
  const datas = xs.map((x) => Float32Array.from(x.dataSync()));
  const at = (i: number, e: number, v: number): number => {
    const data = datas[i], keep = data[e];
    data[e] = v;
    const xi = tf.tensor(data, xs[i].shape);
    const inputs = xs.slice();
    inputs[i] = xi;
    try {
      return value(inputs);
    } finally {
      xi.dispose();
      data[e] = keep;
    }
  };
  // f's own round-off: nudge a few entries by 4 ulps and keep what the linear change does not explain
  let rf = U32 * Math.abs(f0);
  for (let k = 0; k < 8; k++) {
    const i = k % xs.length, e = picks[i][Math.floor(r.uniform() * picks[i].length)];
    const w = datas[i][e], d = Math.fround(w + 4 * ulp(w)) - w;
    rf = Math.max(rf, Math.abs(at(i, e, w + d) - f0 - d * analytic[i][e]));
  }
  const t = ticker(onProgress, count, 'numeric');
  const notes: string[] = [];
  let done = 0, eps = eps0, evaluations = 8;
  const difference = (h: number): { numeric: Float64Array[]; noise: Float64Array[] } => {
    const numeric: Float64Array[] = [], noise: Float64Array[] = [];
    xs.forEach((x, i) => {
      const out = new Float64Array(picks[i].length), nz = new Float64Array(picks[i].length);
      picks[i].forEach((e, k) => {
        const w = datas[i][e];
        const hp = Math.fround(w + h) - w, hm = w - Math.fround(w - h); // the steps float32 can take
        if (hp + hm === 0) throw new GradscopeError('eps', `invalid eps: ${h} is below float32's resolution at xs[${i}] entry ${e} = ${w} (its spacing there is ${ulp(w)}; expected eps >= ${2 * ulp(w)})`);
        out[k] = (at(i, e, w + hp) - at(i, e, w - hm)) / (hp + hm); // (f(x + h) - f(x - h)) / 2h
        nz[k] = (2 * rf) / (hp + hm);
        evaluations += 2;
        t.tick(++done);
      });
      numeric.push(out);
      noise.push(nz);
    });
    return { numeric, noise };
  };
  const picked = analytic.map((a, i) => Float64Array.from(picks[i], (e) => a[e]));
  let { numeric, noise } = difference(eps);
  const hidden = () => numeric.some((n, i) => norm(n) <= FLOOR_FACTOR * norm(noise[i]) && norm(picked[i]) > 0);
  for (let tries = 0; tries < 2 && hidden() && eps * 10 <= 0.1; tries++) {
    eps *= 10;
    notes.push(`f's round-off (about ${rf.toExponential(1)} per value) hid the gradient at eps ${eps / 10}: differenced again at eps ${eps}`);
    ({ numeric, noise } = difference(eps));
  }
  t.finish();
  const time = { analytic: (numericStart - analyticStart) / 1000, numeric: (performance.now() - numericStart) / 1000 };

  const blocks: BlockResult[] = [];
  const worst: EntryResult[] = [];
  notes.unshift(`entries fail when |analytic - numeric| > atol + rtol |numeric| + ${FLOOR_FACTOR} x the round-off of f carried into the difference (atol ${atol}, rtol ${rtol}, f's round-off ${rf.toExponential(1)} per value); float32 central differences, eps ${eps}`);
  if (count < total) notes.push(`sampled: ${count} of ${total} entries checked (maxEntries ${maxEntries}, seed ${seed})`);
  xs.forEach((x, i) => {
    const a = picked[i], n = numeric[i], nz = noise[i];
    let failed = 0;
    for (let k = 0; k < a.length; k++) {
      const diff = a[k] - n[k];
      if (!(Math.abs(diff) <= atol + rtol * Math.abs(n[k]) + FLOOR_FACTOR * nz[k])) failed++;
      worst.push({ block: `x${i}`, index: unravel(picks[i][k], x.shape), analytic: a[k], numeric: n[k], difference: diff, kink: false });
    }
    const err = relativeError(a, n);
    const resolvable = norm(n) > FLOOR_FACTOR * norm(nz);
    let verdict: Verdict = failed ? 'wrong' : verdictOf(err, BANDS.float32);
    let reason: string | undefined;
    if (!finite(n)) { verdict = 'inconclusive'; reason = 'f is not finite next to this point'; }
    else if (!failed && !resolvable) { verdict = 'inconclusive'; reason = `the gradient is about 0 next to f's round-off (|numeric| ${norm(n).toExponential(1)} <= ${FLOOR_FACTOR} x noise ${norm(nz).toExponential(1)}): a zero gradient would pass too`; }
    else if (!failed && verdict !== 'great' && verdict !== 'ok') verdict = 'ok';
    if (failed) notes.push(`x${i}: ${failed} of ${a.length} entries outside the tolerance`);
    blocks.push({ name: `x${i}`, relativeError: err, verdict, checked: a.length, size: x.size, kinks: 0, ...(reason ? { reason } : {}) });
  });
  worst.sort((p, q) => Math.abs(q.difference) - Math.abs(p.difference));
  const all = relativeError(concat(picked), concat(numeric));
  const verdict = worstVerdict(blocks.map((b) => b.verdict));
  const body: Omit<CheckReport, 'toString'> = {
    relativeError: all,
    pairs: { handVsAutograd: NaN, handVsNumeric: all, autogradVsNumeric: NaN },
    blocks,
    worst: worst.slice(0, WORST),
    verdict,
    ...(verdict === 'inconclusive' ? { reason: blocks.filter((b) => b.reason).map((b) => `${b.name}: ${b.reason}`).join('; ') } : {}),
    bands: BANDS.float32,
    precision: 'float32',
    eps,
    mode: count < total ? 'sparse' : 'full',
    backend: tf.getBackend(),
    evaluations,
    seconds: (performance.now() - started) / 1000,
    time,
    notes,
    checked: count,
    kinks: 0,
  };
  return displayable({ ...body, toString: () => formatReport(body) });
}

/** The spacing of float32 numbers at w. */
function ulp(w: number): number {
  const a = Math.abs(Math.fround(w));
  if (a === 0) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

const norm = (a: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] ** 2; return Math.sqrt(s); };
const finite = (a: ArrayLike<number>): boolean => firstNonFinite(a) < 0;

function unravel(e: number, shape: number[]): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(e % shape[d]);
    e = Math.floor(e / shape[d]);
  }
  return idx;
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}
