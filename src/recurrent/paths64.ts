/**
 * The recurrent families' offer of exact paths to gs.gradCheck (Model.exactPaths, src/nn/model.ts):
 * the numbers of the generic loop over mirror64 (check/loop64.ts: two whole float64 evaluations per
 * entry or direction) from one cached base pass, each perturbation carried as differences through
 * the family's recurrence (recurrent/delta64.ts and the family's delta64.ts); Wy and by only move the
 * output layer. The same central differences and the same per-difference round-off scale:
 *   d theta[i] = (J(theta + h e_i) - J(theta - h e_i)) / 2h,   scale = (1/m) sum_r |dL_r(+h) - dL_r(-h)| / 2h.
 * float32 checks (tf forward passes) are left to the generic loop.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { Grads, Model, ModelCache, NumericPaths, PathOptions } from '../nn/model';
import { allIndices, type NumericResult, type RankOne } from '../nn/numeric';
import type { ParamBlock } from '../nn/block';
import { shareWork } from '../core/workers';
import type { Cell } from './delta64';
import { deltas, entryAt, ENTRIES_MODULE, type EntryJob } from './entries64';
import { seq64, type Seq64, type SequenceCache, type SequenceShape } from './sequence';

export { deltas, type Difference } from './entries64';

/** A recurrent model as the paths need it: the contract, its shape, its blocks' names. */
type Recurrent = Model<SequenceCache> & { spec: SequenceShape };

/**
 * The recurrent families' exact paths (float64), or undefined for float32 (the generic loop runs it).
 * `cellOf` builds the family's cell for the batch.
 *
 * @example
 * ```ts
 * const paths = recurrentPaths(lstm, X, Y, { seed: 0, precision: 'float64', autograd: true, notes: [] }, (s, theta) => lstmCell(lstm.spec, lstm.blocks, s, theta));
 * paths!.entries(undefined, 1e-7, () => {}).values;
 * paths!.dispose();
 * ```
 */
