/**
 * Numerical gradients of any model (src/nn/model.ts) from its loss alone: the seeds' loop, exact and
 * family-blind. For each entry (or unit direction v) the whole loss is evaluated twice:
 *   d theta_approx[i] = (J(theta + h e_i) - J(theta - h e_i)) / 2h,   v . grad ~ (J(theta + eps v) - J(theta - eps v)) / 2 eps
 * A family with faster exact paths (the MLP's fast64) offers them instead.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { invalid } from '../core/errors';
import type { Grads, Loss64, Model, ModelCache, NumericPaths, PathOptions } from '../nn/model';
import { allIndices, steps, type Direction, type NumericResult } from '../nn/numeric';

/** J(theta) with the per-example shares that size the round-off (float64 mirror or float32 on tf). */
export type LossFn = (theta: Float64Array) => ReturnType<Loss64>;

/** True when some pre-activation changed side of a kink between two evaluations. */
function flipped(a?: Uint8Array, b?: Uint8Array): boolean {
  if (!a || !b) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}

/** sum_r |rows_a[r] - rows_b[r]| + |reg_a - reg_b|: the size of the terms a difference of J sums. */
function spread(p: ReturnType<Loss64>, q: ReturnType<Loss64>): number {
  let s = Math.abs(p.reg - q.reg);
  for (let r = 0; r < p.rows.length; r++) s += Math.abs(p.rows[r] - q.rows[r]);
  return s;
}

/**
 * Central differences of J for the given theta indices (all when omitted), with kink flags from the
 * loss's `signs` and the round-off `scale` of each entry.
 *
 * @example
 * ```ts
 * const J = model.mirror64(X, y, cache);
 * const { values } = lossGrad(J, model.toVector(), 1e-7);
 * ```
 */
export function lossGrad(J: LossFn, theta: Float64Array, eps: number, indices?: Int32Array, tick?: (done: number) => void, signsOf: LossFn = J, float32 = false): NumericResult {
  const idx = indices ?? allIndices(theta.length);
  const values = new Float64Array(idx.length), scale = new Float64Array(idx.length), kinks = new Uint8Array(idx.length);
  const t = Float64Array.from(theta);
  const base = signsOf(t).signs;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k], w = t[i];
    const [hp, hm] = float32 ? [Math.fround(w + eps) - w, w - Math.fround(w - eps)] : steps(w, eps); // the steps the parameters can take
    t[i] = w + hp;
    const plus = J(t), sp = signsOf === J ? plus.signs : base && signsOf(t).signs;
    t[i] = w - hm;
    const minus = J(t), sm = signsOf === J ? minus.signs : base && signsOf(t).signs;
    t[i] = w;
    values[k] = (plus.J - minus.J) / (hp + hm);
    scale[k] = spread(plus, minus) / (hp + hm);
    kinks[k] = flipped(base, sp) || flipped(base, sm) ? 1 : 0;
    tick?.(k + 1);
  }
  return { indices: idx, values, kinks, scale, evaluations: 2 * idx.length };
}

/**
 * (J(theta + eps v) - J(theta - eps v)) / 2 eps for each direction, with kink flags and scales.
 *
 * @example
 * ```ts
 * lossDirectional(J, theta, [{ slot, v }], 1e-7).values[0]; // ~ v . grad
 * ```
 */
export function lossDirectional(J: LossFn, theta: Float64Array, dirs: Direction[], eps: number, tick?: (done: number) => void, signsOf: LossFn = J): { values: Float64Array; kinks: Uint8Array; scale: Float64Array; evaluations: number } {
  // float32 parameters round theta +- eps v: the differences divide by the steps actually taken
  const values = new Float64Array(dirs.length), scale = new Float64Array(dirs.length), kinks = new Uint8Array(dirs.length);
  const base = signsOf(theta).signs;
  dirs.forEach(({ slot, v }, d) => {
    const p = Float64Array.from(theta), q = Float64Array.from(theta);
    for (let e = 0; e < slot.size; e++) { p[slot.offset + e] += eps * v[e]; q[slot.offset + e] -= eps * v[e]; }
    const plus = J(p), minus = J(q);
    values[d] = (plus.J - minus.J) / (2 * eps); // float32: the rounding of theta +- eps v is O(u |theta|), inside the float32 bands
    scale[d] = spread(plus, minus) / (2 * eps);
    const sp = signsOf === J ? plus.signs : base && signsOf(p).signs, sm = signsOf === J ? minus.signs : base && signsOf(q).signs;
    kinks[d] = flipped(base, sp) || flipped(base, sm) ? 1 : 0;
    tick?.(d + 1);
  });
  return { values, kinks, scale, evaluations: 2 * dirs.length };
}

/**
 * The exact paths every model has: the loop above over its float64 mirror (or its tf loss in
 * float32), kinks from the mirror's signs, the round-off bound from each difference's own terms.
 *
 * @example
 * ```ts
 * const paths = loopPaths(lstm, X, Y, { seed: 0, precision: 'float64', autograd: true, notes: [] });
 * paths.entries(undefined, 1e-7, () => {}).values; // two whole mirror evaluations per entry
 * paths.dispose();
 * ```
 */
export function loopPaths(model: Model, X: Tensor, Y: Tensor, { precision }: PathOptions): NumericPaths {
  model.assertUsable();
  const loss = (model as { loss?: (X: Tensor, Y: Tensor) => number }).loss;
  if (precision === 'float32' && typeof loss !== 'function') throw invalid('precision', 'float32', `'float64' for ${model} (it offers no tf loss to difference)`);
  const y = model.labels(Y, X);
  const theta = model.toVector();
  let touched = false;
  let pass: { cache: ModelCache; grads: Grads };
  try {
    pass = model.forwardAndAutograd(X, y);
  } catch (e) {
    y.dispose();
    throw e;
  }
  const { cache, grads } = pass;
  const J64 = model.mirror64(X, y, cache);
  const J32: LossFn = (t) => { touched = true; model.fromVector(t); const J = loss!.call(model, X, y); return { J, rows: new Float64Array([J]), reg: 0 }; };
  const J = precision === 'float64' ? J64 : J32;
  const mag = new Float64Array(model.size);
  return {
    y, cache, grads, theta, slots: model.blocks, scaleBound: true,
    method: precision === 'float64'
      ? `numeric: central differences of J re-evaluated in float64 by ${model.family}'s mirror of the forward pass (every entry: two whole evaluations)`
      : 'numeric: central differences of J in float32 on tf (the parameters set to theta +- eps, two tf forward passes per entry)',
    autograd: () => model.forwardAndAutograd(X, y).grads,
    rightSided: () => undefined,
    start: () => undefined,
    magnitudes: () => mag,
    entries: (indices, eps, tick) => {
      const r = lossGrad(J, theta, eps, indices, tick, J64, precision === 'float32');
      r.indices.forEach((i, k) => { mag[i] = r.scale[k]; }); // the size of its terms: the round-off bound's input
      return r;
    },
    directions: (dirs, eps, tick) => lossDirectional(J, theta, dirs, eps, tick, J64),
    nearKinks: () => new Uint8Array(model.size),
    dispose: () => {
      if (touched) model.fromVector(theta);
      cache.dispose();
      y.dispose();
    },
  };
}
