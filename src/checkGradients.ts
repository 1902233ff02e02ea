/**
 * gs.checkGradients: any tfjs function f(x0, x1, ...) -> scalar, its tf.grads (for instance through
 * a tf.customGrad someone wrote) against float32 central differences, per input:
 *   d f / d x_i[e] ~ (f(.., x_i + eps e_e, ..) - f(.., x_i - eps e_e, ..)) / 2 eps
 * An entry fails when |analytic - numeric| > atol + rtol |numeric|; the report has the same shape as
 * gs.gradCheck's, with blocks named x0, x1, ...
 */
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import { backendLabel, tf } from './backend';
import { GradscopeError, firstNonFinite, invalid, knownKeys, number, optionalFunction, ON_PROGRESS } from './errors';
import { BANDS, WORST, formatReport, relativeError, verdictOf, worstVerdict, type BlockResult, type CheckReport, type EntryResult, type Verdict } from './report';
import { ticker, type OnProgress } from './numeric/progress';

/** Options of {@link checkGradients}. */
export interface CheckGradientsOptions {
  /** Step of the float32 central differences. Default 1e-3. */
  eps?: number;
  /** Relative tolerance per entry. Default 1e-2. */
  rtol?: number;
  /** Absolute tolerance per entry. Default 1e-3. */
  atol?: number;
  /** Called with `{ done, total, phase }`, at most ~20 times a second. */
  onProgress?: OnProgress;
}

/** A function of tensors returning a scalar tensor. */
export type TensorFn = (...xs: Tensor[]) => Tensor;

/**
 * Compares tf.grads(f) with float32 central differences, per input. Synchronous; leaves
 * tf.memory().numTensors unchanged.
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
  knownKeys('options', options, ['eps', 'rtol', 'atol', 'onProgress']);
  const { eps = 1e-3, rtol = 1e-2, atol = 1e-3, onProgress } = options ?? {};
  number('eps', eps, { min: 0, max: 1, openMin: true });
  number('rtol', rtol, { min: 0 });
  number('atol', atol, { min: 0 });
  optionalFunction('onProgress', onProgress, ON_PROGRESS);
  xs.forEach((x, i) => {
    if (!(x instanceof tf.Tensor)) throw invalid(`xs[${i}]`, x, 'a tf.Tensor');
    if (x.dtype !== 'float32') throw invalid(`xs[${i}]`, x.dtype, 'a float32 tensor (gradients need floats)');
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
  value(xs);
  const grads = tf.tidy(() => tf.grads((...ins: Tensor[]) => f(...ins) as Scalar)(xs));
  const analytic = grads.map((g) => Float64Array.from(g.dataSync()));
  tf.dispose(grads);
  const numericStart = performance.now();

  const total = xs.reduce((s, x) => s + x.size, 0);
  const t = ticker(onProgress, total, 'numeric');
  const numeric: Float64Array[] = [];
  let done = 0;
  xs.forEach((x, i) => {
    const data = Float32Array.from(x.dataSync());
    const out = new Float64Array(x.size);
    const at = (e: number, v: number): number => {
      const keep = data[e];
      data[e] = v;
      const xi = tf.tensor(data, x.shape);
      const inputs = xs.slice();
      inputs[i] = xi;
      try {
        return value(inputs);
      } finally {
        xi.dispose();
        data[e] = keep;
      }
    };
    for (let e = 0; e < x.size; e++) {
      const w = data[e];
      const hp = Math.fround(w + eps) - w, hm = w - Math.fround(w - eps); // the steps float32 can take
      out[e] = (at(e, w + hp) - at(e, w - hm)) / (hp + hm); // (f(x + h) - f(x - h)) / 2h
      t.tick(++done);
    }
    numeric.push(out);
  });
  t.finish();
  const time = { analytic: (numericStart - analyticStart) / 1000, numeric: (performance.now() - numericStart) / 1000 };

  const blocks: BlockResult[] = [];
  const worst: EntryResult[] = [];
  const notes: string[] = [`entries fail when |analytic - numeric| > atol + rtol |numeric| (atol ${atol}, rtol ${rtol}); float32 central differences, eps ${eps}`];
  xs.forEach((x, i) => {
    const a = analytic[i], n = numeric[i];
    let failed = 0;
    for (let e = 0; e < a.length; e++) {
      const diff = a[e] - n[e];
      if (!(Math.abs(diff) <= atol + rtol * Math.abs(n[e]))) failed++;
      worst.push({ block: `x${i}`, index: unravel(e, x.shape), analytic: a[e], numeric: n[e], difference: diff, kink: false });
    }
    const err = relativeError(a, n);
    const verdict: Verdict = failed ? 'wrong' : verdictOf(err, BANDS.float32);
    if (failed) notes.push(`x${i}: ${failed} of ${a.length} entries outside the tolerance`);
    blocks.push({ name: `x${i}`, relativeError: err, verdict, checked: a.length, size: a.length, kinks: 0 });
  });
  worst.sort((p, q) => Math.abs(q.difference) - Math.abs(p.difference));
  const all = relativeError(concat(analytic), concat(numeric));
  const body: Omit<CheckReport, 'toString'> = {
    relativeError: all,
    pairs: { handVsAutograd: NaN, handVsNumeric: all, autogradVsNumeric: NaN },
    blocks,
    worst: worst.slice(0, WORST),
    verdict: worstVerdict(blocks.map((b) => b.verdict)),
    bands: BANDS.float32,
    precision: 'float32',
    eps,
    mode: 'full',
    backend: backendLabel(),
    evaluations: 2 * total,
    seconds: (performance.now() - started) / 1000,
    time,
    notes,
    checked: total,
    kinks: 0,
  };
  return { ...body, toString: () => formatReport(body) };
}

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