export function recurrentPaths(model: Recurrent, X: Tensor, Y: Tensor, { precision, autograd }: PathOptions, cellOf: (s: Seq64, theta: Float64Array) => Cell, cellModule?: EntryJob['cell']): NumericPaths | undefined {
  if (precision !== 'float64') return undefined;
  model.assertUsable();
  const y = model.labels(Y, X);
  const theta = model.toVector();
  let cache: SequenceCache, grads: Grads | undefined;
  try {
    if (autograd) ({ cache, grads } = model.forwardAndAutograd(X, y));
    else { const f = model.forward(X); f.output.dispose(); cache = f.cache; }
  } catch (e) {
    y.dispose();
    throw e;
  }
  const c0 = (cache as SequenceCache & { c?: Tensor[] }).c?.[0];
  let engine: ReturnType<typeof deltas> | undefined, s: Seq64 | undefined;
  const D = (): ReturnType<typeof deltas> => {
    if (!engine) { s = seq64(model.spec, X, y, cache.a[0], c0); engine = deltas(cellOf(s, theta), model.spec, s, theta, model.blocks); }
    return engine;
  };
  // what a worker thread rebuilds the entries from: plain numbers only
  const plainSpec = (): EntryJob['spec'] => Object.fromEntries(Object.entries(model.spec).filter(([, v]) => typeof v !== 'object' && typeof v !== 'function')) as EntryJob['spec'];
  const mag = new Float64Array(model.size);
  let J64: ReturnType<Recurrent['mirror64']> | undefined;
  const mirror = (): ReturnType<Recurrent['mirror64']> => (J64 ??= model.mirror64(X, y, cache));
  return {
    y, cache, grads, theta, slots: model.blocks, scaleBound: true,
    method: `numeric: central differences of J re-evaluated in float64 by ${model.family}'s mirror of the forward pass (every entry: its change carried through time from one cached base pass)`,
    autograd: () => { const own = model.forwardAndAutograd(X, y); own.cache.dispose(); return own.grads; },
    rightSided: () => undefined,
    start: () => undefined, // the base pass is built by the first entries (directions do not need it)
    magnitudes: () => mag,
    entries: (indices, eps, tick): NumericResult => {
      const idx = indices ?? allIndices(theta.length), n = idx.length;
      // shared buffers: the worker threads (core/workers.ts) write their entries straight into them
      const buf = [new SharedArrayBuffer(8 * n), new SharedArrayBuffer(8 * n), new SharedArrayBuffer(n)];
      const out = { values: new Float64Array(buf[0]), scale: new Float64Array(buf[1]), kinks: new Uint8Array(buf[2]) };
      const d = D();
      const job = cellModule && (() => ({ module: ENTRIES_MODULE, fn: 'entryWorker', out: buf, data: { cell: cellModule, spec: plainSpec(), blocks: model.blocks, s: s!, theta, idx, eps } satisfies EntryJob }));
      const own = (k: number): void => entryAt(d, model.blocks, theta, idx, eps, out, k);
      if (job) shareWork(n, own, job, tick);
      else for (let k = 0; k < n; k++) { own(k); tick(k + 1); }
      for (let k = 0; k < n; k++) mag[idx[k]] = out.scale[k]; // the size of its terms: the round-off bound's input, as in the generic loop
      return { indices: idx, values: out.values, kinks: out.kinks, scale: out.scale, evaluations: 2 * n };
    },
    // one joint direction over every block (check/joint.ts): two whole mirror evaluations, no autograd
    joint: {
      rows: X.shape[0],
      difference: (u, eps) => {
        const J = mirror();
        const p = Float64Array.from(theta), q = Float64Array.from(theta);
        for (let e = 0; e < u.length; e++) { p[e] += eps * u[e]; q[e] -= eps * u[e]; }
        const plus = J(p), minus = J(q);
        let sp = 0;
        for (let r = 0; r < plus.rows.length; r++) sp += Math.abs(plus.rows[r] - minus.rows[r]);
        const base = plus.signs && J(theta).signs; // relu only: a third pass, for the kink flags
        const flip = (sg?: Uint8Array): boolean => !!base && !!sg && sg.some((v, i) => v !== base[i]);
        return { value: (plus.J - minus.J) / (2 * eps), scale: sp / (2 * eps), kink: flip(plus.signs) || flip(minus.signs), evaluations: base ? 3 : 2 };
      },
    },
    // a few directions: two whole mirror evaluations each cost less than a base pass and dense deltas
    directions: (dirs, eps, tick) => {
      const J = mirror(), base = J(theta).signs;
      const values = new Float64Array(dirs.length), scale = new Float64Array(dirs.length), kinks = new Uint8Array(dirs.length);
      const flip = (s?: Uint8Array): boolean => !!base && !!s && s.some((v, i) => v !== base[i]);
      dirs.forEach(({ slot, v }, k) => {
        const p = Float64Array.from(theta), q = Float64Array.from(theta);
        for (let e = 0; e < slot.size; e++) { p[slot.offset + e] += eps * v[e]; q[slot.offset + e] -= eps * v[e]; }
        const plus = J(p), minus = J(q);
        let sp = 0;
        for (let r = 0; r < plus.rows.length; r++) sp += Math.abs(plus.rows[r] - minus.rows[r]);
        values[k] = (plus.J - minus.J) / (2 * eps); scale[k] = sp / (2 * eps); kinks[k] = flip(plus.signs) || flip(minus.signs) ? 1 : 0;
        tick(k + 1);
      });
      return { values, kinks, scale, evaluations: 2 * dirs.length };
    },
    nearKinks: () => new Uint8Array(model.size),
    dispose: () => {
      cache.dispose();
      y.dispose();
    },
  };
}

/** u with its W parts, given as rank-one factors per slot (`bySlot`), written out. */
export function denseJoint(u: Float64Array, slots: ParamBlock[], bySlot: (RankOne | undefined)[]): Float64Array {
  const v = Float64Array.from(u);
  slots.forEach((s, i) => {
    const f = bySlot[i];
    if (!f) return;
    for (let r = 0; r < s.rows; r++) for (let c = 0; c < s.cols; c++) v[s.offset + r * s.cols + c] = f.scale * f.alpha[r] * f.beta[c];
  });
  return v;
}

export type { ModelCache };
